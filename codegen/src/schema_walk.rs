//! A schema as the flat list of its fields (`items[].owner`), each with its type, whether it
//! is required and its enum values: what `spec-diff` compares.

use crate::normalize::resolve;
use serde_json::Value;
use std::collections::BTreeMap;

/// One field of a schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Field {
    /// `string`, `integer`, `array`, `object`, a union of them...
    pub ty: String,
    pub required: bool,
    /// Its enum values, as text.
    pub values: Vec<String>,
}

/// A schema's type in a few words.
pub fn type_of(spec: &Value, schema: &Value) -> String {
    let s = resolve(spec, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = s.get(key).and_then(Value::as_array) {
            let mut tys: Vec<String> = members.iter().map(|m| type_of(spec, m)).collect();
            tys.sort();
            tys.dedup();
            return tys.join(" | ");
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            type_of(spec, s.get("items").unwrap_or(&Value::Null))
        ),
        Some(t) => t.to_string(),
        None if s.get("properties").is_some() || s.get("allOf").is_some() => "object".into(),
        None => "any".into(),
    }
}

/// Every field of `schema`, nested ones as `a.b` and array items as `a[].b`.
pub fn fields(spec: &Value, schema: &Value) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    walk(spec, schema, "", &mut out, 0);
    out
}

fn walk(
    spec: &Value,
    schema: &Value,
    prefix: &str,
    out: &mut BTreeMap<String, Field>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let s = resolve(spec, schema);
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for member in all {
            walk(spec, member, prefix, out, depth + 1);
        }
    }
    if s.get("type").and_then(Value::as_str) == Some("array") {
        walk(
            spec,
            s.get("items").unwrap_or(&Value::Null),
            &format!("{prefix}[]"),
            out,
            depth + 1,
        );
        return;
    }
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, prop) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{}.{name}", prefix.trim_start_matches('.'))
        };
        let path = path.replace(".[]", "[]");
        let resolved = resolve(spec, prop);
        let values = resolved
            .get("enum")
            .and_then(Value::as_array)
            .map(|e| {
                e.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            path.clone(),
            Field {
                ty: type_of(spec, prop),
                required: required.contains(&name.as_str()),
                values,
            },
        );
        walk(spec, prop, &path, out, depth + 1);
    }
}
