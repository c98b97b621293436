//! Unions typify cannot take. A schema with both `anyOf` and `oneOf` (Kibana's role privileges:
//! "any JSON value" and "one of two string arrays"): typify asserts that a schema has at most one
//! of them and panics; the `oneOf` is the narrower statement and what the values really are, so
//! the `anyOf` is dropped. A `default` on a union (`spaces: ['*']`): typify checks defaults
//! against the schema, cannot for unions, and fails the operation; such a default is dropped
//! (Kibana applies it server-side either way). Every other `anyOf` is read as a `oneOf`: typify
//! reads an `anyOf` as a struct of optional flattened members, which loses every field as soon
//! as each member refuses the value (a required field of another member missing, closed
//! objects: Fleet's package-policy formats, its output types), and cannot hold a non-object
//! member at all; Kibana writes `anyOf` where it means "one of these shapes", and the generated
//! union decodes into the member that keeps every field, or keeps the value whole. A nullable union
//! that is a component (Fleet's variable values): typify names both the `Option` wrapper and
//! the union after the component and the crate does not compile; `nullable` is dropped there,
//! and a `null` still decodes, into the union's `Unknown` member, and encodes back as `null`.

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
        if let Some(any) = map.remove("anyOf") {
            map.insert("oneOf".to_string(), any);
            changes.push(Change {
                pass: "union_repairs",
                at: at.to_string(),
                what: "anyOf: read as a oneOf".to_string(),
            });
        }
        let union = map.contains_key("anyOf") || map.contains_key("oneOf");
        let component = at.starts_with("/components/schemas/") && at.matches('/').count() == 3;
        if union && component && map.remove("nullable").is_some() {
            changes.push(Change {
                pass: "union_repairs",
                at: at.to_string(),
                what: "a nullable union component: null is kept by its Unknown member".to_string(),
            });
        }
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
    Maybe: {nullable: true, oneOf: [{type: string}, {type: boolean}]}
"#,
        );
        assert_eq!(run(&mut s).len(), 5);
        assert!(s.pointer("/components/schemas/Maybe/nullable").is_none());
        assert!(s.pointer("/components/schemas/Base/anyOf").is_none());
        // An anyOf of non-objects reads as a oneOf.
        assert!(s.pointer("/components/schemas/Plain/anyOf").is_none());
        assert!(s.pointer("/components/schemas/Plain/oneOf").is_some());
        // Every anyOf is read as a oneOf.
        assert!(s.pointer("/components/schemas/Tagged/oneOf/1").is_some());
        assert!(s.pointer("/components/schemas/Untagged/oneOf/1").is_some());
    }
}
