//! What an independent mock server (Prism, through json-schema-faker) can generate answers
//! from. Two of Kibana's schema habits break its generator, though a client reads both fine:
//! - `maxItems` in the thousands (Fleet's auto-upgrade status: up to 10,000 versions each
//!   listing up to 1,000 action ids): the generator fills arrays up to their limit, so Prism
//!   spent minutes and its memory on one answer, then stopped answering at all. Limits are
//!   capped at [`MAX_ITEMS`] for the mock.
//! - a `format` beside a `pattern` (the entity store's timestamps: `date-time` and a strict
//!   ISO 8601 pattern): the generator makes a string from the pattern, then casts it to the
//!   format, and a date such as year 0000 throws. The pattern says more, so the format goes.
//! - recursion (Streams' conditions hold conditions, processing steps hold steps): Prism
//!   resolves a schema's `$ref`s before generating, and a reference back into a schema it is
//!   still resolving comes out as a pointer it cannot follow (`Prop not found: paths`), so
//!   every answer holding a stream failed. Each reference that closes a cycle becomes `{}`
//!   (any value); the types at those places are unions, which keep any value they do not
//!   know as it came.
//!
//! Only the spec served to such a mock is changed; the client is generated from the spec as
//! Kibana publishes it.

use super::{Change, for_each_object, schema_ref_name};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The most items an array of a generated answer is allowed to have.
pub const MAX_ITEMS: u64 = 50;

/// The component schemas `schema` refers to, each with the pointer (inside `schema`) of the
/// reference, in document order.
fn references(schema: &Value, at: &mut String, out: &mut Vec<(String, String)>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_ref_name)
            {
                out.push((name.to_string(), at.clone()));
            }
            for (key, child) in map {
                if key == "example" || key == "examples" {
                    continue;
                }
                let len = at.len();
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                references(child, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                references(item, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// The references that close a cycle among the component schemas (a depth-first walk from
/// each schema in name order: a reference to one still being walked), as (schema, pointer).
fn back_references(schemas: &Map<String, Value>) -> Vec<(String, String)> {
    let refs: BTreeMap<&str, Vec<(String, String)>> = schemas
        .iter()
        .map(|(name, s)| {
            let mut out = Vec::new();
            references(s, &mut String::new(), &mut out);
            (name.as_str(), out)
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = refs.keys().map(|k| (*k, Mark::New)).collect();
    let mut back = Vec::new();
    for root in refs.keys() {
        if mark[root] != Mark::New {
            continue;
        }
        // (schema, next reference to look at)
        let mut work: Vec<(&str, usize)> = vec![(root, 0)];
        mark.insert(root, Mark::Open);
        while let Some((node, i)) = work.last_mut() {
            let node: &str = node;
            let Some((target, pointer)) = refs[node].get(*i) else {
                mark.insert(node, Mark::Done);
                work.pop();
                continue;
            };
            *i += 1;
            match mark.get(target.as_str()).copied() {
                Some(Mark::Open) => back.push((node.to_string(), pointer.clone())),
                Some(Mark::New) => {
                    let (key, _) = refs.get_key_value(target.as_str()).expect("marked");
                    mark.insert(key, Mark::Open);
                    work.push((key, 0));
                }
                _ => {}
            }
        }
    }
    back
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, pointer) in back_references(schemas) {
            if let Some(place) = schemas.get_mut(&name).and_then(|s| s.pointer_mut(&pointer)) {
                *place = json!({});
                changes.push(Change {
                    pass: "mock_generation",
                    at: format!("#/components/schemas/{name}{pointer}"),
                    what: "a reference closing a cycle: any value, for the mock".to_string(),
                });
            }
        }
    }
    for_each_object(spec, &mut |at, map| {
        if let Some(n) = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .filter(|n| *n > MAX_ITEMS)
        {
            map.insert("maxItems".into(), MAX_ITEMS.into());
            changes.push(Change {
                pass: "mock_generation",
                at: at.to_string(),
                what: format!("maxItems {n}: {MAX_ITEMS} for the mock"),
            });
        }
        if map.contains_key("pattern") && map.contains_key("format") {
            let format = map.remove("format");
            changes.push(Change {
                pass: "mock_generation",
                at: at.to_string(),
                what: format!(
                    "format {} beside a pattern: dropped for the mock",
                    format.unwrap_or_default()
                ),
            });
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn limits_and_formats_a_generator_chokes_on() {
        let mut s = spec(
            r#"
components:
  schemas:
    Status:
      properties:
        versions: {type: array, maxItems: 10000, items: {type: string}}
        few: {type: array, maxItems: 3, items: {type: string}}
        seen: {type: string, format: date-time, pattern: '^\d{4}-\d\d-\d\dT\d\d:\d\dZ$'}
        at: {type: string, format: date-time}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        let p = "/components/schemas/Status/properties";
        assert_eq!(at(&s, &format!("{p}/versions/maxItems")), MAX_ITEMS);
        assert_eq!(at(&s, &format!("{p}/few/maxItems")), 3);
        assert!(s.pointer(&format!("{p}/seen/format")).is_none());
        assert_eq!(at(&s, &format!("{p}/at/format")), "date-time");
    }

    #[test]
    fn references_that_close_a_cycle_become_any_value() {
        let mut s = spec(
            r#"
components:
  schemas:
    Condition:
      anyOf:
        - {type: object, properties: {field: {type: string}}}
        - {type: object, properties: {and: {type: array, items: {$ref: '#/components/schemas/Condition'}}}}
        - {type: object, properties: {not: {$ref: '#/components/schemas/Block'}}}
    Block:
      properties:
        where: {$ref: '#/components/schemas/Condition'}
        name: {$ref: '#/components/schemas/Name'}
    Name: {type: string}
    Uses:
      properties:
        a: {$ref: '#/components/schemas/Condition'}
        b: {$ref: '#/components/schemas/Condition'}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        let c = "/components/schemas/Condition/anyOf";
        assert_eq!(at(&s, &format!("{c}/1/properties/and/items")), &json!({}));
        // Block -> Condition -> Block (walked from Block, first by name): the way back is
        // cut, the way there kept.
        assert_eq!(
            at(&s, "/components/schemas/Block/properties/where/$ref"),
            "#/components/schemas/Condition"
        );
        assert_eq!(at(&s, &format!("{c}/2/properties/not")), &json!({}));
        // References that close no cycle stay.
        assert_eq!(
            at(&s, "/components/schemas/Uses/properties/b/$ref"),
            "#/components/schemas/Condition"
        );
    }
}
