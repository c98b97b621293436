//! The embedded mock answers every operation of the spec through the client, and guards
//! requests the way Kibana does.

mod common;

use kibana_serverless::{Error, Kibana};
use kibana_serverless_mock::{API_KEY, MockKibana};
use serde_json::{Value, json};

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

#[tokio::test]
async fn every_operation_is_answered() {
    use kibana_serverless::{
        detection_engine as de, endpoint, fleet, saved_objects as so, security_ai_assistant as ai,
    };
    let mock = MockKibana::start().await.unwrap();
    let k = Kibana::new(&mock.url(), API_KEY).unwrap();
    let ex = |op: &str, i: usize| common::reference(op)[i].clone();
    k.alerting()
        .delete_alerting_rule_ruleid_snooze_schedule_scheduleid()
        .rule_id("r")
        .schedule_id("s")
        .send()
        .await
        .unwrap();
    assert!(
        !k.connectors()
            .get_actions_connector_types()
            .send()
            .await
            .unwrap()
            .is_empty()
    );
    k.connectors()
        .delete_actions_connector_id()
        .id("c")
        .send()
        .await
        .unwrap();
    k.fleet()
        .post_fleet_agents_agentid_upgrade()
        .agent_id("agent-000001")
        .body(typed::<fleet::types::PostFleetAgentsAgentidUpgradeBody>(
            &ex("POST /api/fleet/agents/{agentId}/upgrade", 0),
        ))
        .send()
        .await
        .unwrap();
    k.fleet()
        .post_fleet_agents_bulk_reassign()
        .body(typed::<fleet::types::PostFleetAgentsBulkReassignBody>(&ex(
            "POST /api/fleet/agents/bulk_reassign",
            0,
        )))
        .send()
        .await
        .unwrap();
    k.fleet()
        .get_fleet_agent_download_sources_sourceid()
        .source_id("s")
        .send()
        .await
        .unwrap();
    k.fleet()
        .post_fleet_agent_policies_agentpolicyid_copy()
        .agent_policy_id("p")
        .body(typed::<
            fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyBody,
        >(&ex(
            "POST /api/fleet/agent_policies/{agentPolicyId}/copy",
            0,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        k.fleet()
            .get_fleet_agents()
            .send()
            .await
            .unwrap()
            .items
            .len(),
        20
    );
    assert_eq!(
        k.fleet()
            .get_fleet_agents_agentid()
            .agent_id("agent-000007")
            .send()
            .await
            .unwrap()
            .item
            .id,
        "agent-000007"
    );
    k.fleet()
        .post_fleet_epm_packages()
        .upload(b"PK\x03\x04package".to_vec(), None)
        .await
        .unwrap();
    k.fleet()
        .delete_fleet_enrollment_api_keys_keyid()
        .key_id("k")
        .send()
        .await
        .unwrap();
    k.fleet().post_fleet_setup().send().await.unwrap();
    k.fleet()
        .get_fleet_outputs_outputid_health()
        .output_id("o")
        .send()
        .await
        .unwrap();
    k.fleet()
        .post_fleet_package_policies_upgrade()
        .body(typed::<fleet::types::PostFleetPackagePoliciesUpgradeBody>(
            &ex("POST /api/fleet/package_policies/upgrade", 0),
        ))
        .send()
        .await
        .unwrap();
    k.fleet()
        .post_fleet_service_tokens()
        .body(typed::<fleet::types::PostFleetServiceTokensBody>(&ex(
            "POST /api/fleet/service_tokens",
            0,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        k.security().get_security_role().send().await.unwrap().len(),
        2
    );
    let export: so::types::PostSavedObjectsExportBody =
        typed(&ex("POST /api/saved_objects/_export", 0));
    use futures::TryStreamExt;
    let lines: Vec<_> = k
        .saved_objects()
        .post_saved_objects_export()
        .body(export)
        .lines()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines.len(), 1, "one object asked for, details excluded");
    let created = k
        .security_ai_assistant()
        .create_conversation()
        .body(typed::<ai::types::ConversationCreateProps>(&ex(
            "POST /api/security_ai_assistant/current_user/conversations",
            0,
        )))
        .send()
        .await
        .unwrap();
    k.security_ai_assistant()
        .update_conversation()
        .id(created.id.as_str())
        .body(typed::<ai::types::ConversationUpdateProps>(&ex(
            "PUT /api/security_ai_assistant/current_user/conversations/{id}",
            0,
        )))
        .send()
        .await
        .unwrap();
    k.security_ai_assistant()
        .read_conversation()
        .id(created.id.as_str())
        .send()
        .await
        .unwrap();
    k.security_ai_assistant()
        .create_knowledge_base()
        .resource("esql")
        .send()
        .await
        .unwrap();
    assert_eq!(
        k.security_ai_assistant()
            .find_prompts()
            .send()
            .await
            .unwrap()
            .total,
        45
    );
    k.detection_engine()
        .set_alert_assignees()
        .body(typed::<de::types::SetAlertAssigneesBody>(&ex(
            "POST /api/detection_engine/signals/assignees",
            0,
        )))
        .send()
        .await
        .unwrap();
    let closed = k
        .detection_engine()
        .set_alerts_status()
        .body(typed::<de::types::SetAlertsStatusBody>(
            &json!({"signal_ids": ["alert-3"], "status": "closed"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.updated, Some(1));
    assert_eq!(mock.alert_status("alert-3").as_deref(), Some("closed"));
    k.endpoint()
        .endpoint_suspend_process_action()
        .body(typed::<endpoint::types::SuspendProcessRouteRequestBody>(
            &ex("POST /api/endpoint/action/suspend_process", 0),
        ))
        .send()
        .await
        .unwrap();
    assert!(mock.requests() >= 25);
}

#[tokio::test]
async fn credentials_and_xsrf_are_checked_like_kibana() {
    let mock = MockKibana::start().await.unwrap();
    let wrong = Kibana::new(&mock.url(), "d3Jvbmc6a2V5").unwrap();
    match wrong.fleet().get_fleet_agents().send().await.unwrap_err() {
        Error::Api { status, body, .. } => {
            assert_eq!(status.as_u16(), 401);
            assert!(body.message.unwrap().contains("unable to authenticate"));
        }
        other => panic!("{other:?}"),
    }
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/fleet/setup", mock.url()))
        .header("authorization", format!("ApiKey {API_KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message"], "Request must contain a kbn-xsrf header.");
    let r = http
        .get(format!("{}/api/fleet/agents", mock.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Spaces are served too.
    let team = Kibana::new(&mock.url(), API_KEY)
        .unwrap()
        .space("team-a")
        .unwrap();
    assert_eq!(
        team.fleet()
            .get_fleet_agents()
            .per_page(5)
            .send()
            .await
            .unwrap()
            .items
            .len(),
        5
    );
}
