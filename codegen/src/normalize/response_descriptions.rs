//! Responses without a `description`. OpenAPI 3.0 requires one, and the reader progenitor uses
//! refuses the whole document without it; Kibana's older bundles (Fleet, dashboards) leave it
//! out of hundreds of responses. Each gets one naming its status; `$ref`s are left to the
//! response they name (under `components/responses`, which gets the same repair).

use super::{Change, for_each_operation, op_name};
use serde_json::{Map, Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            describe(responses, &at, false, &mut changes);
        }
    });
    if let Some(responses) = spec
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        describe(responses, "components/responses", true, &mut changes);
    }
    changes
}

/// Describes each response of `responses`, keyed by status, or by name for components.
fn describe(responses: &mut Map<String, Value>, at: &str, named: bool, changes: &mut Vec<Change>) {
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response.contains_key("$ref")
            || response.get("description").is_some_and(Value::is_string)
        {
            continue;
        }
        let text = match status.as_str() {
            name if named => format!("The {name} response."),
            "default" => "Any other status.".to_string(),
            code => format!("Status {code}."),
        };
        response.insert("description".into(), json!(text));
        changes.push(Change {
            pass: "response_descriptions",
            at: format!("{at} {status}"),
            what: "no description: one naming the status".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn responses_get_a_description() {
        let mut s = spec(
            r#"
paths:
  /api/fleet/agents:
    get:
      responses:
        '200': {content: {application/json: {schema: {type: object}}}}
        '400': {description: Bad request}
        default: {$ref: '#/components/responses/Error'}
components:
  responses:
    Error: {content: {application/json: {schema: {type: object}}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        let op = "/paths/~1api~1fleet~1agents/get/responses";
        assert_eq!(at(&s, &format!("{op}/200/description")), "Status 200.");
        assert_eq!(at(&s, &format!("{op}/400/description")), "Bad request");
        assert!(
            at(&s, &format!("{op}/default"))
                .get("description")
                .is_none()
        );
        assert_eq!(
            at(&s, "/components/responses/Error/description"),
            "The Error response."
        );
    }
}
