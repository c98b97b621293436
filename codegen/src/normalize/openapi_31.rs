//! OpenAPI 3.1 documents as 3.0. Kibana publishes 3.0, but a spec may come as 3.1 (a newer
//! Kibana, or one converted by a tool), which progenitor refuses whole. 3.1 schemas are JSON
//! Schema 2020-12; what they write differently from 3.0 is rewritten into the 3.0 form:
//! - `type: [T, "null"]` is `type: T` with `nullable: true`; several types are an `anyOf` of
//!   one member per type, each with the keywords that apply to its type;
//! - a `{type: "null"}` member of `oneOf`/`anyOf` is left to `null_members`, which also reads
//!   3.0 documents' null members;
//! - `const: v` is `enum: [v]`; `examples: [a, ...]` in a schema is `example: a`;
//! - a numeric `exclusiveMinimum`/`exclusiveMaximum` is the bound with the 3.0 boolean;
//! - `contentMediaType`/`contentEncoding` on a string (a file's bytes) is `format: binary`;
//! - the document's `jsonSchemaDialect` and `webhooks` (nothing a client calls) are dropped.
//!
//! Any other version than 3.0 or 3.1 is left as it is, for progenitor to refuse.

use super::Change;
use serde_json::{Map, Value, json};

/// The keywords of numbers and integers.
const NUMERIC: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Keywords that apply to one JSON type only, moved into that type's member of an `anyOf`.
const TYPE_KEYWORDS: &[(&str, &[&str])] = &[
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
    ),
    ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
    ("string", &["minLength", "maxLength", "pattern", "format"]),
    ("number", NUMERIC),
    ("integer", NUMERIC),
];

pub fn run(spec: &mut Value) -> Vec<Change> {
    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.1") {
        return Vec::new();
    }
    let mut changes = vec![Change {
        pass: "openapi_31",
        at: "/openapi".into(),
        what: format!("OpenAPI {version} read as 3.0.3"),
    }];
    let doc = spec
        .as_object_mut()
        .expect("a document with a version is an object");
    doc.insert("openapi".into(), json!("3.0.3"));
    for key in ["jsonSchemaDialect", "webhooks"] {
        if doc.remove(key).is_some() {
            changes.push(Change {
                pass: "openapi_31",
                at: format!("/{key}"),
                what: "dropped (no 3.0 equivalent a client uses)".into(),
            });
        }
    }
    super::for_each_object(spec, &mut |at, map| {
        let mut did = Vec::new();
        if map.get("type").is_some_and(Value::is_array) {
            type_list(map);
            did.push("type list");
        }
        if let Some(value) = map.remove("const") {
            map.insert("enum".into(), json!([value]));
            did.push("const");
        }
        // A schema's examples are a list; a media type's or parameter's are a map, and stay.
        if map.get("examples").is_some_and(Value::is_array)
            && let Some(Value::Array(mut examples)) = map.remove("examples")
        {
            if !examples.is_empty() && !map.contains_key("example") {
                map.insert("example".into(), examples.swap_remove(0));
            }
            did.push("examples");
        }
        for (exclusive, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
                map.insert(bound.into(), n);
                map.insert(exclusive.into(), Value::Bool(true));
                did.push(exclusive);
            }
        }
        let media = map.remove("contentMediaType").is_some();
        let encoding = map.remove("contentEncoding").is_some();
        if (media || encoding) && map.get("type").and_then(Value::as_str) == Some("string") {
            map.entry("format").or_insert(json!("binary"));
            did.push("content media type");
        }
        if !did.is_empty() {
            changes.push(Change {
                pass: "openapi_31",
                at: at.to_string(),
                what: did.join(", "),
            });
        }
    });
    changes
}

