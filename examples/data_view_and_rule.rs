//! Sets up alerting on a new index pattern: creates a data view, a Server log connector, and an
//! index-threshold rule that notifies through the connector, then reads the rule back.
//!
//! `cargo run --example data_view_and_rule`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::alerting::types::CreateRuleRequest;
use kibana_serverless::connectors::types::CreateConnectorRequest;
use kibana_serverless::data_views::types::CreateDataViewRequestObject;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;

    let view: CreateDataViewRequestObject = serde_json::from_value(json!({
        "data_view": {"title": "logs-web-*", "name": "Web logs", "timeFieldName": "@timestamp"}
    }))?;
    let view = kibana
        .data_views()
        .create_data_view_defaultw()
        .body(view)
        .send()
        .await?;
    let view_id = view
        .data_view
        .as_ref()
        .and_then(|v| v.id.clone())
        .unwrap_or_default();
    println!("data view {view_id}");

    let connector: CreateConnectorRequest = serde_json::from_value(json!({
        "name": "ops server log",
        "connector_type_id": ".server-log",
        "config": {},
    }))?;
    let connector = kibana
        .connectors()
        .post_actions_connector()
        .body(connector)
        .send()
        .await?;
    println!(
        "connector {} ({})",
        connector.id, connector.connector_type_id
    );

    let rule: CreateRuleRequest = serde_json::from_value(json!({
        "name": "web errors over 100 in 5m",
        "rule_type_id": ".index-threshold",
        "consumer": "alerts",
        "schedule": {"interval": "1m"},
        "params": {
            "index": ["logs-web-*"],
            "timeField": "@timestamp",
            "aggType": "count",
            "groupBy": "all",
            "thresholdComparator": ">",
            "threshold": [100],
            "timeWindowSize": 5,
            "timeWindowUnit": "m"
        },
        "actions": [{
            "id": connector.id,
            "group": "threshold met",
            "params": {"level": "warn", "message": "{{context.message}}"},
            "frequency": {"summary": false, "notify_when": "onActionGroupChange"}
        }]
    }))?;
    let rule = kibana
        .alerting()
        .post_alerting_rule()
        .body(rule)
        .send()
        .await?;
    let read = kibana
        .alerting()
        .get_alerting_rule_id()
        .id(rule.id.as_str())
        .send()
        .await?;
    println!(
        "rule {} \"{}\" notifies {} action(s)",
        read.id,
        read.name,
        read.actions.len()
    );
    Ok(())
}
