//! Names the items of described listings whose spec writes them inline (Kibana's APM source
//! maps: `artifacts: {type: array, items: {allOf: [...]}}`): each such item schema moves into
//! `components/schemas` as `{response}_{items}_item`, the name typify would have given it, so
//! the paginator can name its item type. Items that already are a `$ref`, and items typify
//! would not make a named type of (a string, a number), are left as they are.

use crate::pagination::Description;
use heck::ToSnakeCase;
use serde_json::{Value, json};

/// Moves the inline item schemas of `descriptions`' listings into components; returns a line
/// per schema moved (`operation: items `field` named Name`).
pub fn run(spec: &mut Value, descriptions: &[Description]) -> Vec<String> {
    let mut moved = Vec::new();
    for d in descriptions {
        let Some(response) = response_schema(spec, &d.operation) else {
            continue;
        };
        let Some(schemas) = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let wanted = format!("{response}_{}_item", d.items.to_snake_case());
        let mut name = wanted.clone();
        let mut n = 2;
        while schemas.contains_key(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        let Some(items) = schemas
            .get_mut(&response)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(&d.items))
            .and_then(|f| f.get_mut("items"))
            .filter(|i| names_a_type(i))
        else {
            continue;
        };
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        let schema = std::mem::replace(items, reference);
        schemas.insert(name.clone(), schema);
        moved.push(format!("{}: items `{}` named {name}", d.operation, d.items));
    }
    moved
}

/// The component name of the operation's success type, following `$ref`s between components.
fn response_schema(spec: &Value, rust_method: &str) -> Option<String> {
    let mut name = crate::pagination::find_operation(spec, rust_method)?
        .pointer("/x-kbn-types/response/$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")?
        .to_string();
    // A bounded walk: a cycle of `$ref`s between components is left to the generator's errors.
    for _ in 0..8 {
        let schema = spec.pointer("/components/schemas")?.get(&name)?;
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(next) => name = next.to_string(),
            None => return Some(name),
        }
    }
    None
}

/// Whether typify makes a named type of this inline schema (an object or a composition).
fn names_a_type(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && (schema.get("type") == Some(&json!("object"))
            || ["properties", "allOf", "oneOf", "anyOf"]
                .iter()
                .any(|k| schema.get(k).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(operation: &str, items: &str) -> Description {
        serde_yaml::from_str(&format!(
            "{{operation: {operation}, page: {{param: page}}, items: {items}}}"
        ))
        .unwrap()
    }

    #[test]
    fn inline_items_get_a_component_and_the_rest_stay() {
        let mut spec = json!({
            "paths": {
                "/maps": {"get": {"operationId": "get_maps", "x-kbn-types": {"response": {"$ref": "#/components/schemas/Alias"}}}},
                "/names": {"get": {"operationId": "get_names", "x-kbn-types": {"response": {"$ref": "#/components/schemas/Names"}}}},
                "/refs": {"get": {"operationId": "get_refs", "x-kbn-types": {"response": {"$ref": "#/components/schemas/Refs"}}}}
            },
            "components": {"schemas": {
                "Alias": {"$ref": "#/components/schemas/Maps"},
                "Maps": {"type": "object", "properties": {"artifacts": {"type": "array", "items": {"allOf": [{"type": "object", "properties": {"id": {"type": "string"}}}]}}}},
                "Maps_artifacts_item": {"type": "string"},
                "Names": {"type": "object", "properties": {"names": {"type": "array", "items": {"type": "string"}}}},
                "Refs": {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Maps"}}}}
            }}
        });
        let moved = run(
            &mut spec,
            &[
                description("get_maps", "artifacts"),
                description("get_names", "names"),
                description("get_refs", "data"),
                description("absent", "data"),
            ],
        );
        assert_eq!(
            moved,
            ["get_maps: items `artifacts` named Maps_artifacts_item2"]
        );
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Maps"]["properties"]["artifacts"]["items"],
            json!({"$ref": "#/components/schemas/Maps_artifacts_item2"})
        );
        assert_eq!(
            schemas["Maps_artifacts_item2"]["allOf"][0]["properties"]["id"],
            json!({"type": "string"})
        );
        assert_eq!(
            schemas["Names"]["properties"]["names"]["items"],
            json!({"type": "string"})
        );
        assert_eq!(
            schemas["Refs"]["properties"]["data"]["items"],
            json!({"$ref": "#/components/schemas/Maps"})
        );
    }
}
