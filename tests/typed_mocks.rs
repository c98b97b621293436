//! The typed httpmock mocks (feature `httpmock`), generated from the same spec as the client:
//! one test per domain, plus literal matching of path parameters whatever they hold.

mod common;

use httpmock::MockServer;
use kibana_serverless::mocks;
use kibana_serverless::{Kibana, KibanaErrorBody};
use serde_json::{Value, json};

fn client(server: &MockServer) -> Kibana {
    Kibana::new(&server.base_url(), "dHlwZWQ6bW9ja3M=").unwrap()
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

#[tokio::test]
async fn alerting() {
    use mocks::alerting::MockServerExt;
    let server = MockServer::start_async().await;
    let mock = server.delete_alerting_rule_ruleid_snooze_schedule_scheduleid(|when, then| {
        when.rule_id("rule-1").schedule_id("s-1");
        then.no_content();
    });
    client(&server)
        .alerting()
        .delete_alerting_rule_ruleid_snooze_schedule_scheduleid()
        .rule_id("rule-1")
        .schedule_id("s-1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn connectors() {
    use mocks::connectors::MockServerExt;
    let server = MockServer::start_async().await;
    let types: kibana_serverless::connectors::types::GetActionsConnectorTypesResponse =
        typed(&common::reference("GET /api/actions/connector_types")[0]);
    let mock = server.get_actions_connector_types(|when, then| {
        when.feature_id("alerting");
        then.ok(&types);
    });
    let got = client(&server)
        .connectors()
        .get_actions_connector_types()
        .feature_id("alerting")
        .send()
        .await
        .unwrap();
    assert_eq!(got.len(), 3);
    mock.assert_async().await;
}

#[tokio::test]
async fn fleet_with_hostile_ids() {
    use mocks::fleet::MockServerExt;
    let server = MockServer::start_async().await;
    let page: kibana_serverless::fleet::types::GetFleetAgentsAgentidResponse =
        typed(&common::reference("GET /api/fleet/agents/{agentId}")[0]);
    // `.` and `+` are regex metacharacters; `/`, `?` and `%` are encoded by the client.
    for id in ["a/b.c+d", "x?y", "100%", "(paren)"] {
        let mock = server.get_fleet_agents_agentid(|when, then| {
            when.agent_id(id);
            then.ok(&page);
        });
        client(&server)
            .fleet()
            .get_fleet_agents_agentid()
            .agent_id(id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        mock.assert_async().await;
    }
    // A look-alike id does not match the mock: only a literal match does.
    let mock = server.get_fleet_agents_agentid(|when, then| {
        when.agent_id("a.c");
        then.ok(&page);
    });
    let err = client(&server)
        .fleet()
        .get_fleet_agents_agentid()
        .agent_id("abc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status().unwrap().as_u16(),
        404,
        "httpmock answers 404 when nothing matches"
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn fleet_error_bodies() {
    use mocks::fleet_outputs::MockServerExt;
    let server = MockServer::start_async().await;
    let body: KibanaErrorBody = typed(
        &json!({"statusCode": 400, "error": "Bad Request", "message": "no such output", "errorType": "OutputNotFoundError"}),
    );
    server.get_fleet_outputs_outputid_health(|when, then| {
        when.output_id("o1");
        then.bad_request(&body);
    });
    let err = client(&server)
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("no such output"));
}

#[tokio::test]
async fn saved_objects() {
    use mocks::saved_objects::MockServerExt;
    let server = MockServer::start_async().await;
    let request: kibana_serverless::saved_objects::types::PostSavedObjectsExportBody =
        typed(&json!({"type": "dashboard"}));
    let mock = server.post_saved_objects_export(|when, then| {
        when.body(&request);
        then.into_inner()
            .status(200)
            .header("content-type", "application/x-ndjson")
            .body("{\"id\":\"d1\",\"type\":\"dashboard\"}\n{\"exportedCount\":1}\n");
    });
    use futures::TryStreamExt;
    let lines: Vec<_> = client(&server)
        .saved_objects()
        .post_saved_objects_export()
        .body(request.clone())
        .lines()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines.len(), 2);
    mock.assert_async().await;
}

#[tokio::test]
async fn security() {
    use mocks::security::MockServerExt;
    let server = MockServer::start_async().await;
    let roles: kibana_serverless::security::types::GetSecurityRoleResponse =
        typed(&json!([{"name": "viewer", "elasticsearch": {}, "kibana": []}]));
    let mock = server.get_security_role(|when, then| {
        when.replace_deprecated_privileges(true);
        then.ok(&roles);
    });
    let got = client(&server)
        .security()
        .get_security_role()
        .replace_deprecated_privileges(true)
        .send()
        .await
        .unwrap();
    assert_eq!(got[0].name, "viewer");
    mock.assert_async().await;
}

#[tokio::test]
async fn security_ai_assistant() {
    use mocks::security_ai_assistant::MockServerExt;
    let server = MockServer::start_async().await;
    let page: kibana_serverless::security_ai_assistant::types::FindPromptsResponse =
        typed(&common::reference("GET /api/security_ai_assistant/prompts/_find")[0]);
    let fields = vec!["name".to_string(), "content".to_string()];
    let mock = server.find_prompts(|when, then| {
        when.fields(&fields).per_page(10);
        then.ok(&page);
    });
    client(&server)
        .security_ai_assistant()
        .find_prompts()
        .fields(fields.clone())
        .per_page(10u64)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn detection_engine() {
    use mocks::detection_engine::MockServerExt;
    let server = MockServer::start_async().await;
    let ex = common::reference("POST /api/detection_engine/signals/status");
    let body: kibana_serverless::detection_engine::types::SetAlertsStatusBody = typed(&ex[0]);
    let result: kibana_serverless::detection_engine::types::UpdateByQueryResponse = typed(&ex[2]);
    let mock = server.set_alerts_status(|when, then| {
        when.body(&body);
        then.ok(&result);
    });
    let got = client(&server)
        .detection_engine()
        .set_alerts_status()
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(got.updated, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn endpoint() {
    use mocks::endpoint::MockServerExt;
    let server = MockServer::start_async().await;
    let ex = common::reference("POST /api/endpoint/action/suspend_process");
    let body: kibana_serverless::endpoint::types::SuspendProcessRouteRequestBody = typed(&ex[0]);
    let response: kibana_serverless::endpoint::types::SuspendProcessRouteResponse = typed(&ex[1]);
    let mock = server.endpoint_suspend_process_action(|when, then| {
        when.body(&body);
        then.ok(&response);
    });
    let got = client(&server)
        .endpoint()
        .endpoint_suspend_process_action()
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.data.as_ref().map(|d| d.command.as_str()),
        Some("suspend-process")
    );
    mock.assert_async().await;
}
