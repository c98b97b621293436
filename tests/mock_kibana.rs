//! The embedded mock answers every operation of the spec through the client, and guards
//! requests the way Kibana does.

mod common;

use common::Client;
use kibana_serverless::{Error, Kibana};
use kibana_serverless_mock::{API_KEY, MockKibana};
use serde_json::Value;

/// Every operation of the model through `kibana_serverless::invoke`, with the arguments the
/// model gives it: the mock answers each with a success, or with an error status the operation
/// documents (404 for an id the mock does not have). No code here names an operation.
#[tokio::test]
async fn every_operation_is_answered() {
    let mock = MockKibana::start().await.unwrap();
    let k = Client(Kibana::new(&mock.url(), API_KEY).unwrap());
    let manifest = common::manifest();
    let (answered, failures) = kibana_serverless_testkit::mock::every_operation_answered(
        &k,
        &manifest,
        &common::domain_specs(),
    )
    .await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(answered, manifest["operations"].as_array().unwrap().len());
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
