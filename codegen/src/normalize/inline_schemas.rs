//! Names every operation's body and success types. Inline request-body, success-response and
//! ndjson-line schemas are moved into `components/schemas` as `{Operation}Body`,
//! `{Operation}Response` and `{Operation}Item`, so their Rust type names are known, stable and
//! listed in the manifest. The names are recorded on the operation in `x-kbn-types` as `$ref`s,
//! which later renames keep pointing at the right schema.

use super::{
    Change, component_schemas, for_each_operation, is_success_status, non_json_bodies::NDJSON_ITEM,
};
use heck::ToPascalCase;
use serde_json::{Map, Value, json};

pub const TYPES: &str = "x-kbn-types";

/// Moves `schema` into components under a free name derived from `wanted`, or returns the
/// schema's own `$ref` when it already is one.
fn hoist(
    schema: &mut Value,
    wanted: &str,
    new: &mut Vec<(String, Value)>,
    taken: &dyn Fn(&str) -> bool,
) -> Value {
    if schema.get("$ref").is_some() {
        return json!({"$ref": schema["$ref"].clone()});
    }
    let mut name = wanted.to_string();
    let mut n = 2;
    while taken(&name) || new.iter().any(|(k, _)| *k == name) {
        name = format!("{wanted}{n}");
        n += 1;
    }
    let reference = json!({"$ref": format!("#/components/schemas/{name}")});
    new.push((name, std::mem::replace(schema, reference.clone())));
    reference
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let existing: Vec<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let taken = |name: &str| existing.iter().any(|e| e == name);
    let mut new: Vec<(String, Value)> = Vec::new();
    let mut changes = Vec::new();
    for_each_operation(spec, |_, _, op| {
        let Some(id) = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_pascal_case)
        else {
            return;
        };
        let mut types = Map::new();
        let before = new.len();
        if let Some(schema) = op
            .get_mut("requestBody")
            .and_then(|b| b.pointer_mut("/content/application~1json/schema"))
        {
            types.insert(
                "body".into(),
                hoist(schema, &format!("{id}Body"), &mut new, &taken),
            );
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                if !is_success_status(status) {
                    continue;
                }
                if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                    types.insert(
                        "response".into(),
                        hoist(schema, &format!("{id}Response"), &mut new, &taken),
                    );
                }
                let media = super::non_json_bodies::NDJSON_MEDIA.iter().find(|m| {
                    response
                        .pointer(&format!("/content/{}", m.replace('/', "~1")))
                        .is_some()
                });
                if let Some(item) = media.and_then(|m| {
                    response
                        .pointer_mut(&format!("/content/{}/{NDJSON_ITEM}", m.replace('/', "~1")))
                }) {
                    types.insert(
                        "ndjson_item".into(),
                        hoist(item, &format!("{id}Item"), &mut new, &taken),
                    );
                }
            }
        }
        for (name, _) in &new[before..] {
            changes.push(Change {
                pass: "inline_schemas",
                at: id.clone(),
                what: format!("inline schema moved to components/schemas/{name}"),
            });
        }
        if !types.is_empty() {
            op.insert(TYPES.to_string(), Value::Object(types));
        }
    });
    let schemas = component_schemas(spec);
    for (name, schema) in new {
        schemas.insert(name, schema);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn hoists_and_records_types() {
        let mut s = spec(
            r##"
paths:
  /x:
    post:
      operationId: do_thing
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Known'}}}}
  /y:
    get:
      operationId: export_stuff
      responses:
        '200': {description: ok, content: {application/x-ndjson: {x-kbn-ndjson-item: {type: object}}}}
components:
  schemas:
    Known: {type: object}
    DoThingBody: {type: string}
"##,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 2);
        assert_eq!(
            at(&s, "/paths/~1x/post/x-kbn-types/body/$ref"),
            "#/components/schemas/DoThingBody2"
        );
        assert_eq!(
            at(&s, "/paths/~1x/post/x-kbn-types/response/$ref"),
            "#/components/schemas/Known"
        );
        assert_eq!(at(&s, "/components/schemas/DoThingBody2/type"), "object");
        assert_eq!(
            at(&s, "/paths/~1y/get/x-kbn-types/ndjson_item/$ref"),
            "#/components/schemas/ExportStuffItem"
        );
        let again = s.clone();
        assert!(run(&mut s).is_empty());
        assert_eq!(s, again, "idempotent");
    }
}
