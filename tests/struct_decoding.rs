//! The generated structs decode with `kibana_serverless_derive::Deserialize`; these pin the
//! serde rules it keeps: renamed keys, missing `Option` fields, `null`, missing required fields
//! (but a value of any kind, which reads as `null`),
//! unknown keys (ignored, or refused where the schema closes the object), and error paths.

use kibana_serverless::fleet::types::{Agent, PostFleetAgentsAgentidUpgradeBody};
use serde_json::json;

#[test]
fn renamed_optional_and_null_fields() {
    let body: PostFleetAgentsAgentidUpgradeBody = serde_json::from_value(
        json!({"version": "9.1.0", "skipRateLimitCheck": true, "force": null}),
    )
    .unwrap();
    assert_eq!(body.version, "9.1.0");
    assert_eq!(body.skip_rate_limit_check, Some(true));
    assert_eq!(body.force, None);
    assert_eq!(body.source_uri, None);
    // From text as well as from a Value (borrowed and owned keys).
    let text: PostFleetAgentsAgentidUpgradeBody =
        serde_json::from_str(r#"{"version":"9.1.0","skipRateLimitCheck":true}"#).unwrap();
    assert_eq!(text, body);
}

#[test]
fn a_missing_required_field_is_named() {
    let err =
        serde_json::from_str::<PostFleetAgentsAgentidUpgradeBody>(r#"{"force":true}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `version`"), "{err}");
}

#[test]
fn a_required_value_of_any_kind_left_out_reads_as_null() {
    use kibana_serverless::fleet::types::AgentAction;
    // `ack_data` and `data` are `{}` (any value) and required; Kibana leaves out what it has not.
    let action: AgentAction = serde_json::from_str(
        r#"{"id":"a1","type":"SETTINGS","created_at":"2024-07-26T14:05:00.000Z","data":{"log_level":"debug"}}"#,
    )
    .unwrap();
    assert_eq!(action.ack_data, serde_json::Value::Null);
    assert_eq!(action.data, json!({"log_level": "debug"}));
    // Other required fields are still required.
    let err = serde_json::from_str::<AgentAction>(r#"{"id":"a1","created_at":"x"}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `type`"), "{err}");
}

#[test]
fn unknown_keys_are_refused_where_the_schema_closes_the_object() {
    let err = serde_json::from_str::<PostFleetAgentsAgentidUpgradeBody>(
        r#"{"version":"9.1.0","surprise":1}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown field `surprise`"),
        "{err}"
    );
}

#[test]
fn unknown_keys_of_response_types_are_kept_whatever_their_shape() {
    let sent = json!({
        "id": "a", "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "x",
        "local_metadata": {}, "new_in_kibana_10": {"nested": [1, {"deep": null}]},
        "agent": {"id": "b", "version": "9.0.0"}, "components": [
            {"id": "c", "message": "m", "status": "HEALTHY", "type": "t", "added": 1}
        ]
    });
    let agent: Agent = serde_json::from_value(sent.clone()).unwrap();
    assert_eq!(agent.id, "a");
    let unknown: Vec<&String> = agent.unknown_fields.keys().collect();
    assert_eq!(unknown, ["new_in_kibana_10"]);
    assert_eq!(
        agent.unknown_fields["new_in_kibana_10"],
        json!({"nested": [1, {"deep": null}]})
    );
    assert_eq!(agent.components[0].unknown_fields["added"], json!(1));
    // Nothing Kibana sent is lost: encoded back, it is the same object.
    assert_eq!(serde_json::to_value(&agent).unwrap(), sent);
    // Debug names an unknown key, never its value (it may be a secret).
    let shown = format!("{agent:?}");
    assert!(
        shown.contains(r#"unknown_fields: UnknownFields["new_in_kibana_10"]"#),
        "{shown}"
    );
    assert!(!shown.contains("deep"), "{shown}");
}

#[test]
fn types_a_caller_reads_and_sends_back_keep_unknown_keys_through_their_builders() {
    use kibana_serverless::alerting::types::{
        ActionFrequency, ActionFrequencyNotifyWhen, builder as alerting_builder,
    };
    use kibana_serverless::detection_engine::types::Threat;
    // A rule's threat is read from one answer and sent in the next update: a key this spec does
    // not know must survive both, or a full update would reset it in Kibana.
    let read = json!({
        "framework": "MITRE ATT&CK",
        "tactic": {"id": "TA0001", "name": "Initial Access", "reference": "https://attack.mitre.org/tactics/TA0001/", "added": true},
        "technique": [],
        "new_in_kibana_10": {"weight": 2}
    });
    let threat: Threat = serde_json::from_value(read.clone()).unwrap();
    assert_eq!(
        threat.unknown_fields["new_in_kibana_10"],
        json!({"weight": 2})
    );
    assert_eq!(threat.tactic.unknown_fields["added"], json!(true));
    let mut sent = read;
    sent.as_object_mut().unwrap().remove("technique");
    assert_eq!(serde_json::to_value(&threat).unwrap(), sent);

    // An alerting action's frequency, turned into its builder, changed and built again.
    let read = json!({"notify_when": "onThrottleInterval", "summary": false, "throttle": "1h", "new_in_kibana_10": [1]});
    let frequency: ActionFrequency = serde_json::from_value(read.clone()).unwrap();
    let changed = ActionFrequency::try_from(
        alerting_builder::ActionFrequency::from(frequency).throttle("2h".to_string()),
    )
    .unwrap();
    assert_eq!(changed.unknown_fields["new_in_kibana_10"], json!([1]));
    let mut sent = read;
    sent["throttle"] = json!("2h");
    assert_eq!(serde_json::to_value(&changed).unwrap(), sent);
    // Built from nothing, it sends only what the caller set.
    let fresh = ActionFrequency::try_from(
        ActionFrequency::builder()
            .notify_when(ActionFrequencyNotifyWhen::OnActiveAlert)
            .summary(true)
            .throttle(None),
    )
    .unwrap();
    assert!(fresh.unknown_fields.is_empty());
    assert_eq!(
        serde_json::to_value(&fresh).unwrap(),
        json!({"notify_when": "onActiveAlert", "summary": true})
    );
}

#[test]
fn errors_carry_the_path_and_the_expected_type() {
    let json = r#"{"id":"a","packages":[],"type":"PERMANENT","active":"yes","enrolled_at":"x","local_metadata":{}}"#;
    let de = &mut serde_json::Deserializer::from_str(json);
    let err = serde_path_to_error::deserialize::<_, Agent>(de).unwrap_err();
    assert_eq!(err.path().to_string(), "active");
    assert!(
        err.inner().to_string().contains("expected a boolean"),
        "{err}"
    );
    let err = serde_json::from_str::<Agent>("[1, 2]").unwrap_err();
    assert!(err.to_string().contains("expected struct Agent"), "{err}");
}

#[test]
fn counters_are_integers_that_also_read_whole_floats() {
    use kibana_serverless::fleet::types::GetFleetAgentsResponse;
    let page = |total: serde_json::Value| {
        let text = json!({"items": [], "total": total, "page": 1.0, "perPage": 20}).to_string();
        let de = &mut serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize::<_, GetFleetAgentsResponse>(de)
    };
    // `total` is an integer a caller uses as one, whether Kibana writes `42` or `42.0`.
    let total: i64 = page(json!(42.0)).unwrap().total;
    assert_eq!(total, 42);
    assert_eq!(page(json!(42)).unwrap().total, 42);
    let err = page(json!(42.5)).unwrap_err();
    assert_eq!(err.path().to_string(), "total");
    assert!(err.to_string().contains("a whole number"), "{err}");
}

/// The same struct with serde's own derive, to compare the compact derive's flatten against.
#[derive(serde::Deserialize, Debug, PartialEq)]
struct SerdeAgentAgent {
    id: String,
    version: String,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[test]
fn a_flattened_map_gets_every_other_key_as_serde_gives_it() {
    use kibana_serverless::fleet::types::AgentAgent;
    let texts = [
        r#"{"id":"a","version":"9.1.0"}"#,
        r#"{"extra":1,"id":"a","version":"9.1.0","z":[1,{"deep":null}],"k\"ey":"v\u00e9","b":true}"#,
        r#"{"id":"a","version":"9.1.0","id2":{"id":"nested"}}"#,
    ];
    for text in texts {
        let ours: AgentAgent = serde_json::from_str(text).unwrap();
        let serde: SerdeAgentAgent = serde_json::from_str(text).unwrap();
        assert_eq!(
            (&ours.id, &ours.version, &ours.extra),
            (&serde.id, &serde.version, &serde.extra)
        );
        // From a Value too (owned keys), and back to the same JSON, key order kept.
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let owned: AgentAgent = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(owned, ours);
        assert_eq!(serde_json::to_value(&ours).unwrap(), value);
    }
    let agent: AgentAgent = serde_json::from_str(texts[1]).unwrap();
    let keys: Vec<&str> = agent.extra.keys().map(String::as_str).collect();
    assert_eq!(keys, ["extra", "z", "k\"ey", "b"]);
    let err = serde_json::from_str::<AgentAgent>(r#"{"id":"a","other":1}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `version`"), "{err}");
    let err =
        serde_json::from_str::<AgentAgent>(r#"{"id":"a","version":"1","x":tru}"#).unwrap_err();
    assert!(err.is_syntax(), "{err}");
}
