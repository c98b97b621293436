//! Paging counters as integers on the request side. Kibana declares `page`, `perPage` and the like
//! `type: number`, so a client would send `page=2.0`; they are whole numbers, and this pass makes
//! such query parameters `type: integer`. Response counters stay numbers: Kibana's own examples
//! answer `"page": 42.0`, which an integer type would reject.

use super::{Change, for_each_operation, op_name};
use serde_json::{Value, json};

/// Query parameter names that count pages or items.
const COUNTERS: &[&str] = &[
    "page",
    "perPage",
    "per_page",
    "pageSize",
    "page_size",
    "page_index",
    "pageIndex",
    "size",
    "from",
    "batchSize",
];

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            return;
        };
        for param in params {
            let is_counter = param.get("in").and_then(Value::as_str) == Some("query")
                && param
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| COUNTERS.contains(&n));
            let Some(schema) = param.get_mut("schema").filter(|_| is_counter) else {
                continue;
            };
            if schema.get("type").and_then(Value::as_str) == Some("number") {
                schema["type"] = json!("integer");
                changes.push(Change {
                    pass: "integer_counters",
                    at: at.clone(),
                    what: format!(
                        "query parameter {} is a whole number: number -> integer",
                        param["name"].as_str().unwrap_or_default()
                    ),
                });
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
    fn query_counters_only() {
        let mut s = spec(
            r#"
paths:
  /a:
    get:
      parameters:
        - {name: page, in: query, schema: {type: number}}
        - {name: perPage, in: query, schema: {type: number, default: 20}}
        - {name: ratio, in: query, schema: {type: number}}
        - {name: page, in: header, schema: {type: number}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/0/schema/type"), "integer");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/1/schema/default"), 20);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/2/schema/type"), "number");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/3/schema/type"), "number");
    }
}
