//! Lists every agent of a fleet, 1,000 a page, and counts them by status and version.
//!
//! `cargo run --example list_agents` (against the embedded mock unless `KIBANA_URL` is set).

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use std::collections::BTreeMap;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_version: BTreeMap<String, usize> = BTreeMap::new();
    // searchAfter in a point in time: a consistent listing however many agents there are.
    let mut agents = kibana
        .fleet()
        .get_fleet_agents()
        .show_inactive(false)
        .search_after_items()
        .page_size(1000)
        .prefetch(true);
    let mut total = 0;
    while let Some(agent) = agents.try_next().await? {
        total += 1;
        let status = agent
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        *by_status.entry(status).or_default() += 1;
        let version = agent.agent.map(|a| a.version).unwrap_or_default();
        *by_version.entry(version).or_default() += 1;
    }
    println!("{total} agents");
    for (status, n) in &by_status {
        println!("  {status:<10} {n}");
    }
    for (version, n) in &by_version {
        println!("  version {version:<8} {n}");
    }
    Ok(())
}
