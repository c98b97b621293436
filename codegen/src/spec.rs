//! Reading the spec: YAML or JSON into a JSON value, and the JSON value into `openapiv3` types.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::Path;

/// Reads a YAML or JSON spec from `path` as a JSON value.
pub fn load(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Parses YAML (a superset of JSON) into a JSON value.
pub fn parse(text: &str) -> Result<Value> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(deserializer)
        .map_err(|e| anyhow::anyhow!("at {}: {}", e.path(), e.inner()))?;
    if !value.is_object() {
        bail!("an OpenAPI document is a mapping at the top level");
    }
    Ok(value)
}

/// Converts the (normalized) JSON spec into the typed form progenitor takes; a mismatch names the
/// JSON path that failed. Schemas are checked one by one first (see `schema_shapes`).
pub fn to_openapi(value: &Value) -> Result<openapiv3::OpenAPI> {
    crate::schema_shapes::check(value)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        anyhow::anyhow!(
            "not a valid OpenAPI 3.0 document at {}: {}",
            e.path(),
            e.inner()
        )
    })
}