/// `type: [..]`: one type and `nullable`, or an `anyOf` of one member per type.
fn type_list(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.remove("type") else {
        return;
    };
    let mut kinds: Vec<String> = types
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let before = kinds.len();
    kinds.retain(|t| t != "null");
    if kinds.len() < before {
        map.insert("nullable".into(), Value::Bool(true));
    }
    // `integer` with `number` is `number`: every integer is one.
    if kinds.iter().any(|k| k == "number") {
        kinds.retain(|k| k != "integer");
    }
    // A repeated type would be a second, unreachable member: keep its first.
    let mut seen = std::collections::HashSet::new();
    kinds.retain(|k| seen.insert(k.clone()));
    match kinds.as_slice() {
        [] => {
            // Only `null`: the one value it allows.
            map.insert("enum".into(), json!([null]));
        }
        [one] => {
            map.insert("type".into(), json!(one));
        }
        many => {
            let members = many
                .iter()
                .map(|kind| {
                    let mut member = Map::new();
                    member.insert("type".into(), json!(kind));
                    let keywords = TYPE_KEYWORDS
                        .iter()
                        .filter(|(k, _)| k == kind)
                        .flat_map(|(_, words)| words.iter());
                    for word in keywords {
                        if let Some(v) = map.get(*word) {
                            member.insert((*word).to_string(), v.clone());
                        }
                    }
                    Value::Object(member)
                })
                .collect();
            for (_, words) in TYPE_KEYWORDS {
                for word in *words {
                    map.remove(*word);
                }
            }
            map.insert("anyOf".into(), Value::Array(members));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_after(schema: Value) -> Value {
        let mut spec = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {"S": schema}}
        });
        run(&mut spec);
        assert_eq!(spec["openapi"], "3.0.3");
        spec["components"]["schemas"]["S"].take()
    }

    #[test]
    fn type_lists() {
        assert_eq!(
            schema_after(json!({"type": ["string", "null"], "maxLength": 3})),
            json!({"type": "string", "nullable": true, "maxLength": 3})
        );
        assert_eq!(
            schema_after(json!({"type": ["integer", "number"]})),
            json!({"type": "number"})
        );
        assert_eq!(
            schema_after(json!({"type": ["string", "number", "string", "null", "number"]})),
            json!({
                "nullable": true,
                "anyOf": [{"type": "string"}, {"type": "number"}]
            })
        );
        assert_eq!(
            schema_after(json!({"type": ["null"]})),
            json!({"nullable": true, "enum": [null]})
        );
        assert_eq!(
            schema_after(json!({
                "type": ["string", "array", "null"],
                "items": {"type": "string"},
                "maxLength": 250,
                "description": "one id or several"
            })),
            json!({
                "nullable": true,
                "description": "one id or several",
                "anyOf": [
                    {"type": "string", "maxLength": 250},
                    {"type": "array", "items": {"type": "string"}}
                ]
            })
        );
    }

    #[test]
    fn const_examples_bounds_and_files() {
        assert_eq!(
            schema_after(json!({"type": "string", "const": "agent"})),
            json!({"type": "string", "enum": ["agent"]})
        );
        assert_eq!(
            schema_after(json!({"type": "integer", "examples": [5, 6], "exclusiveMinimum": 0})),
            json!({"type": "integer", "example": 5, "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            schema_after(json!({"type": "string", "contentMediaType": "application/zip"})),
            json!({"type": "string", "format": "binary"})
        );
    }

    #[test]
    fn only_31_documents_change() {
        for version in ["3.0.3", "2.0", "4.0.0"] {
            let mut spec = json!({
                "openapi": version,
                "components": {"schemas": {"S": {"type": ["string", "null"]}}}
            });
            let before = spec.clone();
            assert!(run(&mut spec).is_empty());
            assert_eq!(spec, before);
        }
        // Media-type examples are a map, not a schema's list, and stay.
        let mut spec = json!({
            "openapi": "3.1.0",
            "webhooks": {},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"examples": {"one": {"value": 1}}}
            }}}}}}
        });
        run(&mut spec);
        assert!(spec.get("webhooks").is_none());
        assert_eq!(
            spec.pointer(
                "/paths/~1a/get/responses/200/content/application~1json/examples/one/value"
            ),
            Some(&json!(1))
        );
    }
}
