//! Creates a latency SLO, then pages through every SLO of the space, five at a time.
//!
//! `cargo run --example slo_pages`

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use kibana_serverless::slo::types::CreateSloRequest;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    for n in 0..12 {
        let slo: CreateSloRequest = serde_json::from_value(json!({
            "name": format!("checkout latency {n}"),
            "description": "95% of checkout requests under 500 ms",
            "indicator": {
                "type": "sli.kql.custom",
                "params": {
                    "index": "traces-apm*",
                    "good": "transaction.duration.us < 500000",
                    "total": "transaction.name : \"POST /checkout\"",
                    "timestampField": "@timestamp"
                }
            },
            "timeWindow": {"duration": "30d", "type": "rolling"},
            "budgetingMethod": "occurrences",
            "objective": {"target": 0.95}
        }))?;
        let created = kibana.slo().create_slo_op().body(slo).send().await?;
        if n == 0 {
            println!("created SLO {}", created.id);
        }
    }
    let mut pages = 0;
    let mut names = Vec::new();
    let mut stream = std::pin::pin!(kibana.slo().find_slos_op().pages().page_size(5));
    while let Some(page) = stream.try_next().await? {
        pages += 1;
        names.extend(page.results.iter().map(|s| s.name.clone()));
    }
    println!(
        "{} SLOs over {pages} pages; first: {:?}",
        names.len(),
        names.first()
    );
    Ok(())
}
