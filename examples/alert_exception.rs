//! From alerts to an exception: the open alerts of the last day grouped by host, the noisiest
//! host's alerts judged a false positive, an exception added to the rule for that host, and a
//! note left on the investigation's timeline saying why.
//!
//! (Kibana's serverless API has no cases operations; a timeline note is where serverless keeps
//! an analyst's comment on alerts.)
//!
//! `cargo run --example alert_exception` (against the embedded mock unless `KIBANA_URL` is set).

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::detection_engine::types::SearchAlertsBody;
use kibana_serverless::exceptions::types::CreateRuleExceptionListItemsBody;
use kibana_serverless::timeline::types::PersistNoteRouteBody;
use serde_json::json;

/// The rule whose alerts are triaged, and the timeline of the investigation.
const RULE_ID: &str = "330bdd28-eedf-40e1-bed0-f10176c7f9e0";
const TIMELINE_ID: &str = "15c1929b-0af7-42bd-85a8-56e234cc7c4e";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;

    // Open alerts of the last day, counted per host.
    let search: SearchAlertsBody = serde_json::from_value(json!({
        "size": 0,
        "query": {"bool": {"filter": [
            {"match_phrase": {"kibana.alert.workflow_status": "open"}},
            {"range": {"@timestamp": {"gte": "now-1d"}}}
        ]}},
        "aggs": {"alertsByGrouping": {"terms": {"field": "host.name", "size": 10}}}
    }))?;
    let answer = kibana
        .detection_engine()
        .search_alerts()
        .body(search)
        .send()
        .await?
        .into_inner();
    let buckets = answer
        .get("aggregations")
        .and_then(|a| a.pointer("/alertsByGrouping/buckets"))
        .and_then(|b| b.as_array())
        .cloned()
        .unwrap_or_default();
    let Some(noisiest) = buckets.first() else {
        println!("no open alerts");
        return Ok(());
    };
    let host = noisiest["key"].as_str().unwrap_or_default().to_string();
    println!("{} open alerts on {host}", noisiest["doc_count"]);

    // The host is a build server that runs Office macros by design: an exception for it.
    let exception: CreateRuleExceptionListItemsBody = serde_json::from_value(json!({
        "items": [{
            "item_id": format!("build-host-{host}"),
            "name": format!("Build host {host}"),
            "description": "Office macros run here by design (build pipeline).",
            "type": "simple",
            "namespace_type": "single",
            "tags": ["false-positive"],
            "os_types": ["windows"],
            "entries": [{"field": "host.name", "operator": "included", "type": "match", "value": host}]
        }]
    }))?;
    let items = kibana
        .exceptions()
        .create_rule_exception_list_items()
        .id(RULE_ID)
        .body(exception)
        .send()
        .await?
        .into_inner();
    for item in items.iter() {
        println!(
            "exception {} added to list {}",
            item.item_id.as_str(),
            item.list_id.as_str()
        );
    }

    // The analyst's comment, on the investigation's timeline.
    let note: PersistNoteRouteBody = serde_json::from_value(json!({
        "note": {
            "timelineId": TIMELINE_ID,
            "note": format!("Alerts on {host} are the build pipeline's macros; exception added.")
        }
    }))?;
    let saved = kibana
        .timeline()
        .persist_note_route()
        .body(note)
        .send()
        .await?
        .into_inner();
    println!(
        "note saved: {}",
        serde_json::to_value(&saved)?["note"]["noteId"]
    );
    Ok(())
}
