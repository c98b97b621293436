//! Paging counters as integers. Kibana declares `page`, `perPage`, `total` and the like
//! `type: number`, so a client would send `page=2.0` and users would write `total as usize`;
//! they are whole numbers, and this pass makes such query parameters and schema properties
//! `type: integer`. Kibana's answers sometimes write them `42.0`: the generated structs read
//! integer fields through `crate::de::Whole`, which accepts that and rejects a fraction.
//! Counters Kibana declares as plain strings (the notes' `page`, the timelines' `page_index`)
//! become integers too: the wire text is the same digits, and they can be paged.

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
            let ty = schema
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_string);
            let ty = ty.as_deref();
            let free_text = ty == Some("string")
                && ["enum", "pattern", "format"]
                    .iter()
                    .all(|k| schema.get(*k).is_none());
            if ty == Some("number") || free_text {
                schema["type"] = json!("integer");
                // A default written as text (`'1'`) is the number it spells, or none.
                if let Some(d) = schema.get("default").and_then(Value::as_str) {
                    match d.parse::<i64>() {
                        Ok(n) => schema["default"] = json!(n),
                        Err(_) => {
                            if let Some(m) = schema.as_object_mut() {
                                m.remove("default");
                            }
                        }
                    }
                }
                for key in ["example", "minLength", "maxLength"] {
                    if let Some(m) = schema.as_object_mut()
                        && m.get(key)
                            .is_some_and(|v| key != "example" || v.is_string())
                    {
                        m.remove(key);
                    }
                }
                changes.push(Change {
                    pass: "integer_counters",
                    at: at.clone(),
                    what: format!(
                        "query parameter {} is a whole number: {} -> integer",
                        param["name"].as_str().unwrap_or_default(),
                        ty.unwrap_or_default()
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
        - {name: page_index, in: query, schema: {type: string, default: '1'}}
        - {name: size, in: query, schema: {type: string, enum: [small, large]}}
"#,
        );
        assert_eq!(run(&mut s).len(), 3);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/4/schema/type"), "integer");
        assert_eq!(at(&s, "/paths/~1a/get/parameters/4/schema/default"), 1);
        assert_eq!(at(&s, "/paths/~1a/get/parameters/5/schema/type"), "string");
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
