//! Each of the API reference's 25 operations on the wire, against a real HTTP server on loopback:
//! the exact method, path, query string, headers and JSON body the reference's curl example
//! sends, and decoding of the reference's response and error examples.

mod common;

use common::wire::{Wire, exact};
use kibana_serverless::{
    Error, ResponseValue, connectors, detection_engine, endpoint, fleet, saved_objects, security,
    security_ai_assistant,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn typed<T: DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("the reference example does not fit its type: {e}"))
}

#[track_caller]
fn decoded<T: Serialize>(result: Result<ResponseValue<T>, Error>, want: &Value) {
    let value = result.unwrap_or_else(|e| panic!("call failed: {e}"));
    let got = serde_json::to_value(value.into_inner()).unwrap();
    common::equivalent(want, &got).unwrap_or_else(|d| panic!("decoded response differs: {d}"));
}

#[track_caller]
fn api_error<T>(result: Result<T, Error>, status: u16, want: &Value) {
    match result {
        Err(Error::Api {
            status: s,
            body,
            raw,
            ..
        }) => {
            assert_eq!(s.as_u16(), status);
            assert!(raw.is_none(), "a JSON error body is not raw text");
            let got = serde_json::to_value(&body).unwrap();
            common::equivalent(want, &got).unwrap_or_else(|d| panic!("decoded error differs: {d}"));
        }
        Err(other) => panic!("expected a {status} API error, got {other:?}"),
        Ok(_) => panic!("expected a {status} API error, got a success"),
    }
}

#[tokio::test]
async fn delete_a_snooze_schedule() {
    let w = Wire::start().await;
    w.expect(
        exact(
            "DELETE",
            "/api/alerting/rule/rule-1/snooze_schedule/sched-1",
        ),
        204,
        None,
    )
    .await;
    let r = w
        .kibana
        .alerting()
        .delete_alerting_rule_ruleid_snooze_schedule_scheduleid()
        .rule_id("rule-1")
        .schedule_id("sched-1")
        .send()
        .await;
    assert_eq!(r.unwrap().status(), 204);
    let w = Wire::start().await;
    w.expect(
        exact("DELETE", "/api/alerting/rule/rule-1/snooze_schedule/nope"),
        404,
        Some(&json!({"statusCode": 404, "error": "Not Found", "message": "no such schedule"})),
    )
    .await;
    let r = w
        .kibana
        .alerting()
        .delete_alerting_rule_ruleid_snooze_schedule_scheduleid()
        .rule_id("rule-1")
        .schedule_id("nope")
        .send()
        .await;
    api_error(
        r,
        404,
        &json!({"statusCode": 404, "error": "Not Found", "message": "no such schedule"}),
    );
}

#[tokio::test]
async fn get_connector_types() {
    let ex = common::reference("GET /api/actions/connector_types");
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/actions/connector_types")
            .query(&[("feature_id", "generativeAIForSecurity")]),
        200,
        Some(&ex[0]),
    )
    .await;
    let r = w
        .kibana
        .connectors()
        .get_actions_connector_types()
        .feature_id("generativeAIForSecurity")
        .send()
        .await;
    decoded(r, &ex[0]);
    let types: connectors::types::GetActionsConnectorTypesResponse = typed(&ex[0]);
    assert_eq!(types[0].minimum_license_required.to_string(), "enterprise");
}

#[tokio::test]
async fn delete_a_connector() {
    let w = Wire::start().await;
    w.expect(
        exact(
            "DELETE",
            "/api/actions/connector/df770e30-8b8b-11ed-a780-3b746c987a81",
        ),
        204,
        None,
    )
    .await;
    let r = w
        .kibana
        .connectors()
        .delete_actions_connector_id()
        .id("df770e30-8b8b-11ed-a780-3b746c987a81")
        .send()
        .await;
    assert_eq!(r.unwrap().status(), 204);
    let w = Wire::start().await;
    let body = json!({"statusCode": 401, "error": "Unauthorized", "message": "[security_exception] unable to authenticate"});
    w.expect(
        exact("DELETE", "/api/actions/connector/c1"),
        401,
        Some(&body),
    )
    .await;
    api_error(
        w.kibana
            .connectors()
            .delete_actions_connector_id()
            .id("c1")
            .send()
            .await,
        401,
        &body,
    );
}

