//! Every operation of the spec, driven from the operation model (`generated/operations.json`)
//! and the normalized spec (`generated/openapi.json`) through `kibana_serverless::invoke`: the
//! request each sends and every answer each documents (see `kibana_serverless_testkit`). No
//! code here names an operation.

mod common;

use common::Client;
use kibana_serverless::{Kibana, RetryPolicy};

#[tokio::test]
async fn every_operation_conforms_to_the_spec() {
    let manifest = common::manifest();
    let report = kibana_serverless_testkit::conformance::run(
        &manifest,
        &common::domain_specs(),
        |url| {
            Client(
                Kibana::builder(url)
                    .api_key(common::wire::CANARY_KEY)
                    .retry_policy(RetryPolicy::none())
                    .build()
                    .expect("client"),
            )
        },
        // None beyond those the testkit finds: an example that contradicts its own schema (the
        // reference's SetAlertAssignees answers `"took": "76,"`) must fail to decode.
        &[],
    )
    .await;
    let operations = manifest["operations"].as_array().map_or(0, Vec::len);
    assert_eq!(report.operations, operations, "every operation is covered");
    assert!(
        report.failures.is_empty(),
        "{} of {} cases failed:\n{}",
        report.failures.len(),
        report.cases,
        report.failures.join("\n")
    );
    println!("{} operations, {} cases", report.operations, report.cases);
}
