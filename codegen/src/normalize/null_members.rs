//! Union members that take only `null`, or no value at all. OpenAPI 3.1 writes a null member as
//! `{type: "null"}` (or `const: null`, by now `enum: [null]`); Kibana's route schemas converted
//! to 3.0 write it as `{enum: ["null"], nullable: true}`, and an optional value's "left out" as
//! `{not: {}}`, which no value fits. typify takes none of them: it names a union with a null
//! member and its `Option` wrapper alike (the crate does not compile), and fails on `not: {}`
//! ("value does not conform to the given schema"). A member no value fits is dropped; a null
//! member is `nullable: true` on the union; a union left with one member is that member (a
//! `$ref` under `allOf`, which 3.0 lets stand beside `nullable`).

use super::Change;
use super::absent_properties::takes_nothing;
use serde_json::{Map, Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        // A member merged into its union may be a union with such members itself.
        let mut did = Vec::new();
        while let Some(what) = repair(map) {
            did.push(what);
        }
        if !did.is_empty() {
            changes.push(Change {
                pass: "null_members",
                at: at.to_string(),
                what: did.join("; "),
            });
        }
    });
    changes
}

/// Whether the schema takes `null` and nothing else. An `enum` of the string `"null"` counts
/// only beside `nullable` and without a type: a string type makes it the word itself.
fn only_null(schema: &Value) -> bool {
    let ty = schema.get("type").and_then(Value::as_str);
    if ty == Some("null") {
        return true;
    }
    let Some(values) = schema.get("enum").and_then(Value::as_array) else {
        return false;
    };
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    !values.is_empty()
        && ty.is_none()
        && values
            .iter()
            .all(|v| v.is_null() || (nullable && v.as_str() == Some("null")))
}

/// One repair of the map's unions, and what it was; `None` when there is nothing to repair.
fn repair(map: &mut Map<String, Value>) -> Option<String> {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = map.get_mut(key) else {
            continue;
        };
        let before = members.len();
        members.retain(|m| !takes_nothing(m));
        let nothing = before - members.len();
        let before = members.len();
        members.retain(|m| !only_null(m));
        let null = before - members.len();
        if nothing + null == 0 {
            continue;
        }
        let mut what = Vec::new();
        if nothing > 0 {
            what.push(format!("{key}: {nothing} member(s) no value fits dropped"));
        }
        if null > 0 {
            map.insert("nullable".into(), Value::Bool(true));
            what.push(format!("{key}: a null member read as nullable"));
        }
        let members = map.get_mut(key).and_then(Value::as_array_mut)?;
        // A union of nothing else took only null (or nothing): a nullable schema of no type.
        if members.is_empty() {
            map.remove(key);
            if null > 0 {
                map.insert("enum".into(), json!([null]));
            }
        } else if members.len() == 1 {
            let only = members.pop()?;
            map.remove(key);
            what.push("the one member left is the schema".into());
            match only {
                Value::Object(m) if !m.contains_key("$ref") => {
                    for (k, v) in m {
                        map.entry(k).or_insert(v);
                    }
                }
                other => {
                    map.insert("allOf".into(), json!([other]));
                }
            }
        }
        return Some(what.join(", "));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(schema: Value) -> Value {
        let mut spec = json!({"components": {"schemas": {"S": schema}}});
        run(&mut spec);
        spec["components"]["schemas"]["S"].take()
    }

    #[test]
    fn null_members_make_the_union_nullable() {
        assert_eq!(
            after(json!({"oneOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]})),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
        assert_eq!(
            after(json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"enum": [null]}]})),
            json!({"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        // Kibana's 3.0 form of `null`, and of "left out".
        assert_eq!(
            after(json!({"anyOf": [
                {"type": "object", "properties": {}, "additionalProperties": false},
                {"enum": ["null"], "nullable": true},
                {"not": {}}
            ]})),
            json!({"nullable": true, "type": "object", "properties": {},
                   "additionalProperties": false})
        );
    }

    #[test]
    fn members_taking_values_stay() {
        // The word "null" as a string, a schema `not` of something, and a union of two.
        let kept = json!({"oneOf": [
            {"type": "string", "enum": ["null"], "nullable": true},
            {"not": {"type": "string"}},
            {"enum": ["null"]}
        ]});
        assert_eq!(after(kept.clone()), kept);
    }

    #[test]
    fn nested_unions_left_alone_by_the_merge_are_repaired() {
        assert_eq!(
            after(json!({"anyOf": [
                {"anyOf": [{"type": "string"}, {"type": "boolean"}, {"not": {}}]},
                {"not": {}}
            ]})),
            json!({"anyOf": [{"type": "string"}, {"type": "boolean"}]})
        );
        assert_eq!(
            after(json!({"oneOf": [{"not": {}}, {"type": "null"}]})),
            json!({"nullable": true, "enum": [null]})
        );
    }
}
