//! One error schema for every error response. Kibana answers errors in several shapes (`{statusCode,
//! error, message}`, Fleet's with `errorType`/`attributes`, Security's `{message, status_code}`, bare
//! `{message}`), often without declaring a body at all; progenitor panics when an operation's error
//! responses have different types. Every 4xx/5xx response gets `application/json` with the shared
//! `KibanaErrorBody` schema, which reads all of those shapes. Declared examples are kept.
//!
//! A `default` response beside a success response means "any other status: an error" in Kibana's
//! spec, but progenitor counts `default` among the success types too (and panics on two); it is
//! removed, since the client reads an error status nobody declared as a `KibanaErrorBody` anyway.

use super::{
    Change, component_schemas, for_each_operation, is_error_status, is_success_status, op_name,
};
use serde_json::{Value, json};

pub const ERROR_SCHEMA: &str = "KibanaErrorBody";

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error body in any of the shapes Kibana answers with. Unknown fields are kept in `extra`.",
        "additionalProperties": true,
        "properties": {
            "statusCode": {"type": "number", "description": "HTTP status, in platform and Fleet errors."},
            "status_code": {"type": "number", "description": "HTTP status, in Security solution errors."},
            "error": {"type": "string", "description": "HTTP status text, e.g. `Bad Request`."},
            "errorType": {"type": "string", "description": "Fleet's error class."},
            "message": {"type": "string", "description": "What went wrong."},
            "attributes": {"description": "Fleet's structured error details."}
        }
    })
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let reference = json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")});
    let mut used = false;
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        let has_success = responses.keys().any(|s| is_success_status(s));
        if has_success && responses.remove("default").is_some() {
            changes.push(Change {
                pass: "error_responses",
                at: format!("{at} default"),
                what: format!(
                    "removed: any undeclared error status is read as {ERROR_SCHEMA} already"
                ),
            });
        }
        for (status, response) in responses.iter_mut() {
            if !is_error_status(status) {
                continue;
            }
            let Some(response) = response.as_object_mut() else {
                continue;
            };
            let content = response.entry("content").or_insert_with(|| json!({}));
            let Some(content) = content.as_object_mut() else {
                continue;
            };
            let examples = content.values().find_map(|m| m.get("examples").cloned());
            let before = content
                .get("application/json")
                .and_then(|m| m.get("schema"))
                .cloned();
            if content.len() == 1 && before.as_ref() == Some(&reference) {
                used = true;
                continue;
            }
            let mut media = json!({"schema": reference.clone()});
            if let Some(examples) = examples {
                media["examples"] = examples;
            }
            content.clear();
            content.insert("application/json".to_string(), media);
            used = true;
            changes.push(Change {
                pass: "error_responses",
                at: format!("{at} {status}"),
                what: match before {
                    Some(old) => format!("error schema {old} -> {ERROR_SCHEMA}"),
                    None => format!("declared no JSON error body -> {ERROR_SCHEMA}"),
                },
            });
        }
    });
    if used {
        component_schemas(spec)
            .entry(ERROR_SCHEMA)
            .or_insert_with(error_schema);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn different_error_shapes_become_one() {
        let mut s = spec(
            r##"
paths:
  /x:
    post:
      responses:
        '200': {description: ok}
        '400':
          description: bad
          content:
            application/json:
              schema: {oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}
              examples: {one: {value: {message: m, status_code: 400}}}
        '401': {description: no body}
        '500':
          description: text
          content: {text/plain: {schema: {type: string}}}
        default: {description: anything else}
"##,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 4);
        assert!(at(&s, "/paths/~1x/post/responses/default").is_null());
        for status in ["400", "401", "500"] {
            let p =
                format!("/paths/~1x/post/responses/{status}/content/application~1json/schema/$ref");
            assert_eq!(
                at(&s, &p),
                "#/components/schemas/KibanaErrorBody",
                "{status}"
            );
        }
        assert_eq!(
            at(
                &s,
                "/paths/~1x/post/responses/400/content/application~1json/examples/one/value/status_code"
            ),
            400
        );
        assert_eq!(at(&s, "/components/schemas/KibanaErrorBody/type"), "object");
        assert!(run(&mut s).is_empty(), "idempotent");
    }

    #[test]
    fn default_alone_is_the_success_response() {
        let mut s = spec("paths: {/x: {get: {responses: {default: {description: ok}}}}}");
        assert!(run(&mut s).is_empty());
        assert!(at(&s, "/components").is_null());
    }
}
