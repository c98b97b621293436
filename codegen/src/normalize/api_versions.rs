//! The API version of each operation. Kibana's spec generator writes a versioned route's bodies
//! under `application/json; Elastic-Api-Version=<v>`, one entry per version the route serves,
//! and an `elastic-api-version` header parameter whose `enum` lists them and whose `default` is
//! the one to use. Public routes are `2023-10-31`; internal routes and newer ones are not
//! (`1`, `2`, a later date), and Kibana refuses a version a route does not serve.
//!
//! Kibana's Security bundles are written one file per version instead: plain media types, and
//! the version as the document's `info.version` (`'1'`, `'2026-01-28'`).
//!
//! This pass records the version an operation is written at (`x-kbn-api-version`: the header's
//! `default`, else the one version its media types name, else the latest of them, else an
//! `info.version` that is an API version: a date or a whole number, not `1.0.2`) so that the
//! client sends it for that operation. Where bodies are written at several versions, only that
//! version's are kept, so that the types and the header agree. Runs before `media_types`, which
//! strips the version from media types, and `xsrf_headers`, which drops the header parameter.

use super::{Change, METHODS, contents_mut, op_name};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// The operation's API version, for the manifest and the request hook.
pub const API_VERSION: &str = "x-kbn-api-version";

const HEADER: &str = "elastic-api-version";

/// A version the client can send as a header value: a token such as `1` or `2023-10-31`.
fn is_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The version a media-type key names (`application/json; Elastic-Api-Version=1` is `1`).
fn key_version(key: &str) -> Option<&str> {
    key.split(';').skip(1).find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case(HEADER)
            .then(|| value.trim().trim_matches('"'))
            .filter(|v| is_version(v))
    })
}

/// `info.version` when it is a Kibana API version (`2023-10-31`, `1`) rather than a document
/// version (`1.0.2`, `0.1`).
fn document_version(spec: &Value) -> Option<String> {
    let version = spec.pointer("/info/version").and_then(|v| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => n.is_u64().then(|| n.to_string()),
        _ => None,
    })?;
    let b = version.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let date = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    let number = (1..=4).contains(&b.len()) && digits(0..b.len()) && b[0] != b'0';
    (date || number).then_some(version)
}

/// Versions in release order: numbers by value (`2` before `10`), dates as written.
fn version_order(a: &str, b: &str) -> Ordering {
    let numeric = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

/// The header parameter's `default` (a string, or a number written bare), and its `enum`.
fn header_versions(params: &[&Value]) -> (Option<String>, Vec<String>) {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let Some(param) = params.iter().find(|p| {
        p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(HEADER))
    }) else {
        return (None, Vec::new());
    };
    let schema = param.get("schema").unwrap_or(&Value::Null);
    let default = schema.get("default").and_then(text);
    let listed = schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(text)
        .filter(|v| is_version(v))
        .collect();
    (default.filter(|d| is_version(d)), listed)
}

