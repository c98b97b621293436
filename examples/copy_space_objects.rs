//! Copies a space's dashboards to another space: exports them from `marketing` to an ndjson
//! file (streamed), then imports the file into `sales`, and reports each object that failed.
//!
//! `cargo run --example copy_space_objects [FILE]`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::saved_objects::types::PostSavedObjectsExportBody;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let file = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("marketing-dashboards.ndjson"));

    let body: PostSavedObjectsExportBody = serde_json::from_value(serde_json::json!({
        "type": ["dashboard"],
        "includeReferencesDeep": true
    }))?;
    let exported = kibana
        .space("marketing")?
        .saved_objects()
        .post_saved_objects_export()
        .body(body)
        .write_to(&file)
        .await?;
    println!(
        "exported {} lines from marketing to {}",
        exported.lines,
        file.display()
    );

    // The file goes up as the import form's `file` part, streamed.
    let imported = kibana
        .space("sales")?
        .saved_objects()
        .post_saved_objects_import()
        .overwrite(true)
        .upload(file.as_path(), None)
        .await?;
    println!(
        "imported into sales: success {}, {} object(s)",
        imported.success, imported.success_count
    );
    for error in &imported.errors {
        println!(
            "  not imported: {} {}: {}",
            error.type_, error.id, error.error.type_
        );
    }
    Ok(())
}
