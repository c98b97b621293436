//! Paging counters as integers. Kibana declares `page`, `perPage`, `total` and the like
//! `type: number`, so a client would send `page=2.0` and users would write `total as usize`;
//! they are whole numbers, and this pass makes such query parameters and schema properties
//! `type: integer`. Kibana's answers sometimes write them `42.0`: the generated structs read
//! integer fields through `crate::de::Whole`, which accepts that and rejects a fraction.

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

/// Schema property names that count pages or items.
const PROPERTY_COUNTERS: &[&str] = &[
    "total",
    "page",
    "perPage",
    "per_page",
    "pageSize",
    "page_size",
    "page_index",
    "pageIndex",
    "count",
    "totalCount",
    "total_count",
];

/// Makes `type: number` properties named as counters (with no fractional `format`) integers,
/// in every schema of the spec.
fn properties(value: &mut Value, at: &str, changes: &mut Vec<Change>) {
    match value {
        Value::Object(map) => {
            if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
                for (name, schema) in props.iter_mut() {
                    let is_number = schema.get("type").and_then(Value::as_str) == Some("number")
                        && schema.get("format").is_none();
                    if PROPERTY_COUNTERS.contains(&name.as_str()) && is_number {
                        schema["type"] = json!("integer");
                        changes.push(Change {
                            pass: "integer_counters",
                            at: at.to_string(),
                            what: format!("property {name} is a whole number: number -> integer"),
                        });
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    properties(child, at, changes);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| properties(i, at, changes)),
        _ => {}
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(paths) = spec.get_mut("paths") {
        properties(paths, "paths", &mut changes);
    }
    if let Some(schemas) = spec.pointer_mut("/components/schemas") {
        properties(schemas, "components/schemas", &mut changes);
    }
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
        let mut r = spec(
            r#"
components:
  schemas:
    Page:
      properties:
        total: {type: number}
        ratio: {type: number}
        perPage: {type: number, format: double}
        nested: {properties: {page: {type: number}}}
"#,
        );
        assert_eq!(run(&mut r).len(), 2);
        assert_eq!(
            at(&r, "/components/schemas/Page/properties/total/type"),
            "integer"
        );
        assert_eq!(
            at(&r, "/components/schemas/Page/properties/ratio/type"),
            "number"
        );
        assert_eq!(
            at(&r, "/components/schemas/Page/properties/perPage/type"),
            "number"
        );
        assert_eq!(
            at(
                &r,
                "/components/schemas/Page/properties/nested/properties/page/type"
            ),
            "integer"
        );
        assert_eq!(at(&s, "/paths/~1a/get/parameters/0/schema/type"), "integer");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/1/schema/default"), 20);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/2/schema/type"), "number");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/3/schema/type"), "number");
    }
}
