//! Drops the `kbn-xsrf` and `elastic-api-version` header parameters. Kibana declares them
//! inconsistently (missing on some writes, present on some reads); the client sends both on every
//! request, so they do not belong in operation signatures.

use super::{Change, for_each_operation, op_name};
use serde_json::Value;

const CLIENT_HEADERS: [&str; 2] = ["kbn-xsrf", "elastic-api-version"];

fn is_client_header(param: &Value) -> bool {
    param.get("in").and_then(Value::as_str) == Some("header")
        && param
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| CLIENT_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(n)))
}

fn drop_from(params: Option<&mut Value>, at: &str, changes: &mut Vec<Change>) {
    let Some(params) = params.and_then(Value::as_array_mut) else {
        return;
    };
    params.retain(|p| {
        let drop = is_client_header(p);
        if drop {
            changes.push(Change {
                pass: "xsrf_headers",
                at: at.to_string(),
                what: format!(
                    "dropped header parameter {}",
                    p["name"].as_str().unwrap_or_default()
                ),
            });
        }
        !drop
    });
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            drop_from(item.get_mut("parameters"), path, &mut changes);
        }
    }
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        drop_from(op.get_mut("parameters"), &at, &mut changes);
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn drops_only_client_headers() {
        let mut s = spec(
            r#"
paths:
  /a:
    parameters: [{name: KBN-XSRF, in: header, schema: {type: string}}]
    get:
      parameters:
        - {name: elastic-api-version, in: header, schema: {type: string}}
        - {name: kbn-xsrf, in: query, schema: {type: string}}
        - {name: x-other, in: header, schema: {type: string}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert_eq!(at(&s, "/paths/~1a/parameters"), &serde_json::json!([]));
        let left = at(&s, "/paths/~1a/get/parameters").as_array().unwrap();
        assert_eq!(
            left.len(),
            2,
            "a query parameter named kbn-xsrf and other headers stay"
        );
    }
}
