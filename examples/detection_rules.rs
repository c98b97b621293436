//! Detection rules as code: rules created from one template, found again page by page, exported
//! to an ndjson file, and imported into another space (per-rule errors reported).
//!
//! `cargo run --example detection_rules [FILE]` (against the embedded mock unless `KIBANA_URL`
//! is set; the export goes to FILE, by default a file in the temporary directory).

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use kibana_serverless::detection_engine::types::{ExportRulesBody, RuleCreateProps};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let file = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("detection-rules.ndjson"));
    let rules = kibana.detection_engine();

    // One template, three hosts groups: a KQL query rule per group.
    let template = json!({
        "type": "query",
        "language": "kuery",
        "description": "Office programs starting a shell on {group} hosts",
        "severity": "high",
        "risk_score": 73,
        "interval": "5m",
        "from": "now-6m",
        "index": ["logs-endpoint.events.process-*"],
        "tags": ["office", "shell"],
    });
    let groups = ["web", "db", "build"];
    for group in groups {
        let mut rule = template.clone();
        rule["rule_id"] = json!(format!("office-shell-{group}"));
        rule["name"] = json!(format!("Office child shell ({group})"));
        rule["description"] = json!(
            template["description"]
                .as_str()
                .unwrap_or_default()
                .replace("{group}", group)
        );
        rule["query"] = json!(format!(
            "process.parent.name:(winword.exe or excel.exe) and process.name:cmd.exe and host.group:{group}"
        ));
        // The rule types are one union: the body decodes into the `query` member.
        let body: RuleCreateProps = serde_json::from_value(rule)?;
        let created = rules.create_rule().body(body).send().await?.into_inner();
        let created = serde_json::to_value(&created)?;
        println!("created {} ({})", created["name"], created["rule_id"]);
    }

    // Every rule tagged `office`, 2 a page.
    let found: Vec<_> = rules
        .find_rules()
        .filter("alert.attributes.tags:office")
        .items()
        .page_size(2)
        .try_collect()
        .await?;
    println!("found {} office rules", found.len());

    // Exported as ndjson, each line checked as it is written.
    let body: ExportRulesBody = serde_json::from_value(json!({
        "objects": groups.iter().map(|g| json!({"rule_id": format!("office-shell-{g}")})).collect::<Vec<_>>()
    }))?;
    let summary = rules.export_rules().body(body).write_to(&file).await?;
    println!(
        "exported {} lines ({} bytes) to {}",
        summary.lines,
        summary.bytes,
        file.display()
    );

    // Imported into the `soc` space; rules already there are replaced.
    let soc = kibana.space("soc")?;
    let imported = soc
        .detection_engine()
        .import_rules()
        .overwrite(true)
        .upload(file.as_path(), None)
        .await?
        .into_inner();
    println!(
        "imported into soc: {} of {} rules, success {}",
        imported.success_count, imported.rules_count, imported.success
    );
    for error in &imported.errors {
        println!("  {}", serde_json::to_string(error)?);
    }
    Ok(())
}
