//! Required fields that may be null. Kibana's route schemas (`schema.nullable(...)`) accept a
//! nullable field left out as well as `null`, and its own examples leave such fields out (a
//! rule action's `frequency.throttle`), while the published spec lists them as required; typify
//! then refuses a body or an answer without them. A nullable property is taken off `required`:
//! missing and `null` read the same (`None`). Not in a union's member (Kibana's delete-notes
//! body: `{noteId}` or `{noteIds}`): there the required field tells the members apart.

use super::Change;
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        if union_member(at) {
            return;
        }
        let dropped: Vec<String> = match (
            map.get("required").and_then(Value::as_array),
            map.get("properties"),
        ) {
            (Some(required), Some(props)) => required
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| props.get(*name).is_some_and(|p| nullable(&snapshot, p)))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if !dropped.is_empty() {
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| !r.as_str().is_some_and(|r| dropped.iter().any(|d| d == r)));
                if required.is_empty() {
                    map.remove("required");
                }
            }
            changes.push(Change {
                pass: "nullable_required",
                at: at.to_string(),
                what: format!("nullable, so not required: {}", dropped.join(", ")),
            });
        }
    });
    changes
}

/// Whether the object at `at` is a member of a `oneOf` or `anyOf` (`.../oneOf/1`).
fn union_member(at: &str) -> bool {
    let mut parts = at.rsplit('/');
    let index = parts.next().is_some_and(|i| i.parse::<usize>().is_ok());
    index && matches!(parts.next(), Some("oneOf" | "anyOf"))
}

fn nullable(snapshot: &Value, schema: &Value) -> bool {
    super::resolve(snapshot, schema).get("nullable") == Some(&Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::spec;

    #[test]
    fn nullable_fields_are_not_required() {
        let mut s = spec(
            r#"
components:
  schemas:
    Frequency:
      required: [summary, throttle]
      properties:
        summary: {type: boolean}
        throttle: {type: string, nullable: true}
    Only:
      required: [x]
      properties: {x: {$ref: '#/components/schemas/Nullable'}}
    Nullable: {type: string, nullable: true}
    Either:
      oneOf:
        - {required: [a], properties: {a: {type: string}}}
        - {required: [b], properties: {b: {type: array, nullable: true, items: {type: string}}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert_eq!(
            s["components"]["schemas"]["Frequency"]["required"],
            serde_json::json!(["summary"])
        );
        assert!(s["components"]["schemas"]["Only"].get("required").is_none());
        // A union member keeps what tells it from the others.
        assert_eq!(
            s["components"]["schemas"]["Either"]["oneOf"][1]["required"],
            serde_json::json!(["b"])
        );
    }
}
