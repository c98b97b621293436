//! Query parameters progenitor can send. It serializes scalars and arrays of scalars, and
//! panics on anything else. Kibana's find operations declare `search_fields` as
//! "an array of strings or one string" (the array form: one value is an array of one, and the
//! wire is the same) and `has_reference` as an object (sent JSON-encoded, as Kibana's routes
//! parse it: a `string` here).

use super::{Change, for_each_operation, op_name, resolve};
use serde_json::{Value, json};

pub fn run(spec: &mut Value) -> Vec<Change> {
    let snapshot = spec.clone();
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            return;
        };
        for p in params.iter_mut().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            let schema = resolve(&snapshot, &p["schema"]).clone();
            let members = schema
                .get("anyOf")
                .or_else(|| schema.get("oneOf"))
                .and_then(Value::as_array);
            let replacement = if let Some(members) = members {
                let array = members
                    .iter()
                    .find(|m| {
                        resolve(&snapshot, m).get("type").and_then(Value::as_str) == Some("array")
                    })
                    .cloned();
                Some(array.unwrap_or_else(|| json!({"type": "string"})))
            } else if schema.get("type").and_then(Value::as_str) == Some("object")
                || schema.get("properties").is_some()
            {
                Some(json!({"type": "string", "description": "JSON-encoded."}))
            } else {
                None
            };
            if let Some(new) = replacement {
                changes.push(Change {
                    pass: "query_params",
                    at: at.clone(),
                    what: format!(
                        "query parameter {name}: {} (progenitor sends scalars and arrays)",
                        if new["type"] == "array" {
                            "the array form of its union"
                        } else {
                            "a JSON-encoded string"
                        }
                    ),
                });
                p["schema"] = new;
            }
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn unions_and_objects_become_what_a_query_holds() {
        let mut s = spec(
            r#"
paths:
  /a:
    get:
      parameters:
        - {name: search_fields, in: query, schema: {anyOf: [{type: array, items: {type: string}}, {type: string}]}}
        - {name: has_reference, in: query, schema: {type: object, properties: {id: {type: string}}}}
        - {name: page, in: query, schema: {type: number}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/0/schema/type"), "array");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/1/schema/type"), "string");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/2/schema/type"), "number");
    }
}
