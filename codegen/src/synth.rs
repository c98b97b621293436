//! `cargo xtask synth-spec --operations N --out PATH`: a spec of N operations made of renamed
//! copies of the vendored spec (overlays applied), to measure the generator and the client at
//! Kibana's real size (about 600 operations). Copy `k` prefixes every path with `/copy{k}`,
//! suffixes every operationId and component schema name, and keeps the tags, so the copies
//! spread over the same domains.

use crate::normalize::{METHODS, for_each_operation};
use anyhow::{Result, bail};
use serde_json::{Map, Value, json};
use std::path::Path;

fn rename_refs(value: &mut Value, suffix: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && r.starts_with("#/components/schemas/")
            {
                r.push_str(suffix);
            }
            map.values_mut().for_each(|v| rename_refs(v, suffix));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, suffix)),
        _ => {}
    }
}

/// The vendored spec grown (or cut) to exactly `n` operations.
pub fn synthesize(base: &Value, n: usize) -> Result<Value> {
    let mut scratch = base.clone();
    let mut count = 0;
    for_each_operation(&mut scratch, |_, _, _| count += 1);
    if count == 0 {
        bail!("the base spec has no operations");
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let mut made = 0;
    let mut copy = 0;
    while made < n {
        let suffix = if copy == 0 {
            String::new()
        } else {
            format!("C{copy}")
        };
        let mut part = base.clone();
        rename_refs(&mut part, &suffix);
        for (name, schema) in part
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
        {
            schemas.insert(format!("{name}{suffix}"), schema);
        }
        for (path, item) in part["paths"].as_object().cloned().unwrap_or_default() {
            let mut kept = Map::new();
            for (key, mut op) in item.as_object().cloned().unwrap_or_default() {
                if METHODS.contains(&key.as_str()) {
                    if made == n {
                        continue;
                    }
                    if copy > 0 {
                        let id = op["operationId"]
                            .as_str()
                            .unwrap_or("operation")
                            .to_string();
                        op["operationId"] = json!(format!("{id}-copy{copy}"));
                    }
                    made += 1;
                }
                kept.insert(key, op);
            }
            if kept.keys().any(|k| METHODS.contains(&k.as_str())) {
                let new_path = if copy == 0 {
                    path
                } else {
                    format!("/copy{copy}{path}")
                };
                paths.insert(new_path, Value::Object(kept));
            }
        }
        copy += 1;
    }
    let mut out = base.clone();
    out["paths"] = Value::Object(paths);
    out["components"]["schemas"] = Value::Object(schemas);
    Ok(out)
}

/// Writes the synthesized spec (JSON, which every YAML reader reads).
pub fn write(root: &Path, n: usize, out: &Path) -> Result<()> {
    let mut base = crate::spec::load(&root.join("spec/kibana.serverless.yaml"))?;
    crate::overlay::apply_dir(&mut base, &root.join("spec/overlays"))?;
    let spec = synthesize(&base, n)?;
    std::fs::write(out, serde_json::to_string_pretty(&spec)?)?;
    println!("wrote {} with {n} operations", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_rename_everything() {
        let base = json!({
            "paths": {"/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
            "components": {"schemas": {"A": {"type": "object"}}}
        });
        let s = synthesize(&base, 3).unwrap();
        let paths: Vec<&String> = s["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/a", "/copy1/a", "/copy2/a"]);
        assert_eq!(s["paths"]["/copy2/a"]["get"]["operationId"], "getA-copy2");
        assert_eq!(
            s["paths"]["/copy1/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/AC1"
        );
        assert!(s["components"]["schemas"]["AC2"].is_object());
    }
}
