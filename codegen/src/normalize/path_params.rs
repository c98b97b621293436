//! Path parameters that match the path's template. OpenAPI wants each `{name}` of a path
//! declared as a required `in: path` parameter, and progenitor refuses an operation otherwise
//! (it skipped it). Kibana's spec has paths whose parameters are not declared (the dashboards'
//! and visualizations' redirect stubs, `/api/dashboards/{id}`, declare none). So:
//! - a name of the template that no parameter declares becomes a required string parameter;
//! - a path parameter is required (a path cannot leave one out);
//! - a path parameter the template does not name is dropped (it could never be sent).

use super::{Change, METHODS, op_name};
use serde_json::{Map, Value, json};

/// The names between braces in a path template, in order, each once.
fn template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    names
}

fn path_param_name(param: &Value) -> Option<&str> {
    (param.get("in").and_then(Value::as_str) == Some("path"))
        .then(|| param.get("name").and_then(Value::as_str))
        .flatten()
}

/// Drops the path parameters of `params` the template does not name, makes the rest required;
/// returns the names it declares.
fn repair(
    params: &mut Value,
    names: &[String],
    at: &str,
    changes: &mut Vec<Change>,
) -> Vec<String> {
    let Some(list) = params.as_array_mut() else {
        return Vec::new();
    };
    list.retain(|p| match path_param_name(p) {
        Some(name) if !names.iter().any(|n| n == name) => {
            changes.push(Change {
                pass: "path_params",
                at: at.to_string(),
                what: format!("dropped path parameter {name}: the path does not name it"),
            });
            false
        }
        _ => true,
    });
    let mut declared = Vec::new();
    for param in list.iter_mut() {
        let Some(name) = path_param_name(param).map(str::to_string) else {
            continue;
        };
        if param.get("required") != Some(&Value::Bool(true)) {
            param["required"] = Value::Bool(true);
            changes.push(Change {
                pass: "path_params",
                at: at.to_string(),
                what: format!("path parameter {name} is required"),
            });
        }
        declared.push(name);
    }
    declared
}

fn operation(
    op: &mut Map<String, Value>,
    names: &[String],
    shared: &[String],
    at: &str,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let had_params = op.contains_key("parameters");
    let params = op
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !params.is_array() {
        *params = Value::Array(Vec::new());
    }
    let declared = repair(params, names, at, &mut changes);
    let list = params.as_array_mut().expect("made an array above");
    for name in names {
        if declared.contains(name) || shared.contains(name) {
            continue;
        }
        list.push(
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
        );
        changes.push(Change {
            pass: "path_params",
            at: at.to_string(),
            what: format!("declared path parameter {name}, which the path names, as a string"),
        });
    }
    if list.is_empty() && !had_params {
        op.remove("parameters");
    }
    changes
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return changes;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let names = template_names(path);
        let shared = match item.get_mut("parameters") {
            Some(params) => repair(params, &names, path, &mut changes),
            None => Vec::new(),
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                let at = op_name(path, method, op);
                changes.extend(operation(op, &names, &shared, &at));
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
    fn template_names_in_order_each_once() {
        assert_eq!(
            template_names("/api/{a}/x/{b}/{a}"),
            ["a".to_string(), "b".to_string()]
        );
        assert!(template_names("/api/x").is_empty());
        assert!(template_names("/api/{unclosed").is_empty());
    }

    #[test]
    fn undeclared_names_are_declared_and_strays_dropped() {
        let mut s = spec(
            r#"
paths:
  /api/dashboards/{id}:
    get:
      responses: {'200': {description: ok}}
    delete:
      parameters:
        - {name: id, in: path, schema: {type: string}}
        - {name: gone, in: path, required: true, schema: {type: string}}
        - {name: force, in: query, schema: {type: boolean}}
      responses: {'200': {description: ok}}
  /api/things/{thingId}/parts/{partId}:
    parameters:
      - {name: thingId, in: path, required: true, schema: {type: integer}}
    get:
      responses: {'200': {description: ok}}
  /api/plain:
    get:
      responses: {'200': {description: ok}}
"#,
        );
        let changes = run(&mut s);
        let what: Vec<&str> = changes.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(what.len(), 4, "{what:?}");
        assert_eq!(
            at(&s, "/paths/~1api~1dashboards~1{id}/get/parameters"),
            &json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(
            at(&s, "/paths/~1api~1dashboards~1{id}/delete/parameters"),
            &json!([
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "force", "in": "query", "schema": {"type": "boolean"}}
            ])
        );
        // The path-level declaration serves; only the undeclared name is added.
        assert_eq!(
            at(
                &s,
                "/paths/~1api~1things~1{thingId}~1parts~1{partId}/get/parameters"
            ),
            &json!([{"name": "partId", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert!(at(&s, "/paths/~1api~1plain/get/parameters").is_null());
        assert!(run(&mut s).is_empty(), "a second run changes nothing");
    }
}
