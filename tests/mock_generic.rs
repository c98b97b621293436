//! The mock from the spec alone, on the construct-coverage spec and on a copy of the vendored
//! spec with an operation added: create/read/update/delete/find families keep state per space
//! (404, 409), requests are checked (400 naming the field), and an operation added to the spec
//! is answered with no new code.

mod common;

use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use serde_json::{Value, json};

async fn mock_of(spec_path: &std::path::Path) -> MockKibana {
    let specs = kibana_serverless_codegen::domain_specs(&common::root().join("spec"), spec_path)
        .expect("the spec generates");
    MockKibana::start_with(MockConfig {
        spec: Some(specs),
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(mock: &MockKibana) -> Self {
        // reqwest is built without a default TLS provider; any installed one will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            client: reqwest::Client::new(),
            base: mock.url(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("authorization", format!("ApiKey {API_KEY}"))
            .header("kbn-xsrf", "true");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_resource_family_keeps_state_per_space() {
    let mock = mock_of(&common::root().join("tests/specs/constructs.yaml")).await;
    let http = Http::new(&mock);
    let widget = json!({"name": "cpu-gauge", "kind": "widget", "tags": ["ops"]});
    let (status, created) = http
        .call("POST", "/api/widgets", Some(widget.clone()))
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(created["name"], "cpu-gauge");

    let (status, read) = http.call("GET", &format!("/api/widgets/{id}"), None).await;
    assert_eq!(
        (status, &read["name"]),
        (200, &json!("cpu-gauge")),
        "{read}"
    );
    let (status, found) = http
        .call("GET", "/api/widgets?page=1&perPage=10", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["widgets"][0]["id"], json!(id));

    // Another space does not see it.
    let (status, _) = http
        .call("GET", &format!("/s/team-a/api/widgets/{id}"), None)
        .await;
    assert_eq!(status, 404);
    let (_, other) = http.call("GET", "/s/team-a/api/widgets", None).await;
    assert_eq!(other["total"], 0, "{other}");

    let (status, updated) = http
        .call(
            "PUT",
            &format!("/api/widgets/{id}"),
            Some(json!({"name": "cpu-dial", "kind": "widget"})),
        )
        .await;
    assert_eq!(
        (status, &updated["name"]),
        (200, &json!("cpu-dial")),
        "{updated}"
    );
    let (_, read) = http.call("GET", &format!("/api/widgets/{id}"), None).await;
    assert_eq!(read["name"], "cpu-dial");

    let (status, _) = http
        .call("DELETE", &format!("/api/widgets/{id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, gone) = http.call("GET", &format!("/api/widgets/{id}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(gone["statusCode"], 404);

    // A body without a required field is refused the way Kibana words it.
    let (status, bad) = http
        .call("POST", "/api/widgets", Some(json!({"kind": "widget"})))
        .await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(
        bad["message"],
        "[request body.name]: expected value of type [string] but got [undefined]"
    );
}

#[tokio::test]
async fn an_operation_added_to_the_spec_is_answered() {
    let vendored =
        std::fs::read_to_string(common::root().join("spec/kibana.serverless.yaml")).unwrap();
    let added =
        std::fs::read_to_string(common::root().join("tests/specs/added-operation.yaml")).unwrap();
    let grown = vendored.replacen("\npaths:\n", &format!("\npaths:\n{added}"), 1);
    let path = std::env::temp_dir().join(format!("grown-spec-{}.yaml", std::process::id()));
    std::fs::write(&path, grown).unwrap();
    let mock = mock_of(&path).await;
    std::fs::remove_file(&path).unwrap();
    let http = Http::new(&mock);
    let (status, thing) = http
        .call("GET", "/api/spec_growth/things/thing-1?verbose=true", None)
        .await;
    assert_eq!((status, thing), (200, json!({"id": "thing-1", "size": 3})));
    let (status, bad) = http
        .call("GET", "/api/spec_growth/things/thing-1?verbose=maybe", None)
        .await;
    assert_eq!(status, 400, "{bad}");
    // The vendored operations are still there.
    let (status, _) = http.call("GET", "/api/actions/connector_types", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_family_without_post_creates_by_put() {
    // Roles: PUT creates or updates, GET reads, DELETE deletes.
    let mock = MockKibana::start().await.unwrap();
    let http = Http::new(&mock);
    let (status, _) = http.call("GET", "/api/security/role/analyst", None).await;
    assert_eq!(status, 404);
    let role = json!({"elasticsearch": {"cluster": ["monitor"], "indices": []}, "kibana": []});
    let (status, _) = http
        .call("PUT", "/api/security/role/analyst", Some(role))
        .await;
    assert_eq!(status, 204);
    let (status, read) = http.call("GET", "/api/security/role/analyst", None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        read["elasticsearch"]["cluster"],
        json!(["monitor"]),
        "{read}"
    );
    let (status, _) = http
        .call("DELETE", "/api/security/role/analyst", None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = http.call("GET", "/api/security/role/analyst", None).await;
    assert_eq!(status, 404);
}

/// Kibana's Security APIs address an item on the collection path (`?rule_id=`, or the body's
/// `rule_id` for an update): the mock keeps such families too.
#[tokio::test]
async fn a_query_addressed_family_keeps_state() {
    let mock = mock_of(&common::root().join("spec/kibana.serverless.yaml")).await;
    let http = Http::new(&mock);
    let specs = common::domain_specs();
    let create = specs["detection_engine"]
        .pointer("/paths/~1api~1detection_engine~1rules/post/requestBody/content/application~1json/examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
        .map(|e| e["value"].clone())
        .expect("the create-rule example");
    let mut rule = create.clone();
    rule["rule_id"] = json!("mock-rule-1");
    rule["name"] = json!("First");
    let rules = "/api/detection_engine/rules";
    let (status, created) = http.call("POST", rules, Some(rule.clone())).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("an id").to_string();

    let (status, read) = http
        .call("GET", &format!("{rules}?rule_id=mock-rule-1"), None)
        .await;
    assert_eq!(
        (status, read["name"].as_str()),
        (200, Some("First")),
        "{read}"
    );
    let (_, by_id) = http.call("GET", &format!("{rules}?id={id}"), None).await;
    assert_eq!(by_id["rule_id"], "mock-rule-1");

    rule["name"] = json!("Renamed");
    let (status, updated) = http.call("PUT", rules, Some(rule)).await;
    assert_eq!((status, updated["name"].as_str()), (200, Some("Renamed")));
    assert_eq!(updated["id"], json!(id), "the update keeps the id");

    let (_, found) = http
        .call("GET", &format!("{rules}/_find?per_page=50"), None)
        .await;
    let names: Vec<&str> = found["data"]
        .as_array()
        .expect("a page")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"Renamed"), "{found}");

    let (status, _) = http
        .call("DELETE", &format!("{rules}?rule_id=mock-rule-1"), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = http
        .call("GET", &format!("{rules}?rule_id=mock-rule-1"), None)
        .await;
    assert_eq!(status, 404);
}
