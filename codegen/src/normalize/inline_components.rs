//! Inlines `$ref`s to `components/parameters`, `components/requestBodies`,
//! `components/responses` and `components/examples` into the operations that use them, so later
//! passes see every parameter, body, response and example in place. Kibana defines the same
//! header parameter several times under different component names; after this pass they are
//! plain parameters. Its main spec names many examples by reference
//! (`$ref: '#/components/examples/Security_Detections_API_SetAlertAssigneesBodyAdd'`): the tests
//! and the mock read them in place. An example may name any component: its newest spec names
//! a chat completion's example under `components/schemas`, which is where it is read from then.

use super::{Change, contents_mut, for_each_operation, op_name};
use serde_json::Value;

const KINDS: [&str; 4] = ["parameters", "requestBodies", "responses", "examples"];

/// Replaces `value`, a `$ref` to a component of one of `kinds`, by the component.
fn resolve_as(
    components: &Value,
    kinds: &[&str],
    value: &mut Value,
    at: &str,
    changes: &mut Vec<Change>,
) {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return;
    };
    for kind in kinds {
        let Some(name) = reference.strip_prefix(&format!("#/components/{kind}/")) else {
            continue;
        };
        // A reference to a missing component is left for the dangling_refs pass to report.
        if let Some(target) = components.get(kind).and_then(|c| c.get(name)) {
            changes.push(Change {
                pass: "inline_components",
                at: at.to_string(),
                what: format!("inlined {reference}"),
            });
            *value = target.clone();
        }
        return;
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let components = spec.get("components").cloned().unwrap_or(Value::Null);
    let resolve = |value: &mut Value, at: &str, changes: &mut Vec<Change>| {
        resolve_as(&components, &KINDS, value, at, changes)
    };
    // An example's `$ref` to any kind of component.
    let kinds: Vec<&str> = components
        .as_object()
        .map(|c| c.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let resolve_example = |value: &mut Value, at: &str, changes: &mut Vec<Change>| {
        resolve_as(&components, &kinds, value, at, changes)
    };

    let mut changes = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
                for param in params {
                    resolve(param, path, &mut changes);
                }
            }
        }
    }
    for_each_operation(spec, |path, method, op| {
        let at = op_name(path, method, op);
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for param in params {
                resolve(param, &at, &mut changes);
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            resolve(body, &at, &mut changes);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                resolve(response, &at, &mut changes);
            }
        }
        let mut examples = |holder: &mut Value| {
            let examples = holder.get_mut("examples").and_then(Value::as_object_mut);
            for example in examples.into_iter().flat_map(|e| e.values_mut()) {
                resolve_example(example, &at, &mut changes);
            }
        };
        for (_, content) in contents_mut(op) {
            content.values_mut().for_each(&mut examples);
        }
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            params.iter_mut().for_each(&mut examples);
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn inlines_parameters_bodies_and_responses() {
        let mut s = spec(
            r##"
paths:
  /a:
    parameters: [{$ref: '#/components/parameters/P'}]
    post:
      parameters: [{$ref: '#/components/parameters/P'}]
      requestBody: {$ref: '#/components/requestBodies/B'}
      responses:
        '200': {$ref: '#/components/responses/R'}
components:
  parameters:
    P: {name: kbn-xsrf, in: header, schema: {type: string}}
  requestBodies:
    B: {content: {application/json: {schema: {type: object}}}}
  responses:
    R: {description: ok}
"##,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 4);
        assert_eq!(at(&s, "/paths/~1a/parameters/0/name"), "kbn-xsrf");
        assert_eq!(at(&s, "/paths/~1a/post/parameters/0/in"), "header");
        assert_eq!(
            at(
                &s,
                "/paths/~1a/post/requestBody/content/application~1json/schema/type"
            ),
            "object"
        );
        assert_eq!(at(&s, "/paths/~1a/post/responses/200/description"), "ok");
    }

    #[test]
    fn inlines_examples_of_bodies_responses_and_parameters() {
        let mut s = spec(
            r##"
paths:
  /a:
    post:
      parameters:
        - {name: q, in: query, schema: {type: string}, examples: {one: {$ref: '#/components/examples/Q'}}}
      requestBody:
        content:
          application/json:
            schema: {type: object}
            examples: {add: {$ref: '#/components/examples/Add'}, gone: {$ref: '#/components/examples/Gone'}}
      responses:
        '200':
          description: ok
          content: {application/json: {examples: {ok: {$ref: '#/components/examples/Add'}}}}
        '201':
          description: an example kept among the schemas
          content: {application/json: {examples: {chat: {$ref: '#/components/schemas/ChatExample'}}}}
components:
  examples:
    Q: {value: text}
    Add: {summary: add one, value: {add: [u1]}}
  schemas:
    ChatExample: {summary: a chat, value: "data: [DONE]"}
"##,
        );
        assert_eq!(run(&mut s).len(), 4);
        assert_eq!(
            at(
                &s,
                "/paths/~1a/post/responses/201/content/application~1json/examples/chat/value"
            ),
            "data: [DONE]"
        );
        let body = "/paths/~1a/post/requestBody/content/application~1json/examples";
        assert_eq!(at(&s, &format!("{body}/add/value/add/0")), "u1");
        assert_eq!(
            at(&s, &format!("{body}/gone/$ref")),
            "#/components/examples/Gone",
            "a missing example is left as it is"
        );
        assert_eq!(
            at(
                &s,
                "/paths/~1a/post/responses/200/content/application~1json/examples/ok/value/add/0"
            ),
            "u1"
        );
        assert_eq!(
            at(&s, "/paths/~1a/post/parameters/0/examples/one/value"),
            "text"
        );
    }

    #[test]
    fn leaves_missing_targets_and_schema_refs_alone() {
        let mut s = spec(
            r##"
paths:
  /a:
    get:
      parameters: [{$ref: '#/components/parameters/Missing'}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}
"##,
        );
        assert!(run(&mut s).is_empty());
        assert_eq!(
            at(&s, "/paths/~1a/get/parameters/0/$ref"),
            "#/components/parameters/Missing"
        );
    }
}
