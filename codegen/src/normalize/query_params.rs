//! Query parameters progenitor can send. It serializes scalars and arrays of scalars, and
//! panics on anything else. Kibana's find operations declare `search_fields` as
//! "an array of strings or one string" (the array form: one value is an array of one, and the
//! wire is the same) and `has_reference` as an object (sent JSON-encoded, as Kibana's routes
//! parse it: a `string` here). Kibana's Security and Osquery routes publish their whole query
//! string as one object parameter named `query` (`GET /api/endpoint/action`: page, pageSize,
//! commands...), which OpenAPI's default form style sends as one parameter per property, and
//! which the routes read so: it becomes those parameters.

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
        if let Some(expanded) = whole_query(&snapshot, params) {
            changes.push(Change {
                pass: "query_params",
                at: at.clone(),
                what: format!(
                    "query parameter `query` (an object): its properties as parameters ({})",
                    expanded.join(", ")
                ),
            });
        }
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
                        let m = resolve(&snapshot, m);
                        m.get("type").and_then(Value::as_str) == Some("array")
                            && !holds_objects(&snapshot, m)
                    })
                    .cloned();
                let objects = members.iter().any(|m| {
                    let m = resolve(&snapshot, m);
                    is_object(m) || holds_objects(&snapshot, m)
                });
                Some(array.unwrap_or_else(|| {
                    if objects {
                        json!({"type": "string", "description": "JSON-encoded."})
                    } else {
                        json!({"type": "string"})
                    }
                }))
            } else if is_object(&schema) || holds_objects(&snapshot, &schema) {
                Some(json!({"type": "string", "description": "JSON-encoded."}))
            } else if schema.get("nullable") == Some(&json!(true)) {
                // typify's newtype of an `Option` could not be written into a query string.
                Some(never_null(&snapshot, &schema))
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
                        } else if schema.get("nullable").is_some() {
                            "not nullable (left out when absent)"
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

fn is_object(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        || schema.get("properties").is_some()
}

/// An array whose items are objects (or unions with an object or array member): no query
/// string form sends it, so Kibana's routes read it as JSON text, as they read an object
/// (`has_reference`: one reference, or several). Items that are one of several scalars
/// (`searchAfter`: strings and numbers) are sent one by one, as any array of scalars.
fn holds_objects(spec: &Value, schema: &Value) -> bool {
    fn nested(spec: &Value, schema: &Value, depth: usize) -> bool {
        let schema = resolve(spec, schema);
        let members = ["anyOf", "oneOf", "allOf"]
            .iter()
            .filter_map(|k| schema.get(*k)?.as_array())
            .flatten();
        is_object(schema)
            || schema.get("type").and_then(Value::as_str) == Some("array")
            || (depth < 8 && members.into_iter().any(|m| nested(spec, m, depth + 1)))
    }
    schema.get("type").and_then(Value::as_str) == Some("array")
        && schema
            .get("items")
            .is_some_and(|items| nested(spec, items, 0))
}

/// A query parameter's schema, inline and never null: a parameter left out is the absent value.
fn never_null(spec: &Value, schema: &Value) -> Value {
    let mut s = resolve(spec, schema).clone();
    if let Some(m) = s.as_object_mut() {
        m.remove("nullable");
    }
    s
}

/// Replaces an object parameter `query` (form style, exploded: OpenAPI's default) by one query
/// parameter per property, unless a name is taken. The names it added.
fn whole_query(spec: &Value, params: &mut Vec<Value>) -> Option<Vec<String>> {
    let at = params
        .iter()
        .position(|p| p["in"] == "query" && p["name"] == "query")?;
    let p = &params[at];
    let exploded =
        p.get("explode").is_none_or(|e| e == true) && p.get("style").is_none_or(|s| s == "form");
    let schema = resolve(spec, &p["schema"]);
    let props = schema
        .get("properties")?
        .as_object()
        .filter(|p| !p.is_empty())?;
    let taken = |n: &str| params.iter().any(|q| q["in"] == "query" && q["name"] == n);
    if !exploded || props.keys().any(|k| taken(k)) {
        return None;
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let added: Vec<Value> = props
        .iter()
        .map(|(name, s)| {
            let mut q = json!({"name": name, "in": "query", "schema": never_null(spec, s)});
            if required.contains(&name.as_str()) {
                q["required"] = json!(true);
            }
            if let Some(d) = q["schema"].get("description").cloned() {
                q["description"] = d;
            }
            q
        })
        .collect();
    let names = props.keys().cloned().collect();
    params.splice(at..=at, added);
    Some(names)
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
        - {name: kuery, in: query, schema: {$ref: '#/components/schemas/KueryOrUndefined'}}
        - {name: has_no_reference, in: query, schema: {anyOf: [{$ref: '#/components/schemas/Ref'}, {type: array, items: {$ref: '#/components/schemas/Ref'}}]}}
        - {name: refs, in: query, schema: {type: array, items: {$ref: '#/components/schemas/Ref'}}}
        - {name: searchAfter, in: query, schema: {type: array, items: {anyOf: [{type: string}, {type: number}]}}}
components:
  schemas:
    KueryOrUndefined: {type: string, nullable: true}
    Ref: {type: object, properties: {id: {type: string}, type: {type: string}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 5);
        // One reference or several: JSON text, the one form a query carries for either.
        for i in [4, 5] {
            let schema = s
                .pointer(&format!("/paths/~1a/get/parameters/{i}/schema"))
                .unwrap();
            assert_eq!(
                schema,
                &json!({"type": "string", "description": "JSON-encoded."})
            );
        }
        // Scalars of several kinds are sent one by one, as before.
        assert_eq!(at(&s, "/paths/~1a/get/parameters/6/schema/type"), "array");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/3/schema/type"), "string");
        assert!(
            s.pointer("/paths/~1a/get/parameters/3/schema/nullable")
                .is_none()
        );
        assert_eq!(at(&s, "/paths/~1a/get/parameters/0/schema/type"), "array");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/1/schema/type"), "string");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/2/schema/type"), "number");
    }

    #[test]
    fn a_whole_query_object_becomes_its_parameters() {
        let mut s = spec(
            r#"
paths:
  /list:
    get:
      parameters:
        - name: query
          in: query
          required: true
          schema:
            type: object
            required: [page]
            properties:
              page: {type: integer}
              commands: {type: array, items: {type: string}}
  /taken:
    get:
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: query, in: query, schema: {type: object, properties: {page: {type: integer}}}}
"#,
        );
        run(&mut s);
        let params = at(&s, "/paths/~1list/get/parameters");
        assert_eq!(params[0]["name"], "page");
        assert_eq!(params[0]["required"], true);
        assert_eq!(params[1]["name"], "commands");
        assert!(params[1].get("required").is_none());
        // A name already taken keeps the object (sent JSON-encoded).
        assert_eq!(
            at(&s, "/paths/~1taken/get/parameters/1/schema/type"),
            "string"
        );
    }
}
