//! The client's credentials as a mock server should take them. Kibana takes an API key on every
//! route, whatever a document's `security` lists, and some of its bundles list only HTTP basic
//! (the Security solution's). A mock server that enforces `security` (Prism does) then answers
//! the client's `Authorization: ApiKey ...` with 401. The mock's spec gets the client's scheme
//! as one more alternative wherever credentials are required, so the mock still checks that
//! credentials are sent, in the form the client sends them. A document that defines such a
//! scheme without asking for it (a bundle with `apiKeyAuth` beside `security: [basicAuth]`) gets
//! its own scheme as the alternative.
//!
//! Only the spec served to such a mock is changed.

use super::{Change, for_each_operation, op_name};
use serde_json::{Value, json};

/// The scheme added for the client's API key.
const SCHEME: &str = "kbnClientApiKey";

/// The document's scheme that takes an API key in the `Authorization` header, if any.
fn clients_key_scheme(spec: &Value) -> Option<String> {
    spec.pointer("/components/securitySchemes")
        .and_then(Value::as_object)?
        .iter()
        .find(|(_, s)| {
            s["type"] == "apiKey"
                && s["in"] == "header"
                && s["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
        })
        .map(|(name, _)| name.clone())
}

/// Adds `scheme` to a non-empty list of requirements (an empty one asks for none) that has no
/// requirement of it alone.
fn widen(requirements: Option<&mut Value>, scheme: &str) -> bool {
    let alone = |r: &Value| {
        r.as_object()
            .is_some_and(|r| r.len() == 1 && r.contains_key(scheme))
    };
    match requirements.and_then(Value::as_array_mut) {
        Some(list) if !list.is_empty() && !list.iter().any(alone) => {
            list.push(json!({ scheme: [] }));
            true
        }
        _ => false,
    }
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let own = clients_key_scheme(spec);
    let scheme = own.clone().unwrap_or_else(|| SCHEME.to_string());
    let mut widened = widen(spec.get_mut("security"), &scheme);
    if widened {
        changes.push(Change {
            pass: "mock_security",
            at: "security".into(),
            what: format!("{scheme} (the client's API key) added as an alternative"),
        });
    }
    for_each_operation(spec, |path, method, op| {
        if widen(op.get_mut("security"), &scheme) {
            widened = true;
            changes.push(Change {
                pass: "mock_security",
                at: op_name(path, method, op),
                what: format!("{scheme} added as an alternative"),
            });
        }
    });
    if widened
        && own.is_none()
        && let Some(root) = spec.as_object_mut()
    {
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Some(components) = components.as_object_mut() {
            let schemes = components
                .entry("securitySchemes")
                .or_insert_with(|| json!({}));
            if let Some(schemes) = schemes.as_object_mut() {
                schemes.insert(
                    SCHEME.into(),
                    json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
                );
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
    fn basic_only_documents_also_take_the_clients_key() {
        let mut s = spec(
            r#"
security: [{BasicAuth: []}]
components:
  securitySchemes:
    BasicAuth: {type: http, scheme: basic}
paths:
  /a:
    get:
      security: [{BasicAuth: []}]
      responses: {'200': {description: ok}}
  /b:
    get:
      security: []
      responses: {'200': {description: ok}}
"#,
        );
        assert_eq!(run(&mut s).len(), 2);
        let both = json!([{"BasicAuth": []}, {SCHEME: []}]);
        assert_eq!(at(&s, "/security"), &both);
        assert_eq!(at(&s, "/paths/~1a/get/security"), &both);
        assert_eq!(
            at(&s, "/paths/~1b/get/security"),
            &json!([]),
            "no credentials asked"
        );
        assert_eq!(
            at(&s, &format!("/components/securitySchemes/{SCHEME}/name")),
            "Authorization"
        );
        assert!(run(&mut s).is_empty(), "once is enough");
    }

    #[test]
    fn documents_that_take_an_api_key_stay_as_they_are() {
        let text = r#"
security: [{apiKeyAuth: []}]
components:
  securitySchemes:
    apiKeyAuth: {type: apiKey, in: header, name: Authorization}
paths: {}
"#;
        let mut s = spec(text);
        assert!(run(&mut s).is_empty());
        assert_eq!(s, spec(text));
        let mut open = spec("paths: {}");
        assert!(run(&mut open).is_empty());
        assert_eq!(open, spec("paths: {}"));
    }

    #[test]
    fn a_defined_api_key_scheme_not_asked_for_is_the_alternative() {
        let mut s = spec(
            r#"
security: [{basicAuth: []}]
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
    apiKeyAuth: {type: apiKey, in: header, name: Authorization}
paths: {}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        assert_eq!(
            at(&s, "/security"),
            &json!([{"basicAuth": []}, {"apiKeyAuth": []}])
        );
        assert!(at(&s, "/components/securitySchemes").get(SCHEME).is_none());
    }
}
