//! A schema with both `anyOf` and `oneOf` (Kibana's role privileges: "any JSON value" and "one of
//! two string arrays"). typify asserts that a schema has at most one of them and panics. The
//! `oneOf` is the narrower statement and what the values really are; the `anyOf` is dropped.

use super::Change;
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    visit(spec, "", &mut changes);
    changes
}

fn visit(value: &mut Value, at: &str, changes: &mut Vec<Change>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("anyOf") && map.contains_key("oneOf") {
                map.remove("anyOf");
                changes.push(Change {
                    pass: "union_repairs",
                    at: at.to_string(),
                    what: "both anyOf and oneOf: the oneOf is kept".to_string(),
                });
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    visit(child, &format!("{at}/{key}"), changes);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                visit(item, &format!("{at}/{i}"), changes);
            }
        }
        _ => {}
    }
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
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        assert!(s.pointer("/components/schemas/Base/anyOf").is_none());
        assert!(s.pointer("/components/schemas/Plain/anyOf").is_some());
    }
}
