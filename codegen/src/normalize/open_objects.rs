//! Open objects keep their unknown fields. typify drops the fields an object with `properties`
//! and `additionalProperties: true` does not name (an alert document's `host.name`, say), so a
//! read-modify-write would destroy them; given `additionalProperties: {}` it keeps them in an
//! `extra` map. This pass writes `true` as `{}` where an object also has properties.

use super::Change;
use serde_json::{Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        if map.get("additionalProperties") == Some(&Value::Bool(true))
            && map
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty())
        {
            map.insert("additionalProperties".to_string(), json!({}));
            changes.push(Change {
                pass: "open_objects",
                at: at.to_string(),
                what: "additionalProperties: true -> {} (unknown fields are kept)".to_string(),
            });
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::spec;

    #[test]
    fn open_objects_with_properties_keep_unknown_fields() {
        let mut s = spec(
            r#"
components:
  schemas:
    Alert: {type: object, additionalProperties: true, properties: {a: {type: string}}}
    Free: {type: object, additionalProperties: true}
    Closed: {type: object, additionalProperties: false, properties: {a: {type: string}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        assert_eq!(
            s.pointer("/components/schemas/Alert/additionalProperties"),
            Some(&json!({}))
        );
        assert_eq!(
            s.pointer("/components/schemas/Free/additionalProperties"),
            Some(&json!(true))
        );
        assert_eq!(
            s.pointer("/components/schemas/Closed/additionalProperties"),
            Some(&json!(false))
        );
    }
}
