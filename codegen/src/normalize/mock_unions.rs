//! `oneOf`s that no value can satisfy. Kibana writes its route schemas as OpenAPI, and a
//! strict object of a route (unknown keys refused) comes out as an object that allows them,
//! often with nothing required: Endpoint's kill-process `parameters` is `oneOf: [{pid},
//! {entity_id}, {process_name}]`, three objects with no required property. Each matches every
//! object the others match, so no value matches exactly one, and a mock server that validates
//! requests (Prism) refuses every request with such a union in it. For the mock, a `oneOf`
//! with such a member is an `anyOf`; the client's types are generated from the spec as is.
//!
//! Only the spec served to such a mock is changed.

use super::{Change, for_each_object, resolve};
use serde_json::Value;

/// An object schema that matches any object without its properties: nothing required, and
/// unknown keys allowed.
fn matches_any_object(spec: &Value, member: &Value) -> bool {
    let member = resolve(spec, member);
    let is_object = member.get("type").and_then(Value::as_str) == Some("object")
        || (member.get("type").is_none() && member.get("properties").is_some());
    let nothing_required = member
        .get("required")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    let closed = member.get("additionalProperties") == Some(&Value::Bool(false));
    let composed = ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| member.get(*k).is_some());
    is_object && nothing_required && !closed && !composed
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    // Decided on a copy: references are followed into the document being changed.
    let original = spec.clone();
    let mut changes = Vec::new();
    for_each_object(spec, &mut |at, map| {
        let overlapping = map
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members.len() > 1 && members.iter().any(|m| matches_any_object(&original, m))
            });
        if overlapping && !map.contains_key("anyOf") {
            if let Some(members) = map.remove("oneOf") {
                map.insert("anyOf".into(), members);
            }
            changes.push(Change {
                pass: "mock_unions",
                at: at.to_string(),
                what: "oneOf whose members all match one object: anyOf, for the mock".into(),
            });
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};
    use serde_json::json;

    #[test]
    fn only_unions_no_value_satisfies_become_any_of() {
        let mut s = spec(
            r#"
components:
  schemas:
    Pid: {type: object, properties: {pid: {type: integer}}}
    EntityId: {type: object, properties: {entity_id: {type: string}}}
    Open: {oneOf: [{$ref: '#/components/schemas/Pid'}, {$ref: '#/components/schemas/EntityId'}]}
    Tagged:
      oneOf:
        - {type: object, required: [type], properties: {type: {enum: [a]}}}
        - {type: object, required: [type], properties: {type: {enum: [b]}}}
    Closed:
      oneOf:
        - {type: object, additionalProperties: false, properties: {pid: {type: integer}}}
        - {type: object, additionalProperties: false, properties: {name: {type: string}}}
    Scalars: {oneOf: [{type: string}, {type: integer}]}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 1, "{changes:?}");
        let open = at(&s, "/components/schemas/Open");
        assert!(open.get("oneOf").is_none());
        assert_eq!(
            open["anyOf"][0],
            json!({"$ref": "#/components/schemas/Pid"})
        );
        for kept in ["Tagged", "Closed", "Scalars"] {
            assert!(
                at(&s, &format!("/components/schemas/{kept}"))
                    .get("oneOf")
                    .is_some(),
                "{kept}"
            );
        }
    }
}
