//! Unions typify cannot take. A schema with both `anyOf` and `oneOf` (Kibana's role privileges:
//! "any JSON value" and "one of two string arrays"): typify asserts that a schema has at most one
//! of them and panics; the `oneOf` is the narrower statement and what the values really are, so
//! the `anyOf` is dropped. A `default` on a union (`spaces: ['*']`): typify checks defaults
//! against the schema, cannot for unions, and fails the operation; such a default is dropped
//! (Kibana applies it server-side either way). An `anyOf` with a `discriminator` (Kibana's
//! knowledge-base entries): the discriminator picks exactly one member, so it is a `oneOf`;
//! typify would read it as a struct of optional members and lose every field.

use super::Change;
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        if map.contains_key("anyOf") && map.contains_key("oneOf") {
            map.remove("anyOf");
            changes.push(Change {
                pass: "union_repairs",
                at: at.to_string(),
                what: "both anyOf and oneOf: the oneOf is kept".to_string(),
            });
        }
        // typify reads an anyOf as a struct of optional flattened members, which only
        // objects can be; an anyOf with another member (`array | string`) is a oneOf.
        let plain_member = map
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|ms| {
                ms.iter().any(|m| {
                    m.get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t != "object")
                })
            });
        let discriminated = map.contains_key("discriminator");
        if (plain_member || discriminated)
            && let Some(any) = map.remove("anyOf")
        {
            map.insert("oneOf".to_string(), any);
            let why = if plain_member {
                "anyOf with non-object members: read as a oneOf"
            } else {
                "anyOf with a discriminator: read as a oneOf"
            };
            changes.push(Change {
                pass: "union_repairs",
                at: at.to_string(),
                what: why.to_string(),
            });
        }
        let union = map.contains_key("anyOf") || map.contains_key("oneOf");
        if union && map.remove("default").is_some() {
            changes.push(Change {
                pass: "union_repairs",
                at: at.to_string(),
                what: "a default on a union: dropped".to_string(),
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
    fn one_of_wins() {
        let mut s = spec(
            r#"
components:
  schemas:
    Base: {anyOf: [{type: string}, {type: number}], oneOf: [{type: string}]}
    Plain: {anyOf: [{type: string}, {type: number}]}
    Tagged:
      anyOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]
      discriminator: {propertyName: type}
    Untagged: {anyOf: [{type: object}, {type: object}]}
"#,
        );
        assert_eq!(run(&mut s).len(), 3);
        assert!(s.pointer("/components/schemas/Base/anyOf").is_none());
        // An anyOf of non-objects reads as a oneOf.
        assert!(s.pointer("/components/schemas/Plain/anyOf").is_none());
        assert!(s.pointer("/components/schemas/Plain/oneOf").is_some());
        // A discriminator picks one member.
        assert!(s.pointer("/components/schemas/Tagged/oneOf/1").is_some());
        // Objects without a discriminator stay an anyOf.
        assert!(s.pointer("/components/schemas/Untagged/anyOf").is_some());
    }
}
