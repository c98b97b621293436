//! Properties no value fits. Kibana's route schemas converted to OpenAPI write a field that must
//! be left out (`name: z.never()`, the stream's name already in the path) as `name: {not: {}}`,
//! and put such an object in an `allOf` beside one that requires the same field: typify reads
//! the contradiction as a type no value has (an empty enum), and a body of it cannot be built.
//! A field that must be left out is no field of the client's type: it is dropped from
//! `properties` and `required`.

use super::Change;
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        let Some(Value::Object(props)) = map.get_mut("properties") else {
            return;
        };
        let absent: Vec<String> = props
            .iter()
            .filter(|(_, p)| takes_nothing(p))
            .map(|(name, _)| name.clone())
            .collect();
        if absent.is_empty() {
            return;
        }
        props.retain(|name, _| !absent.contains(name));
        if let Some(Value::Array(required)) = map.get_mut("required") {
            required.retain(|r| r.as_str().is_none_or(|r| !absent.iter().any(|a| a == r)));
        }
        changes.push(Change {
            pass: "absent_properties",
            at: at.to_string(),
            what: format!("no value fits {absent:?}: dropped, as a field left out"),
        });
    });
    changes
}

/// Whether no value fits the schema: `not: {}` (the empty schema takes every value).
pub(super) fn takes_nothing(schema: &Value) -> bool {
    schema
        .get("not")
        .and_then(Value::as_object)
        .is_some_and(serde_json::Map::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_that_must_be_left_out_are_no_fields() {
        let mut spec = json!({"components": {"schemas": {"Stream": {"allOf": [
            {"type": "object", "properties": {"name": {"not": {}}, "kept": {"not": {"type": "string"}}},
             "required": ["name"], "additionalProperties": true},
            {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
        ]}}}});
        let changes = run(&mut spec);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            spec.pointer("/components/schemas/Stream/allOf/0").unwrap(),
            &json!({"type": "object", "properties": {"kept": {"not": {"type": "string"}}},
                    "required": [], "additionalProperties": true})
        );
        assert_eq!(
            spec.pointer("/components/schemas/Stream/allOf/1/required")
                .unwrap(),
            &json!(["name"])
        );
    }
}
