//! Optional request bodies that carry nothing. Kibana publishes routes that take no body (its
//! GETs and DELETEs among them) with an optional body of a closed object of no fields, or null
//! (`{type: object, properties: {}, additionalProperties: false}`): progenitor makes every
//! request body a required argument, so the client would refuse to send such a request until
//! given an empty value. Such a body is dropped: sending none is what the route takes.

use super::{Change, for_each_operation, op_name, resolve};
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let Some(body) = op.get("requestBody") else {
            return;
        };
        let body = resolve(&snapshot, body);
        if body.get("required") == Some(&Value::Bool(true)) {
            return;
        }
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            return;
        };
        let empty = !content.is_empty()
            && content.values().all(|media| {
                media
                    .get("schema")
                    .is_some_and(|s| carries_nothing(resolve(&snapshot, s)))
            });
        if empty {
            op.remove("requestBody");
            changes.push(Change {
                pass: "empty_bodies",
                at: op_name(path, method, op),
                what: "an optional body of an empty closed object: dropped, none is sent".into(),
            });
        }
    });
    changes
}

/// Whether the only values a schema takes are `{}` (and `null`): a closed object of no fields.
fn carries_nothing(schema: &Value) -> bool {
    let composed = ["allOf", "oneOf", "anyOf", "not", "enum"]
        .iter()
        .any(|k| schema.get(k).is_some());
    let no_fields = schema
        .get("properties")
        .is_none_or(|p| p.as_object().is_some_and(|p| p.is_empty()));
    !composed
        && schema.get("type").is_none_or(|t| t == "object")
        && no_fields
        && schema.get("additionalProperties") == Some(&Value::Bool(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn optional_empty_bodies_are_dropped() {
        let mut s = spec(
            r#"
paths:
  /api/streams/{name}:
    get:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {}, additionalProperties: false, nullable: true}
      responses: {}
    delete:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Nothing'}
      responses: {}
    put:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, additionalProperties: false}
      responses: {}
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {}}
      responses: {}
components:
  schemas:
    Nothing: {type: object, additionalProperties: false}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 2, "{changes:?}");
        let op = |m: &str| at(&s, &format!("/paths/~1api~1streams~1{{name}}/{m}")).clone();
        assert!(op("get").get("requestBody").is_none());
        assert!(op("delete").get("requestBody").is_none());
        // Required, or open to any fields: kept.
        assert!(op("put").get("requestBody").is_some());
        assert!(op("post").get("requestBody").is_some());
    }
}
