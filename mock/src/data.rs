//! The mock's world, made on demand from an index so that any size costs no memory.

use serde_json::{Value, json};

const STATUSES: [&str; 5] = ["online", "online", "online", "offline", "updating"];

/// Agent number `n`.
pub(crate) fn agent(n: usize) -> Value {
    json!({
        "id": agent_id(n),
        "type": "PERMANENT",
        "active": true,
        "status": STATUSES[n % STATUSES.len()],
        "enrolled_at": "2025-01-01T00:00:00.000Z",
        "last_checkin": "2025-04-22T10:00:00.000Z",
        "policy_id": format!("policy-{}", n % 3),
        "policy_revision": 3.0,
        "packages": ["system", "endpoint"],
        "tags": [format!("rack-{}", n % 10)],
        "agent": {"id": agent_id(n), "version": if n.is_multiple_of(4) { "8.16.0" } else { "8.17.1" }},
        "local_metadata": {"host": {"hostname": format!("host-{n:06}"), "os": {"family": "linux"}}, "elastic": {"agent": {"upgradeable": true}}},
        "components": [{"id": "system/metrics-default", "type": "system/metrics", "status": "HEALTHY", "message": "Healthy"}],
        "sort": [n],
    })
}

pub(crate) fn agent_id(n: usize) -> String {
    format!("agent-{n:06}")
}

/// The index of an agent id made by [`agent_id`].
pub(crate) fn agent_index(id: &str) -> Option<usize> {
    id.strip_prefix("agent-")?.parse().ok()
}

/// Saved object number `n`, as one export line (the text [`write_saved_object`] writes).
pub(crate) fn saved_object(n: usize, object_type: &str, padding: usize) -> Value {
    let mut line = String::new();
    write_saved_object(&mut line, n, object_type, padding);
    serde_json::from_str(&line).unwrap_or_default()
}

/// Saved object number `n` as its export line's text, written straight, without building a
/// value (the mock serves exports of 100,000 objects to benches that time clients, not the
/// mock).
pub(crate) fn write_saved_object(out: &mut String, n: usize, object_type: &str, padding: usize) {
    use std::fmt::Write;
    let quoted = |s: String| Value::String(s).to_string();
    let _ = write!(
        out,
        concat!(
            r#"{{"id":{},"type":{},"managed":false,"version":"WzEzLDFd","#,
            r#""attributes":{{"title":{},"description":"{}"}},"#,
            r#""references":[{{"id":"logs-*","name":"kibanaSavedObjectMeta.searchSourceJSON.index","type":"index-pattern"}}],"#,
            r#""created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","#,
            r#""coreMigrationVersion":"8.8.0","typeMigrationVersion":"10.2.0"}}"#
        ),
        quoted(format!("{object_type}-{n}")),
        quoted(object_type.to_string()),
        quoted(format!("{object_type} {n}")),
        "x".repeat(padding)
    );
}

/// Prompt number `n`.
pub(crate) fn prompt(n: usize) -> Value {
    json!({
        "id": format!("prompt-{n}"),
        "name": format!("Prompt {n}"),
        "promptType": if n.is_multiple_of(2) { "system" } else { "quick" },
        "content": format!("You are a security analyst. Case {n}."),
        "isDefault": n == 0,
        "categories": ["alerts"],
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-01-01T00:00:00.000Z",
    })
}

/// Elasticsearch's update-by-query result for `n` documents.
pub(crate) fn update_by_query(n: usize) -> Value {
    json!({
        "took": 3, "timed_out": false, "total": n, "updated": n, "deleted": 0, "batches": 1,
        "version_conflicts": 0, "noops": 0, "retries": {"bulk": 0, "search": 0},
        "throttled_millis": 0, "requests_per_second": -1.0, "throttled_until_millis": 0, "failures": []
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_saved_object_line_is_one_json_object_with_its_fields() {
        for (n, t, padding) in [
            (0, "dashboard", 0),
            (7, "index-pattern", 3),
            (42, "a\"b\\c", 1),
        ] {
            let mut line = String::new();
            super::write_saved_object(&mut line, n, t, padding);
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["id"], format!("{t}-{n}"));
            assert_eq!(v["type"], t);
            assert_eq!(v["attributes"]["title"], format!("{t} {n}"));
            assert_eq!(v["attributes"]["description"], "x".repeat(padding));
            assert_eq!(v["references"][0]["type"], "index-pattern");
            assert_eq!(v.as_object().unwrap().len(), 10);
            assert_eq!(v.to_string(), line, "compact, in this key order");
            assert_eq!(super::saved_object(n, t, padding), v);
        }
    }
}
