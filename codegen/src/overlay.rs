//! OpenAPI Overlay 1.0: our fixes to spec defects live in `spec/overlays/*.yaml`, so the vendored
//! spec stays Kibana's text. Each action selects nodes with a JSONPath (RFC 9535) `target` and
//! either merges `update` into them or `remove`s them. Every action must say why in `description`.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::path::{Path, PathBuf};

/// What one overlay action did, for the report.
#[derive(Debug)]
pub struct Applied {
    pub file: String,
    pub target: String,
    pub reason: String,
    pub nodes: usize,
}

/// The overlay files of a directory, in name order (empty when the directory does not exist).
pub fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Applies one overlay document to `spec`.
pub fn apply(spec: &mut Value, overlay: &Value, file: &str) -> Result<Vec<Applied>> {
    if overlay
        .get("overlay")
        .and_then(Value::as_str)
        .is_none_or(|v| !v.starts_with("1."))
    {
        bail!("{file}: not an Overlay 1.x document (missing `overlay: 1.0.0`)");
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .with_context(|| format!("{file}: no `actions` list"))?;
    let mut applied = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .with_context(|| format!("{file}: action {i} has no target"))?;
        let reason = action
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .with_context(|| {
                format!("{file}: action {i} ({target}) must give its reason in `description`")
            })?;
        let path = JsonPath::parse(target)
            .map_err(|e| anyhow::anyhow!("{file}: action {i}: bad JSONPath {target:?}: {e}"))?;
        let pointers: Vec<String> = path
            .query_located(spec)
            .iter()
            .map(|n| n.location().to_json_pointer())
            .collect();
        if pointers.is_empty() {
            bail!(
                "{file}: action {i} ({target}) matches nothing: the spec changed under the overlay"
            );
        }
        let remove = action
            .get("remove")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        for pointer in &pointers {
            if remove {
                remove_at(spec, pointer);
            } else if let Some(update) = action.get("update") {
                if let Some(node) = spec.pointer_mut(pointer) {
                    merge(node, update);
                }
            } else {
                bail!("{file}: action {i} ({target}) has neither `update` nor `remove: true`");
            }
        }
        applied.push(Applied {
            file: file.to_string(),
            target: target.to_string(),
            reason: reason.trim().to_string(),
            nodes: pointers.len(),
        });
    }
    Ok(applied)
}

/// Overlay merge: objects merge key by key, arrays get the update appended, anything else is
/// replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (k, v) in update {
                match target.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (Value::Array(target), update) => target.push(update.clone()),
        (node, update) => *node = update.clone(),
    }
}

fn remove_at(spec: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match spec.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// Applies every overlay in `dir` in name order.
pub fn apply_dir(spec: &mut Value, dir: &Path) -> Result<Vec<Applied>> {
    let mut all = Vec::new();
    for path in files(dir)? {
        let overlay = crate::spec::load(&path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        all.extend(apply(spec, &overlay, &name)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn update_merges_and_remove_removes() {
        let mut spec =
            json!({"paths": {"/a": {"get": {"tags": ["x"], "summary": "old"}}, "/b": {"get": {}}}});
        let o = overlay(json!([
            {"target": "$.paths['/a'].get", "description": "fix summary", "update": {"summary": "new", "tags": ["y"]}},
            {"target": "$.paths['/b']", "description": "not served", "remove": true}
        ]));
        let applied = apply(&mut spec, &o, "o.yaml").unwrap();
        assert_eq!(applied.len(), 2);
        assert_eq!(
            spec,
            json!({"paths": {"/a": {"get": {"tags": ["x", "y"], "summary": "new"}}}})
        );
    }

    #[test]
    fn reasons_and_matches_are_required() {
        let mut spec = json!({"paths": {}});
        let no_reason = overlay(json!([{"target": "$.paths", "update": {}}]));
        assert!(
            apply(&mut spec, &no_reason, "o")
                .unwrap_err()
                .to_string()
                .contains("reason")
        );
        let no_match = overlay(json!([{"target": "$.nothing", "description": "d", "update": {}}]));
        assert!(
            apply(&mut spec, &no_match, "o")
                .unwrap_err()
                .to_string()
                .contains("matches nothing")
        );
        let bad_path = overlay(json!([{"target": "$[", "description": "d", "update": {}}]));
        assert!(
            apply(&mut spec, &bad_path, "o")
                .unwrap_err()
                .to_string()
                .contains("JSONPath")
        );
        assert!(apply(&mut spec, &json!({"actions": []}), "o").is_err());
    }
}
