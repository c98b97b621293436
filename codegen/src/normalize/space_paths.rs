//! Paths Kibana publishes with their space (`/s/{spaceId}/api/observability/slos`). The client
//! puts the space in front of every path already (`kibana.space("team-a")`), and Kibana serves
//! each of these paths without the prefix in the default space; so the prefix and its path
//! parameter are removed, and the operation works in the default space and in any space the
//! same way as every other operation. A path that exists both with and without the prefix keeps
//! the one without.

use super::Change;
use serde_json::Value;

/// The prefixes of space-scoped paths, as Kibana writes them.
const PREFIXES: &[&str] = &["/s/{spaceId}/", "/s/{space_id}/"];

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return changes;
    };
    let spaced: Vec<String> = paths
        .keys()
        .filter(|p| PREFIXES.iter().any(|x| p.starts_with(x)))
        .cloned()
        .collect();
    for old in spaced {
        let Some((prefix, rest)) = PREFIXES
            .iter()
            .find_map(|x| old.strip_prefix(x).map(|r| (*x, r)))
        else {
            continue;
        };
        let param = &prefix[4..prefix.len() - 2];
        let new = format!("/{rest}");
        let Some(mut item) = paths.remove(&old) else {
            continue;
        };
        if paths.contains_key(&new) {
            changes.push(Change {
                pass: "space_paths",
                at: old.clone(),
                what: format!("dropped: {new} is also published without the space"),
            });
            continue;
        }
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                params.retain(|p| !(p["in"] == "path" && p["name"] == param));
            }
        }
        if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
            params.retain(|p| !(p["in"] == "path" && p["name"] == param));
        }
        paths.insert(new.clone(), item);
        changes.push(Change {
            pass: "space_paths",
            at: old,
            what: format!("-> {new}: the client's space prefix gives the space"),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::spec;

    #[test]
    fn the_space_prefix_and_its_parameter_go() {
        let mut s = spec(
            r#"
paths:
  /s/{spaceId}/api/observability/slos/{sloId}:
    get:
      parameters:
        - {name: spaceId, in: path, required: true, schema: {type: string}}
        - {name: sloId, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
  /api/other: {get: {responses: {'200': {description: ok}}}}
"#,
        );
        assert_eq!(run(&mut s).len(), 1);
        let op = &s["paths"]["/api/observability/slos/{sloId}"]["get"];
        assert_eq!(op["parameters"].as_array().unwrap().len(), 1);
        assert_eq!(op["parameters"][0]["name"], "sloId");
        assert!(
            s["paths"]
                .get("/s/{spaceId}/api/observability/slos/{sloId}")
                .is_none()
        );
    }
}
