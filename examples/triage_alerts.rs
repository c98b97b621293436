//! Triages detection alerts: assigns them to an analyst, then closes them.
//!
//! `cargo run --example triage_alerts`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::detection_engine::types::{
    AlertAssignees, AlertStatus, SetAlertAssigneesBody, SetAlertsStatusBody, SetAlertsStatusByIds,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let analyst = "u_analyst_1";
    let alerts: Vec<String> = (0..5).map(|n| format!("alert-{n}")).collect();

    let assigned = kibana
        .detection_engine()
        .set_alert_assignees()
        .body(SetAlertAssigneesBody {
            ids: alerts.iter().map(|a| a.parse()).collect::<Result<_, _>>()?,
            assignees: AlertAssignees {
                add: vec![analyst.parse()?],
                remove: vec![],
            },
        })
        .send()
        .await?;
    println!(
        "assigned {} alerts to {analyst}",
        assigned.updated.unwrap_or(0)
    );

    let closed = kibana
        .detection_engine()
        .set_alerts_status()
        .body(SetAlertsStatusBody::Ids(SetAlertsStatusByIds {
            signal_ids: alerts.iter().map(|a| a.parse()).collect::<Result<_, _>>()?,
            status: AlertStatus::Closed,
        }))
        .send()
        .await?;
    println!("closed {} alerts", closed.updated.unwrap_or(0));
    Ok(())
}
