//! typify names an inline schema after its `title`. A title that is also the name of a
//! component schema (`title: Agent ID` on the values of a map, beside a component
//! `..._AgentId` that is a string) made typify give both the one name and reuse the first
//! type for the second, so a map of objects was read as a map of strings. Such a title is
//! dropped (kept in `x-kbn-title`); the schema is then named after where it sits, as every
//! untitled inline schema is.

use super::{Change, for_each_object};
use heck::ToPascalCase;
use serde_json::Value;
use std::collections::HashSet;

/// Names a component may take in Rust, each with the prefix it would lose: its whole name
/// (prefix ``) and, for each `_`-separated prefix, the rest (a domain strips prefixes such as
/// `Security_Endpoint_Management_API_`).
fn component_names(spec: &Value) -> HashSet<(String, String)> {
    let mut names = HashSet::new();
    for key in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let parts: Vec<&str> = key.split('_').collect();
        for i in 0..parts.len() {
            let rest = parts[i..].join("_");
            if !rest.is_empty() {
                names.insert((parts[..i].join("_"), rest.to_pascal_case()));
            }
        }
    }
    names
}

/// Whether `title`, on a schema inside the component `container` (none: inside an operation),
/// is what a component of the same prefix is called once the prefix is gone.
fn collides(names: &HashSet<(String, String)>, container: Option<&str>, title: &str) -> bool {
    let title = title.to_pascal_case();
    let mut prefixes = vec![String::new()];
    if let Some(c) = container {
        let parts: Vec<&str> = c.split('_').collect();
        prefixes.extend((1..parts.len()).map(|i| parts[..i].join("_")));
    }
    prefixes
        .into_iter()
        .any(|p| names.contains(&(p, title.clone())))
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let names = component_names(spec);
    let mut changes = Vec::new();
    let mut visit =
        |container: Option<&str>, at: &str, map: &mut serde_json::Map<String, Value>| {
            let Some(title) = map.get("title").and_then(Value::as_str) else {
                return;
            };
            if !collides(&names, container, title) {
                return;
            }
            let title = title.to_string();
            map.remove("title");
            map.insert("x-kbn-title".to_string(), Value::String(title.clone()));
            changes.push(Change {
                pass: "inline_titles",
                at: at.to_string(),
                what: format!("title `{title}` is a component's name: dropped"),
            });
        };
    // Inline schemas only: a component's own title does not name its type.
    if let Some(paths) = spec.get_mut("paths") {
        for_each_object(paths, &mut |at, map| visit(None, at, map));
    }
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if let Some(obj) = schema.as_object_mut() {
                for (key, child) in obj.iter_mut() {
                    if key != "example" && key != "examples" {
                        for_each_object(child, &mut |at, map| visit(Some(name), at, map));
                    }
                }
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn titles_that_name_a_component_are_dropped() {
        let mut s = spec(
            r#"
components:
  schemas:
    Area_API_AgentId: {type: string, title: Agent ID}
    Other_count: {type: integer}
    Area_API_Details:
      type: object
      properties:
        outputs:
          type: object
          additionalProperties: {title: Agent ID, type: object, properties: {content: {type: string}}}
        count: {title: Count, type: object}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let values = "/components/schemas/Area_API_Details/properties/outputs/additionalProperties";
        assert!(s.pointer(&format!("{values}/title")).is_none());
        assert_eq!(at(&s, &format!("{values}/x-kbn-title")), "Agent ID");
        // A component's own title, and a title naming a component of another area, stay.
        assert_eq!(
            at(&s, "/components/schemas/Area_API_AgentId/title"),
            "Agent ID"
        );
        assert_eq!(
            at(
                &s,
                "/components/schemas/Area_API_Details/properties/count/title"
            ),
            "Count"
        );
    }
}
