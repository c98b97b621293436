//! Every schema of the spec checked on its own, before the spec is read as `openapiv3` types.
//!
//! `openapiv3` reads a schema through untagged enums and a flattened kind: when a value deep in
//! a nested schema is malformed, every enclosing level tries each of its variants on the whole
//! subtree again, so the time grows exponentially with the depth (a broken value 33 levels down
//! took minutes). Here each schema is read alone, with its sub-schemas replaced by `{}`: each
//! node is read once, and the first malformed one is an error naming its JSON path.

use anyhow::{Result, bail};
use serde_json::{Map, Value};

/// The keywords whose values are sub-schemas: one, a map of them, or a list of them.
const ONE: [&str; 3] = ["items", "not", "additionalProperties"];
const MAP: [&str; 1] = ["properties"];
const LIST: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// Checks every schema reachable from the places OpenAPI puts them.
pub fn check(spec: &Value) -> Result<()> {
    let mut roots: Vec<(String, &Value)> = Vec::new();
    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            roots.push((format!("components.schemas.{name}"), schema));
        }
    }
    let mut containers: Vec<(String, &Value)> = Vec::new();
    for kind in ["parameters", "requestBodies", "responses", "headers"] {
        if let Some(items) = spec
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
        {
            containers.extend(
                items
                    .iter()
                    .map(|(name, v)| (format!("components.{kind}.{name}"), v)),
            );
        }
    }
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            containers.push((format!("paths.{path}"), item));
        }
    }
    for (at, container) in containers {
        find_schemas(container, &at, &mut roots);
    }
    for (at, schema) in roots {
        node(schema, &at)?;
    }
    Ok(())
}

/// The `schema` values inside an operation, parameter, body, response or header.
fn find_schemas<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}.{key}");
                // A property named `schema` of an example is no schema: examples are skipped.
                if matches!(key.as_str(), "example" | "examples") {
                    continue;
                }
                if key == "schema" {
                    out.push((here, v));
                } else {
                    find_schemas(v, &here, out);
                }
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                find_schemas(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Reads `schema` alone (sub-schemas as `{}`), then each sub-schema.
fn node(schema: &Value, at: &str) -> Result<()> {
    let Value::Object(map) = schema else {
        bail!("not a valid OpenAPI 3.0 document at {at}: a schema is an object, found {schema}");
    };
    let mut shallow = Map::new();
    let mut children: Vec<(String, &Value)> = Vec::new();
    for (key, value) in map {
        let k = key.as_str();
        let stub = match value {
            Value::Object(_) if ONE.contains(&k) => {
                children.push((format!("{at}.{key}"), value));
                Value::Object(Map::new())
            }
            Value::Object(props) if MAP.contains(&k) => {
                let mut stubs = Map::new();
                for (name, sub) in props {
                    children.push((format!("{at}.{key}.{name}"), sub));
                    stubs.insert(name.clone(), Value::Object(Map::new()));
                }
                Value::Object(stubs)
            }
            Value::Array(members) if LIST.contains(&k) => {
                let mut stubs = Vec::new();
                for (i, sub) in members.iter().enumerate() {
                    children.push((format!("{at}.{key}[{i}]"), sub));
                    stubs.push(Value::Object(Map::new()));
                }
                Value::Array(stubs)
            }
            _ => value.clone(),
        };
        shallow.insert(key.clone(), stub);
    }
    if let Err(e) =
        serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(Value::Object(shallow))
    {
        bail!("not a valid OpenAPI 3.0 document at {at}: {e}");
    }
    for (here, child) in children {
        node(child, &here)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(depth: usize, bottom: Value) -> Value {
        let mut deep = bottom;
        for n in 0..depth {
            deep = json!({"type": "object", "properties": {format!("level{n}"): deep}});
        }
        deep
    }

    #[test]
    fn a_broken_value_deep_down_is_named_at_once() {
        let spec = json!({"components": {"schemas": {"Deep": nested(40, json!(42))}}});
        let started = std::time::Instant::now();
        let err = format!("{:#}", check(&spec).unwrap_err());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert!(
            err.contains("components.schemas.Deep.properties.level39.properties.level38")
                && err.ends_with("a schema is an object, found 42"),
            "{err}"
        );
        // The same depth, well formed, passes.
        let spec =
            json!({"components": {"schemas": {"Deep": nested(40, json!({"type": "string"}))}}});
        assert!(check(&spec).is_ok());
    }

    #[test]
    fn schemas_in_operations_and_keyword_types_are_checked() {
        let spec = json!({"paths": {"/x": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"a": {"allOf": [{"type": "string"}, {"type": 7}]}}
            }, "examples": {"e": {"value": {"schema": 1}}}}}},
            "responses": {}
        }}}});
        let err = format!("{:#}", check(&spec).unwrap_err());
        assert!(
            err.contains(
                "paths./x.post.requestBody.content.application/json.schema.properties.a.allOf[1]"
            ),
            "{err}"
        );
        let ok = json!({"paths": {"/x": {"get": {"parameters": [
            {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Q"}}
        ], "responses": {}}}}, "components": {"schemas": {"Q": {"type": "string", "enum": ["a"]}}}});
        assert!(check(&ok).is_ok());
    }
}
