//! String enums whose values cannot all be Rust variant names. typify names a variant from its
//! value's letters and digits, and panics ("Failed to make unique variant names") when values
//! such as `<`, `<=`, `>` and `>=` leave nothing, or the same thing twice. Such an enum becomes
//! a plain string (its values listed in the description): the operation is generated instead
//! of skipped, and any value Kibana sends still decodes. The values stay in `x-kbn-enum`, for
//! the mock and the tests to send one Kibana accepts.

use super::Change;
use heck::ToPascalCase;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        let is_string = map.get("type").and_then(Value::as_str) == Some("string");
        if let Some(values) = map.get("enum").and_then(Value::as_array).cloned()
            && is_string
            && !nameable(&values)
        {
            map.remove("enum");
            let listed: Vec<String> = values.iter().map(ToString::to_string).collect();
            let note = format!("One of {}.", listed.join(", "));
            let description = match map.get("description").and_then(Value::as_str) {
                Some(d) => format!("{d} {note}"),
                None => note,
            };
            map.insert("description".into(), json!(description));
            map.insert("x-kbn-enum".into(), Value::Array(values));
            changes.push(Change {
                pass: "enum_names",
                at: at.to_string(),
                what: format!(
                    "enum {} has values no Rust name can tell apart: a string",
                    listed.join(" ")
                ),
            });
        }
    });
    changes
}

/// Whether typify can name a variant for every value.
fn nameable(values: &[Value]) -> bool {
    let mut seen = BTreeSet::new();
    values.iter().filter(|v| !v.is_null()).all(|v| {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        // typify names a value without letters or digits `X`; two such values collide.
        let name = cleaned.to_pascal_case();
        seen.insert(if name.is_empty() {
            "X".to_string()
        } else {
            name
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::spec;

    #[test]
    fn symbol_enums_become_strings() {
        let mut s = spec(
            r#"
components:
  schemas:
    Op: {type: string, enum: ['<', '<=', '>', '>=']}
    Same: {type: string, enum: [a-b, a_b]}
    Fine: {type: string, enum: [GT, GTE, LT]}
    OneEmpty: {type: string, enum: [input, output, '']}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert!(s.pointer("/components/schemas/Op/enum").is_none());
        assert!(
            s["components"]["schemas"]["Op"]["description"]
                .as_str()
                .unwrap()
                .contains("\"<=\"")
        );
        assert!(s.pointer("/components/schemas/Same/enum").is_none());
        assert_eq!(
            s["components"]["schemas"]["Same"]["x-kbn-enum"],
            json!(["a-b", "a_b"])
        );
        assert!(s.pointer("/components/schemas/Fine/enum").is_some());
        assert!(s.pointer("/components/schemas/OneEmpty/enum").is_some());
    }
}