#[tokio::test]
async fn upgrade_an_agent() {
    let ex = common::reference("POST /api/fleet/agents/{agentId}/upgrade");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agents/agent-1/upgrade").json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agents_agentid_upgrade()
        .agent_id("agent-1")
        .body(typed::<fleet::types::PostFleetAgentsAgentidUpgradeBody>(
            &ex[0],
        ))
        .send()
        .await;
    decoded(r, &ex[1]);
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agents/agent-1/upgrade").json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agents_agentid_upgrade()
        .agent_id("agent-1")
        .body(typed::<fleet::types::PostFleetAgentsAgentidUpgradeBody>(
            &ex[0],
        ))
        .send()
        .await;
    api_error(r, 400, &ex[2]);
}

#[tokio::test]
async fn bulk_reassign_agents() {
    let ex = common::reference("POST /api/fleet/agents/bulk_reassign");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agents/bulk_reassign").json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agents_bulk_reassign()
        .body(typed::<fleet::types::PostFleetAgentsBulkReassignBody>(
            &ex[0],
        ))
        .send()
        .await;
    decoded(r, &ex[1]);
    // `agents` is also a KQL query string.
    let by_query = json!({"agents": "fleet-agents.policy_id : \"old\"", "policy_id": "new", "includeInactive": false});
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agents/bulk_reassign").json(&by_query),
        400,
        Some(&ex[2]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agents_bulk_reassign()
        .body(typed::<fleet::types::PostFleetAgentsBulkReassignBody>(
            &by_query,
        ))
        .send()
        .await;
    api_error(r, 400, &ex[2]);
}

#[tokio::test]
async fn get_a_download_source() {
    let ex = common::reference("GET /api/fleet/agent_download_sources/{sourceId}");
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/fleet/agent_download_sources/src-1"),
        200,
        Some(&ex[0]),
    )
    .await;
    decoded(
        w.kibana
            .fleet()
            .get_fleet_agent_download_sources_sourceid()
            .source_id("src-1")
            .send()
            .await,
        &ex[0],
    );
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/fleet/agent_download_sources/src-1"),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .get_fleet_agent_download_sources_sourceid()
            .source_id("src-1")
            .send()
            .await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn copy_an_agent_policy() {
    let ex = common::reference("POST /api/fleet/agent_policies/{agentPolicyId}/copy");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agent_policies/policy-1/copy")
            .query(&[("format", "simplified")])
            .json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agent_policies_agentpolicyid_copy()
        .agent_policy_id("policy-1")
        .format(fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyFormat::Simplified)
        .body(typed::<
            fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyBody,
        >(&ex[0]))
        .send()
        .await;
    decoded(r, &ex[1]);
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/agent_policies/policy-1/copy").json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .post_fleet_agent_policies_agentpolicyid_copy()
        .agent_policy_id("policy-1")
        .body(typed::<
            fleet::types::PostFleetAgentPoliciesAgentpolicyidCopyBody,
        >(&ex[0]))
        .send()
        .await;
    api_error(r, 400, &ex[2]);
}

#[tokio::test]
async fn get_agents() {
    let ex = common::reference("GET /api/fleet/agents");
    let w = Wire::start().await;
    let query = [
        ("page", "2"),
        ("perPage", "50"),
        ("kuery", "status:online"),
        ("showInactive", "true"),
        ("withMetrics", "true"),
        ("showUpgradeable", "false"),
        ("getStatusSummary", "true"),
        ("sortField", "enrolled_at"),
        ("sortOrder", "desc"),
        ("searchAfter", "[1700000000000,\"a\"]"),
        ("openPit", "true"),
        ("pitId", "pit-1"),
        ("pitKeepAlive", "1m"),
    ];
    w.expect(
        exact("GET", "/api/fleet/agents").query(&query),
        200,
        Some(&ex[0]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .get_fleet_agents()
        .page(2)
        .per_page(50)
        .kuery("status:online")
        .show_inactive(true)
        .with_metrics(true)
        .show_upgradeable(false)
        .get_status_summary(true)
        .sort_field("enrolled_at")
        .sort_order(fleet::types::GetFleetAgentsSortOrder::Desc)
        .search_after("[1700000000000,\"a\"]")
        .open_pit(true)
        .pit_id("pit-1")
        .pit_keep_alive("1m")
        .send()
        .await;
    decoded(r, &ex[0]);
    let w = Wire::start().await;
    w.expect(exact("GET", "/api/fleet/agents"), 400, Some(&ex[1]))
        .await;
    api_error(
        w.kibana.fleet().get_fleet_agents().send().await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn get_an_agent() {
    let ex = common::reference("GET /api/fleet/agents/{agentId}");
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/fleet/agents/agent-1").query(&[("withMetrics", "true")]),
        200,
        Some(&ex[0]),
    )
    .await;
    let r = w
        .kibana
        .fleet()
        .get_fleet_agents_agentid()
        .agent_id("agent-1")
        .with_metrics(true)
        .send()
        .await;
    let agent = r
        .as_ref()
        .map(|v| v.item.status.clone())
        .unwrap_or_default();
    assert_eq!(agent.map(|s| s.to_string()).as_deref(), Some("offline"));
    decoded(r, &ex[0]);
    let w = Wire::start().await;
    w.expect(exact("GET", "/api/fleet/agents/agent-1"), 400, Some(&ex[1]))
        .await;
    api_error(
        w.kibana
            .fleet()
            .get_fleet_agents_agentid()
            .agent_id("agent-1")
            .send()
            .await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn install_a_package_by_upload() {
    let response = json!({"_meta": {"install_source": "upload", "name": "nginx"}, "items": [{"id": "nginx-logs", "type": "index_template"}]});
    for (bytes, media_type) in [
        (b"PK\x03\x04zip bytes".to_vec(), "application/zip"),
        (vec![0x1f, 0x8b, 8, 0, 1, 2, 3], "application/gzip"),
    ] {
        let w = Wire::start().await;
        let expected = exact("POST", "/api/fleet/epm/packages")
            .query(&[
                ("ignoreMappingUpdateErrors", "true"),
                ("skipDataStreamRollover", "false"),
            ])
            .raw(&bytes, media_type);
        w.expect(expected, 200, Some(&response)).await;
        let r = w
            .kibana
            .fleet()
            .post_fleet_epm_packages()
            .ignore_mapping_update_errors(true)
            .skip_data_stream_rollover(false)
            .body(bytes)
            .send()
            .await;
        decoded(r, &response);
    }
    let w = Wire::start().await;
    let err = json!({"statusCode": 400, "error": "Bad Request", "message": "Unsupported content type", "errorType": "PackageUnsupportedMediaTypeError"});
    w.expect(
        exact("POST", "/api/fleet/epm/packages").raw(b"not an archive", "application/octet-stream"),
        400,
        Some(&err),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .post_fleet_epm_packages()
            .body(b"not an archive".to_vec())
            .send()
            .await,
        400,
        &err,
    );
}

#[tokio::test]
async fn revoke_an_enrollment_key() {
    let ex = common::reference("DELETE /api/fleet/enrollment_api_keys/{keyId}");
    let w = Wire::start().await;
    w.expect(
        exact("DELETE", "/api/fleet/enrollment_api_keys/key-1"),
        200,
        Some(&ex[0]),
    )
    .await;
    decoded(
        w.kibana
            .fleet()
            .delete_fleet_enrollment_api_keys_keyid()
            .key_id("key-1")
            .send()
            .await,
        &ex[0],
    );
    let w = Wire::start().await;
    w.expect(
        exact("DELETE", "/api/fleet/enrollment_api_keys/key-1"),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .delete_fleet_enrollment_api_keys_keyid()
            .key_id("key-1")
            .send()
            .await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn initiate_fleet_setup() {
    let ex = common::reference("POST /api/fleet/setup");
    let w = Wire::start().await;
    w.expect(exact("POST", "/api/fleet/setup"), 200, Some(&ex[0]))
        .await;
    decoded(w.kibana.fleet().post_fleet_setup().send().await, &ex[0]);
    for (status, body) in [(400, &ex[1]), (500, &ex[2])] {
        let w = Wire::start().await;
        w.expect(exact("POST", "/api/fleet/setup"), status, Some(body))
            .await;
        api_error(
            w.kibana.fleet().post_fleet_setup().send().await,
            status,
            body,
        );
    }
}

#[tokio::test]
async fn get_output_health() {
    let ex = common::reference("GET /api/fleet/outputs/{outputId}/health");
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/fleet/outputs/out-1/health"),
        200,
        Some(&ex[0]),
    )
    .await;
    decoded(
        w.kibana
            .fleet()
            .get_fleet_outputs_outputid_health()
            .output_id("out-1")
            .send()
            .await,
        &ex[0],
    );
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/fleet/outputs/out-1/health"),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .get_fleet_outputs_outputid_health()
            .output_id("out-1")
            .send()
            .await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn upgrade_package_policies() {
    let ex = common::reference("POST /api/fleet/package_policies/upgrade");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/package_policies/upgrade").json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    decoded(
        w.kibana
            .fleet()
            .post_fleet_package_policies_upgrade()
            .body(typed::<fleet::types::PostFleetPackagePoliciesUpgradeBody>(
                &ex[0],
            ))
            .send()
            .await,
        &ex[1],
    );
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/package_policies/upgrade").json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .post_fleet_package_policies_upgrade()
            .body(typed::<fleet::types::PostFleetPackagePoliciesUpgradeBody>(
                &ex[0],
            ))
            .send()
            .await,
        400,
        &ex[2],
    );
}

#[tokio::test]
async fn create_a_service_token() {
    let ex = common::reference("POST /api/fleet/service_tokens");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/service_tokens").json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    decoded(
        w.kibana
            .fleet()
            .post_fleet_service_tokens()
            .body(typed::<fleet::types::PostFleetServiceTokensBody>(&ex[0]))
            .send()
            .await,
        &ex[1],
    );
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/fleet/service_tokens").json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    api_error(
        w.kibana
            .fleet()
            .post_fleet_service_tokens()
            .body(typed::<fleet::types::PostFleetServiceTokensBody>(&ex[0]))
            .send()
            .await,
        400,
        &ex[2],
    );
}

#[tokio::test]
async fn get_all_roles() {
    let roles = json!([{
        "name": "viewer",
        "description": "Read-only",
        "elasticsearch": {"cluster": ["monitor"], "indices": [{"names": ["logs-*"], "privileges": ["read"]}], "run_as": []},
        "kibana": [{"base": ["read"], "feature": {}, "spaces": ["*"]}],
        "metadata": {"_reserved": true},
        "transient_metadata": {"enabled": true}
    }]);
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/security/role").query(&[("replaceDeprecatedPrivileges", "true")]),
        200,
        Some(&roles),
    )
    .await;
    let r = w
        .kibana
        .security()
        .get_security_role()
        .replace_deprecated_privileges(true)
        .send()
        .await;
    decoded::<security::types::GetSecurityRoleResponse>(r, &roles);
    let w = Wire::start().await;
    let err = json!({"statusCode": 403, "error": "Forbidden", "message": "missing privileges"});
    w.expect(exact("GET", "/api/security/role"), 403, Some(&err))
        .await;
    api_error(
        w.kibana.security().get_security_role().send().await,
        403,
        &err,
    );
}

#[tokio::test]
async fn export_saved_objects() {
    let ex = common::reference("POST /api/saved_objects/_export");
    let w = Wire::start().await;
    let ndjson = format!(
        "{}\n{}\n",
        serde_json::to_string(&ex[1]).unwrap(),
        json!({"exportedCount": 1, "missingRefCount": 0, "missingReferences": []})
    );
    let expected = exact("POST", "/api/saved_objects/_export").json(&ex[0]);
    wiremock::Mock::given(expected)
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_raw(ndjson.clone(), "application/x-ndjson"),
        )
        .expect(1)
        .mount(&w.server)
        .await;
    let r = w
        .kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(typed::<saved_objects::types::PostSavedObjectsExportBody>(
            &ex[0],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let mut stream = r.into_inner();
    let mut bytes = Vec::new();
    use futures::StreamExt;
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    let text = String::from_utf8(bytes).unwrap();
    let first: saved_objects::types::PostSavedObjectsExportItem =
        serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first.id.as_deref(),
        Some("de71f4f0-1902-11e9-919b-ffe5949a18d2")
    );
    common::equivalent(&ex[1], &serde_json::to_value(&first).unwrap()).unwrap();
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/saved_objects/_export").json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    api_error(
        w.kibana
            .saved_objects()
            .post_saved_objects_export()
            .body(typed::<saved_objects::types::PostSavedObjectsExportBody>(
                &ex[0],
            ))
            .send()
            .await,
        400,
        &ex[2],
    );
}

#[tokio::test]
async fn create_a_conversation() {
    let ex = common::reference("POST /api/security_ai_assistant/current_user/conversations");
    let w = Wire::start().await;
    w.expect(
        exact(
            "POST",
            "/api/security_ai_assistant/current_user/conversations",
        )
        .json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let body: security_ai_assistant::types::ConversationCreateProps = typed(&ex[0]);
    decoded(
        w.kibana
            .security_ai_assistant()
            .create_conversation()
            .body(body.clone())
            .send()
            .await,
        &ex[1],
    );
    let w = Wire::start().await;
    w.expect(
        exact(
            "POST",
            "/api/security_ai_assistant/current_user/conversations",
        )
        .json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    api_error(
        w.kibana
            .security_ai_assistant()
            .create_conversation()
            .body(body)
            .send()
            .await,
        400,
        &ex[2],
    );
}

#[tokio::test]
async fn get_a_conversation() {
    let ex = common::reference("GET /api/security_ai_assistant/current_user/conversations/{id}");
    let w = Wire::start().await;
    w.expect(
        exact(
            "GET",
            "/api/security_ai_assistant/current_user/conversations/conv-1",
        ),
        200,
        Some(&ex[0]),
    )
    .await;
    decoded(
        w.kibana
            .security_ai_assistant()
            .read_conversation()
            .id("conv-1")
            .send()
            .await,
        &ex[0],
    );
    let w = Wire::start().await;
    w.expect(
        exact(
            "GET",
            "/api/security_ai_assistant/current_user/conversations/conv-1",
        ),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana
            .security_ai_assistant()
            .read_conversation()
            .id("conv-1")
            .send()
            .await,
        400,
        &ex[1],
    );
    // The id is a non-empty string: an empty one is refused before anything is sent.
    let err = Wire::start()
        .await
        .kibana
        .security_ai_assistant()
        .read_conversation()
        .id("")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn update_a_conversation() {
    let ex = common::reference("PUT /api/security_ai_assistant/current_user/conversations/{id}");
    let w = Wire::start().await;
    w.expect(
        exact(
            "PUT",
            "/api/security_ai_assistant/current_user/conversations/conv-1",
        )
        .json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let body: security_ai_assistant::types::ConversationUpdateProps = typed(&ex[0]);
    decoded(
        w.kibana
            .security_ai_assistant()
            .update_conversation()
            .id("conv-1")
            .body(body.clone())
            .send()
            .await,
        &ex[1],
    );
    let w = Wire::start().await;
    w.expect(
        exact(
            "PUT",
            "/api/security_ai_assistant/current_user/conversations/conv-1",
        )
        .json(&ex[0]),
        400,
        Some(&ex[2]),
    )
    .await;
    api_error(
        w.kibana
            .security_ai_assistant()
            .update_conversation()
            .id("conv-1")
            .body(body)
            .send()
            .await,
        400,
        &ex[2],
    );
}

#[tokio::test]
async fn create_a_knowledge_base() {
    let ex = common::reference("POST /api/security_ai_assistant/knowledge_base/{resource}");
    let w = Wire::start().await;
    let query = [
        ("modelId", ".elser_model_2"),
        ("ignoreSecurityLabs", "true"),
    ];
    w.expect(
        exact("POST", "/api/security_ai_assistant/knowledge_base/esql").query(&query),
        200,
        Some(&ex[0]),
    )
    .await;
    let r = w
        .kibana
        .security_ai_assistant()
        .create_knowledge_base()
        .resource("esql")
        .model_id(".elser_model_2")
        .ignore_security_labs(true)
        .send()
        .await;
    decoded(r, &ex[0]);
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/security_ai_assistant/knowledge_base/esql"),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana
            .security_ai_assistant()
            .create_knowledge_base()
            .resource("esql")
            .send()
            .await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn find_prompts() {
    let ex = common::reference("GET /api/security_ai_assistant/prompts/_find");
    let w = Wire::start().await;
    let query = [
        ("fields", "name"),
        ("fields", "content"),
        ("filter", "name:x"),
        ("sort_field", "updated_at"),
        ("sort_order", "asc"),
        ("page", "2"),
        ("per_page", "10"),
    ];
    w.expect(
        exact("GET", "/api/security_ai_assistant/prompts/_find").query(&query),
        200,
        Some(&ex[0]),
    )
    .await;
    let r = w
        .kibana
        .security_ai_assistant()
        .find_prompts()
        .fields(vec!["name".to_string(), "content".to_string()])
        .filter("name:x")
        .sort_field(security_ai_assistant::types::FindPromptsSortField::UpdatedAt)
        .sort_order(security_ai_assistant::types::SortOrder::Asc)
        .page(std::num::NonZeroU64::new(2).unwrap())
        .per_page(10u64)
        .send()
        .await;
    decoded(r, &ex[0]);
    let w = Wire::start().await;
    w.expect(
        exact("GET", "/api/security_ai_assistant/prompts/_find"),
        400,
        Some(&ex[1]),
    )
    .await;
    api_error(
        w.kibana.security_ai_assistant().find_prompts().send().await,
        400,
        &ex[1],
    );
}

#[tokio::test]
async fn assign_alerts() {
    let ex = common::reference("POST /api/detection_engine/signals/assignees");
    for request in [&ex[0], &ex[1]] {
        let w = Wire::start().await;
        let result = json!({"took": 76, "noops": 0, "total": 1, "batches": 1, "deleted": 0, "retries": {"bulk": 0, "search": 0}, "updated": 1, "failures": [], "timed_out": false, "throttled_millis": 0, "version_conflicts": 0, "requests_per_second": -1, "throttled_until_millis": 0});
        w.expect(
            exact("POST", "/api/detection_engine/signals/assignees").json(request),
            200,
            Some(&result),
        )
        .await;
        decoded(
            w.kibana
                .detection_engine()
                .set_alert_assignees()
                .body(typed::<detection_engine::types::SetAlertAssigneesBody>(
                    request,
                ))
                .send()
                .await,
            &result,
        );
    }
    // The reference's own success example has numbers as text ("76,"): a typed decode error
    // that names the field, with the body kept.
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/detection_engine/signals/assignees").json(&ex[0]),
        200,
        Some(&ex[2]),
    )
    .await;
    match w
        .kibana
        .detection_engine()
        .set_alert_assignees()
        .body(typed::<detection_engine::types::SetAlertAssigneesBody>(
            &ex[0],
        ))
        .send()
        .await
    {
        Err(Error::Decode {
            status,
            path,
            message,
            body,
        }) => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            assert_eq!(path, "took");
            assert!(
                message.contains("invalid type: string \"76,\""),
                "{message}"
            );
            assert!(!body.is_empty());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn set_alert_status() {
    let ex = common::reference("POST /api/detection_engine/signals/status");
    for (request, response) in [(&ex[0], &ex[2]), (&ex[1], &ex[3])] {
        let w = Wire::start().await;
        w.expect(
            exact("POST", "/api/detection_engine/signals/status").json(request),
            200,
            Some(response),
        )
        .await;
        decoded(
            w.kibana
                .detection_engine()
                .set_alerts_status()
                .body(typed::<detection_engine::types::SetAlertsStatusBody>(
                    request,
                ))
                .send()
                .await,
            response,
        );
    }
    for (status, body) in [(400, &ex[4]), (400, &ex[5]), (401, &ex[6]), (500, &ex[7])] {
        let w = Wire::start().await;
        w.expect(
            exact("POST", "/api/detection_engine/signals/status").json(&ex[0]),
            status,
            Some(body),
        )
        .await;
        let r = w
            .kibana
            .detection_engine()
            .set_alerts_status()
            .body(typed::<detection_engine::types::SetAlertsStatusBody>(
                &ex[0],
            ))
            .send()
            .await;
        let message = r
            .as_ref()
            .err()
            .and_then(|e| e.message().map(str::to_string));
        assert_eq!(message.as_deref(), Some("string"));
        api_error(r, status, body);
    }
}

#[tokio::test]
async fn suspend_a_process() {
    let ex = common::reference("POST /api/endpoint/action/suspend_process");
    let w = Wire::start().await;
    w.expect(
        exact("POST", "/api/endpoint/action/suspend_process").json(&ex[0]),
        200,
        Some(&ex[1]),
    )
    .await;
    let r = w
        .kibana
        .endpoint()
        .endpoint_suspend_process_action()
        .body(typed::<endpoint::types::SuspendProcessRouteRequestBody>(
            &ex[0],
        ))
        .send()
        .await;
    decoded(r, &ex[1]);
    let w = Wire::start().await;
    let err = json!({"statusCode": 403, "error": "Forbidden", "message": "Endpoint authorization failure"});
    w.expect(
        exact("POST", "/api/endpoint/action/suspend_process").json(&ex[0]),
        403,
        Some(&err),
    )
    .await;
    api_error(
        w.kibana
            .endpoint()
            .endpoint_suspend_process_action()
            .body(typed::<endpoint::types::SuspendProcessRouteRequestBody>(
                &ex[0],
            ))
            .send()
            .await,
        403,
        &err,
    );
}
