//! Small schema repairs that typify would otherwise reject or turn into needless types:
//! `required` entries naming properties the object does not declare, or that are no name at all
//! (Kibana's email connector writes `- anyOf: [to, cc, bcc]` for "at least one of them", which
//! no OpenAPI reader takes; dropped, the server still checks it), and duplicate members of
//! `oneOf`/`anyOf` (Kibana lists the same `$ref` twice in a few unions).

use super::{Change, walk_objects_mut};
use serde_json::{Map, Value};

fn repair(schema: &mut Map<String, Value>, changes: &mut Vec<Change>) {
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        let before = required.len();
        required.retain(Value::is_string);
        if required.len() < before {
            changes.push(Change {
                pass: "schema_repairs",
                at: "schema".to_string(),
                what: format!(
                    "`required` held {} entries that are no field name; dropped them",
                    before - required.len()
                ),
            });
        }
    }
    let composed = ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| schema.contains_key(*k));
    if !composed {
        let declared: Vec<String> = match schema.get("properties") {
            Some(Value::Object(props)) => props.keys().cloned().collect(),
            _ => Vec::new(),
        };
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            let absent: Vec<String> = required
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| !declared.iter().any(|d| d == name))
                .map(str::to_string)
                .collect();
            if !absent.is_empty() {
                required.retain(|r| r.as_str().is_some_and(|n| declared.iter().any(|d| d == n)));
                changes.push(Change {
                    pass: "schema_repairs",
                    at: "schema".to_string(),
                    what: format!(
                        "`required` names undeclared properties {absent:?}; dropped them"
                    ),
                });
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = schema.get_mut(key) {
            let before = members.len();
            let mut unique: Vec<Value> = Vec::with_capacity(before);
            for member in members.drain(..) {
                if !unique.contains(&member) {
                    unique.push(member);
                }
            }
            *members = unique;
            if members.len() != before {
                changes.push(Change {
                    pass: "schema_repairs",
                    at: "schema".to_string(),
                    what: format!(
                        "{key} listed {} duplicate member(s); removed",
                        before - members.len()
                    ),
                });
            }
        }
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk_objects_mut(spec, &mut |obj| repair(obj, &mut changes));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn repairs_required_and_duplicate_members() {
        let mut s = spec(
            r##"
components:
  schemas:
    A:
      type: object
      properties: {a: {type: string}}
      required: [a, ghost]
    U:
      oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/A'}, {type: string}]
    C:
      allOf: [{$ref: '#/components/schemas/A'}]
      required: [a]
    Email:
      type: object
      properties: {message: {type: string}, to: {type: array}, cc: {type: array}}
      required: [message, {anyOf: [to, cc]}]
"##,
        );
        assert_eq!(run(&mut s).len(), 3);
        assert_eq!(
            at(&s, "/components/schemas/Email/required"),
            &serde_json::json!(["message"])
        );
        assert_eq!(
            at(&s, "/components/schemas/A/required"),
            &serde_json::json!(["a"])
        );
        assert_eq!(
            at(&s, "/components/schemas/U/oneOf")
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            at(&s, "/components/schemas/C/required"),
            &serde_json::json!(["a"]),
            "allOf left alone"
        );
    }
}