/// The version `op` is written at, if its spec names one.
fn choose(path_params: &[&Value], op: &mut Map<String, Value>) -> Option<String> {
    let mut params: Vec<&Value> = path_params.to_vec();
    params.extend(
        op.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    let (default, listed) = header_versions(&params);
    let mut named: Vec<String> = listed;
    for (_, content) in contents_mut(op) {
        named.extend(
            content
                .keys()
                .filter_map(|k| key_version(k))
                .map(str::to_string),
        );
    }
    named.sort_by(|a, b| version_order(a, b));
    named.dedup();
    default.or_else(|| named.pop())
}

/// Drops the entries of `content` written at another version than `version`, where the same
/// media type is written at `version` too.
fn keep_version(content: &mut Map<String, Value>, version: &str) -> Vec<String> {
    let plain = |key: &str| {
        key.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    let kept: Vec<String> = content
        .keys()
        .filter(|k| key_version(k) == Some(version))
        .map(|k| plain(k))
        .collect();
    let dropped: Vec<String> = content
        .keys()
        .filter(|k| key_version(k).is_some_and(|v| v != version) && kept.contains(&plain(k)))
        .cloned()
        .collect();
    for key in &dropped {
        content.remove(key);
    }
    dropped
}

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let document = document_version(spec);
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return changes;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let path_params: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let path_params: Vec<&Value> = path_params.iter().collect();
        for (method, op) in item.iter_mut() {
            let Some(op) = op
                .as_object_mut()
                .filter(|_| METHODS.contains(&method.as_str()))
            else {
                continue;
            };
            let own = choose(&path_params, op);
            let from_document = own.is_none();
            let at = op_name(path, method, op);
            let Some(version) = own.or_else(|| document.clone()) else {
                continue;
            };
            if from_document {
                changes.push(Change {
                    pass: "api_versions",
                    at: at.clone(),
                    what: format!("sent at the document's version (info.version) {version}"),
                });
            }
            for (_, content) in contents_mut(op) {
                for key in keep_version(content, &version) {
                    changes.push(Change {
                        pass: "api_versions",
                        at: at.clone(),
                        what: format!(
                            "dropped {key:?}: the operation is sent at version {version}"
                        ),
                    });
                }
            }
            op.insert(API_VERSION.to_string(), Value::String(version));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};
    use serde_json::json;

    #[test]
    fn versions_from_keys_in_release_order() {
        assert_eq!(
            key_version("application/json; Elastic-Api-Version=1"),
            Some("1")
        );
        assert_eq!(
            key_version("application/json;elastic-api-version=\"2\""),
            Some("2")
        );
        assert_eq!(key_version("application/json"), None);
        assert_eq!(key_version("application/json; charset=utf-8"), None);
        assert_eq!(
            key_version("application/json; elastic-api-version=a\nb"),
            None
        );
        assert_eq!(version_order("2", "10"), Ordering::Less);
        assert_eq!(version_order("2023-10-31", "2024-12-31"), Ordering::Less);
    }

    #[test]
    fn the_header_default_wins_and_other_versions_bodies_go() {
        let mut s = spec(
            r#"
paths:
  /api/things:
    post:
      parameters:
        - {name: elastic-api-version, in: header, schema: {type: string, enum: ['1', '2'], default: '2'}}
      requestBody:
        content:
          'application/json; Elastic-Api-Version=1': {schema: {type: object, properties: {a: {type: string}}}}
          'application/json; Elastic-Api-Version=2': {schema: {type: object, properties: {b: {type: string}}}}
      responses:
        '200':
          description: ok
          content:
            'application/json; Elastic-Api-Version=1': {schema: {type: string}}
            'application/json; Elastic-Api-Version=2': {schema: {type: integer}}
    get:
      responses:
        '200':
          description: ok
          content:
            'application/json; Elastic-Api-Version=2023-10-31': {schema: {type: string}}
    delete:
      responses:
        '204': {description: gone}
"#,
        );
        let changes = run(&mut s);
        assert_eq!(changes.len(), 2, "{changes:?}");
        let post = at(&s, "/paths/~1api~1things/post");
        assert_eq!(post[API_VERSION], "2");
        assert_eq!(
            post["requestBody"]["content"],
            json!({"application/json; Elastic-Api-Version=2":
                {"schema": {"type": "object", "properties": {"b": {"type": "string"}}}}})
        );
        assert_eq!(
            post["responses"]["200"]["content"],
            json!({"application/json; Elastic-Api-Version=2": {"schema": {"type": "integer"}}})
        );
        assert_eq!(
            at(&s, "/paths/~1api~1things/get")[API_VERSION],
            "2023-10-31"
        );
        assert!(
            at(&s, "/paths/~1api~1things/delete")
                .get(API_VERSION)
                .is_none()
        );
    }

    #[test]
    fn a_bundle_of_one_version_names_it_in_info() {
        let bundle = |version: &str| {
            spec(&format!(
                r#"
info: {{title: t, version: {version}}}
paths:
  /a:
    get:
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{type: string}}}}}}}}
  /b:
    get:
      parameters:
        - {{name: elastic-api-version, in: header, schema: {{type: string, default: '3'}}}}
      responses:
        '200': {{description: ok}}
"#
            ))
        };
        for (info, a) in [
            ("'1'", Some("1")),
            ("1", Some("1")),
            ("'2026-01-28'", Some("2026-01-28")),
            ("1.0.2", None),
            ("'0.1'", None),
            ("'01'", None),
            ("'2026-1-28'", None),
        ] {
            let mut s = bundle(info);
            run(&mut s);
            assert_eq!(
                at(&s, "/paths/~1a/get")[API_VERSION].as_str(),
                a,
                "info.version {info}"
            );
            assert_eq!(at(&s, "/paths/~1b/get")[API_VERSION], "3", "its own wins");
        }
    }

    #[test]
    fn without_a_default_the_latest_and_path_level_headers_count() {
        let mut s = spec(
            r#"
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            'application/json; Elastic-Api-Version=2': {schema: {type: string}}
            'application/json; Elastic-Api-Version=10': {schema: {type: integer}}
  /b:
    parameters:
      - {name: Elastic-Api-Version, in: header, schema: {type: string, default: '1'}}
    get:
      responses:
        '200': {description: ok}
"#,
        );
        run(&mut s);
        assert_eq!(at(&s, "/paths/~1a/get")[API_VERSION], "10");
        assert_eq!(
            at(&s, "/paths/~1a/get/responses/200/content"),
            &json!({"application/json; Elastic-Api-Version=10": {"schema": {"type": "integer"}}})
        );
        assert_eq!(at(&s, "/paths/~1b/get")[API_VERSION], "1");
    }
}
