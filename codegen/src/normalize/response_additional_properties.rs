//! Responses must decode when Kibana adds a field. Kibana marks many response objects
//! `additionalProperties: false`, which typify turns into `#[serde(deny_unknown_fields)]`; a newer
//! Kibana then breaks every older client. This pass removes `additionalProperties: false` from
//! every schema reachable from a response (request schemas keep it: it documents what Kibana
//! accepts).

use super::{Change, for_each_operation, reachable_schemas, walk_objects_mut};
use serde_json::Value;

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut roots = Vec::new();
    for_each_operation(spec, |_, _, op| {
        if let Some(responses) = op.get("responses") {
            roots.push(responses.clone());
        }
        if let Some(types) = op.get("x-kbn-types") {
            let mut t = types.clone();
            if let Some(t) = t.as_object_mut() {
                t.remove("body");
            }
            roots.push(t);
        }
    });
    let names = reachable_schemas(spec, roots.iter());
    let mut changes = Vec::new();
    let mut strip = |value: &mut Value, at: String| {
        walk_objects_mut(value, &mut |obj| {
            if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
                obj.remove("additionalProperties");
                changes.push(Change {
                    pass: "response_additional_properties",
                    at: at.clone(),
                    what: "removed additionalProperties: false (a newer Kibana may add fields)"
                        .to_string(),
                });
            }
        })
    };
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for name in &names {
            if let Some(schema) = schemas.get_mut(name) {
                strip(schema, format!("components/schemas/{name}"));
            }
        }
    }
    for_each_operation(spec, |path, method, op| {
        if let Some(responses) = op.get_mut("responses") {
            strip(responses, super::op_label(path, method));
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn only_response_side_schemas() {
        let mut s = spec(
            r##"
paths:
  /x:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Req'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Res'}}}}
components:
  schemas:
    Req: {type: object, additionalProperties: false, properties: {a: {$ref: '#/components/schemas/Shared'}}}
    Res: {type: object, additionalProperties: false, properties: {n: {type: object, additionalProperties: false}}}
    Shared: {type: object, additionalProperties: false}
"##,
        );
        assert_eq!(run(&mut s).len(), 2);
        assert_eq!(
            at(&s, "/components/schemas/Req/additionalProperties"),
            false
        );
        assert_eq!(
            at(&s, "/components/schemas/Shared/additionalProperties"),
            false
        );
        assert!(at(&s, "/components/schemas/Res/additionalProperties").is_null());
        assert!(
            at(
                &s,
                "/components/schemas/Res/properties/n/additionalProperties"
            )
            .is_null()
        );
    }
}
