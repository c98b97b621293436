//! Exports every dashboard and visualization to an ndjson file, streamed: memory stays constant
//! however large the export.
//!
//! `cargo run --example export_saved_objects [FILE]`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::saved_objects::types::PostSavedObjectsExportBody;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let file = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("kibana-export.ndjson"));
    let body: PostSavedObjectsExportBody = serde_json::from_value(
        serde_json::json!({"type": ["dashboard", "visualization"], "includeReferencesDeep": true}),
    )?;
    let summary = kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(body)
        .write_to(&file)
        .await?;
    println!(
        "wrote {} lines ({} bytes) to {}",
        summary.lines,
        summary.bytes,
        file.display()
    );
    // The last line is the export details.
    if let Some(details) = summary.last.filter(|l| l.exported_count.is_some()) {
        println!(
            "Kibana exported {}, missing references: {}",
            details.exported_count.unwrap_or_default(),
            details.missing_ref_count.unwrap_or_default()
        );
    }
    Ok(())
}
