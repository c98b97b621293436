//! Examples of a part of an answer that contradict their own schema. Kibana writes some
//! (a timeline filter's `negate: "false,"`, where the schema says boolean). A mock server that
//! serves examples (Prism, static mode) builds an answer without an example of its own from the
//! examples of its parts, so every answer holding such a part would be one Kibana never sends
//! and the client rightly refuses. For the mock, such an example is removed and the mock makes a
//! value of the schema. An example Prism serves whole (the answer's own schema's, or the media
//! entry's) is left: the tests expect the client to refuse it.
//!
//! Only the spec served to such a mock is changed. Only sure contradictions count: a value of
//! another JSON type than the schema's (null, an unknown enum value and a union a member of
//! which it fits do not).

use super::{Change, for_each_object, resolve};
use serde_json::Value;
use std::collections::BTreeSet;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let frozen = spec.clone();
    let served = served_whole(spec);
    let mut changes = Vec::new();
    for_each_object(spec, &mut |at, map| {
        // A media entry or parameter (their `example` is served whole or is a request's), the
        // schema an answer has itself, or one a `$ref` there names.
        if map.contains_key("schema") || served.contains(at) {
            return;
        }
        let Some(example) = map.get("example") else {
            return;
        };
        // `contradicts` reads the schema's keywords, never its `example`.
        let schema = Value::Object(map.clone());
        if contradicts(&frozen, &schema, example, 0) {
            map.remove("example");
            changes.push(Change {
                pass: "mock_examples",
                at: at.to_string(),
                what: "an example that contradicts its schema: removed for the mock".into(),
            });
        }
    });
    changes
}

/// Where the schemas Prism serves an example of whole sit, as `for_each_object` names them:
/// each media entry's schema, and the components its `$ref`s lead to.
fn served_whole(spec: &mut Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut refs = Vec::new();
    for_each_object(spec, &mut |at, map| {
        if at.contains("/content/")
            && let Some(schema) = map.get("schema")
        {
            out.insert(format!("{at}/schema"));
            refs.extend(
                schema
                    .get("$ref")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
        }
    });
    // A chain of references: each one on the way is served whole too.
    let mut seen = BTreeSet::new();
    while let Some(reference) = refs.pop() {
        let Some(pointer) = reference.strip_prefix('#') else {
            continue;
        };
        if !seen.insert(pointer.to_string()) {
            continue;
        }
        out.insert(pointer.to_string());
        if let Some(next) = spec
            .pointer(pointer)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        {
            refs.push(next.to_string());
        }
    }
    out
}

/// Whether `value` cannot be a value of `schema`: of another JSON type than it says.
fn contradicts(spec: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    let schema = resolve(spec, schema);
    if depth > 32 || value.is_null() {
        return false;
    }
    let members = |key: &str| schema.get(key).and_then(Value::as_array);
    if members("allOf")
        .is_some_and(|all| all.iter().any(|m| contradicts(spec, m, value, depth + 1)))
    {
        return true;
    }
    for key in ["oneOf", "anyOf"] {
        if members(key).is_some_and(|ms| {
            !ms.is_empty() && ms.iter().all(|m| contradicts(spec, m, value, depth + 1))
        }) {
            return true;
        }
    }
    match (schema.get("type").and_then(Value::as_str), value) {
        (Some("string"), v) => !v.is_string(),
        (Some("boolean"), v) => !v.is_boolean(),
        (Some("integer"), v) => !v.as_f64().is_some_and(|f| f.fract() == 0.0),
        (Some("number"), v) => !v.is_number(),
        (Some("array"), Value::Array(items)) => schema
            .get("items")
            .is_some_and(|i| items.iter().any(|x| contradicts(spec, i, x, depth + 1))),
        (Some("array"), _) => true,
        (Some("object") | None, Value::Object(fields)) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let others = schema.get("additionalProperties").filter(|a| a.is_object());
            fields.iter().any(|(k, v)| {
                props
                    .and_then(|p| p.get(k))
                    .or(others)
                    .is_some_and(|s| contradicts(spec, s, v, depth + 1))
            })
        }
        (Some("object"), _) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn examples_of_parts_that_contradict_their_schema_are_removed() {
        let mut s = spec(
            r##"
paths:
  /timeline:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Timeline'}
  /wrong:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Served'}
components:
  schemas:
    Timeline:
      type: object
      properties:
        filters: {type: array, items: {$ref: '#/components/schemas/Filter'}}
    Filter:
      type: object
      example: {meta: {negate: 'false,', alias: x}}
      properties:
        meta:
          type: object
          properties: {negate: {type: boolean, nullable: true}, alias: {type: string}}
    Fine:
      type: object
      example: {meta: {negate: null}, status: later, n: 3.0, extra: [1]}
      properties:
        meta: {type: object, properties: {negate: {type: boolean}}}
        status: {type: string, enum: [now]}
        n: {type: integer}
        either: {oneOf: [{type: string}, {type: integer}]}
    Served:
      type: object
      example: {count: many}
      properties: {count: {type: integer}}
"##,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(s.pointer("/components/schemas/Filter/example").is_none());
        assert_eq!(at(&s, "/components/schemas/Fine/example/status"), "later");
        assert_eq!(
            at(&s, "/components/schemas/Served/example/count"),
            "many",
            "served whole: the client must refuse it"
        );
        let string_or_integer =
            serde_json::json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert!(contradicts(
            &s,
            &string_or_integer,
            &serde_json::json!(true),
            0
        ));
        assert!(!contradicts(
            &s,
            &string_or_integer,
            &serde_json::json!(2),
            0
        ));
    }
}
