//! Operation ids that are valid, unique Rust method names, stable across regenerations.
//! Kibana's ids can be missing, path-like (`get-fleet-agents-agentid`), or collide once
//! snake_cased (`get-foo` and `getFoo`). Each operation gets the snake_case form of its id; a
//! missing id is made from the method and path; a collision gets a numeric suffix in document
//! order. Kibana's own id is kept in `x-kbn-operation-id` for the manifest.

use super::{Change, for_each_operation, op_label};
use heck::ToSnakeCase;
use serde_json::Value;
use std::collections::BTreeSet;

pub const ORIGINAL_ID: &str = "x-kbn-operation-id";
/// Set on operations that had no id, whose `operationId` this pass made up.
const MADE_UP: &str = "x-kbn-operation-id-generated";

pub use crate::names::method_name as rust_name;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut taken = BTreeSet::new();
    for_each_operation(spec, |path, method, op| {
        // A name this pass made up on an earlier run is not Kibana's id.
        let made_up = op.get(MADE_UP).and_then(Value::as_bool).unwrap_or(false);
        let original = op
            .get(ORIGINAL_ID)
            .or_else(|| op.get("operationId").filter(|_| !made_up))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string);
        let base = rust_name(original.as_deref().unwrap_or(&format!("{method} {path}")));
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let label = op_label(path, method);
        match &original {
            None => changes.push(Change {
                pass: "operation_ids",
                at: label,
                what: format!("no operationId; named it {name}"),
            }),
            Some(o) if name != base => changes.push(Change {
                pass: "operation_ids",
                at: label,
                what: format!(
                    "{o:?} collides with an earlier operation once snake_cased; renamed {name}"
                ),
            }),
            Some(o) if rust_name(o) != o.to_snake_case() => changes.push(Change {
                pass: "operation_ids",
                at: label,
                what: format!("{o:?} is not a valid method name; renamed {name}"),
            }),
            Some(_) => {}
        }
        match original {
            Some(o) => op.insert(ORIGINAL_ID.to_string(), Value::String(o)),
            None => op.insert(MADE_UP.to_string(), Value::Bool(true)),
        };
        op.insert("operationId".to_string(), Value::String(name));
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn names() {
        assert_eq!(
            rust_name("get-fleet-agents-agentid"),
            "get_fleet_agents_agentid"
        );
        assert_eq!(rust_name("CreateConversation"), "create_conversation");
        assert_eq!(rust_name("get /api/x/{id}"), "get_api_x_id");
        assert_eq!(rust_name("type"), "type_");
        assert_eq!(rust_name("2fa"), "op_2fa");
        assert_eq!(rust_name("???"), "operation");
        assert_eq!(rust_name("new"), "new_");
    }

    #[test]
    fn missing_duplicate_and_colliding_ids() {
        let mut s = spec(
            r#"
paths:
  /foo:
    get: {operationId: get-foo}
    put: {operationId: getFoo}
    post: {}
  /bar:
    get: {operationId: get-foo}
    delete: {operationId: ''}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(at(&s, "/paths/~1foo/get/operationId"), "get_foo");
        assert_eq!(at(&s, "/paths/~1foo/put/operationId"), "get_foo_2");
        assert_eq!(at(&s, "/paths/~1foo/post/operationId"), "post_foo");
        assert_eq!(at(&s, "/paths/~1bar/get/operationId"), "get_foo_3");
        assert_eq!(at(&s, "/paths/~1bar/delete/operationId"), "delete_bar");
        assert_eq!(at(&s, "/paths/~1foo/put/x-kbn-operation-id"), "getFoo");
        assert_eq!(changes.len(), 4, "{changes:#?}");
        // Stable: a second run keeps every name.
        let again = s.clone();
        run(&mut s);
        assert_eq!(s, again);
    }

    #[test]
    fn thousand_operations_stay_unique() {
        let mut paths = serde_json::Map::new();
        for i in 0..1000 {
            // Every id collides with every other once snake_cased.
            let id = if i % 2 == 0 {
                "listThings"
            } else {
                "list-things"
            };
            paths.insert(
                format!("/t/{i}"),
                serde_json::json!({"get": {"operationId": id}}),
            );
        }
        let mut s = serde_json::json!({"paths": paths});
        let changes = run(&mut s);
        assert_eq!(changes.len(), 999);
        let mut names = BTreeSet::new();
        crate::normalize::for_each_operation(&mut s, |_, _, op| {
            names.insert(op["operationId"].as_str().unwrap().to_string());
        });
        assert_eq!(names.len(), 1000);
    }
}
