//! The Fleet rollout helper against the embedded mock: batches and their actions, bounded
//! concurrency, the per-agent upgrade cooldown waited out, per-agent failures reported.

use kibana_serverless::Kibana;
use kibana_serverless::fleet_rollout::Rollout;
use kibana_serverless_mock::{API_KEY, MockConfig, MockKibana};
use std::time::{Duration, Instant};

async fn mock(agents: usize) -> (Kibana, MockKibana) {
    let mock = MockKibana::start_with(MockConfig {
        agents,
        upgrade_cooldown: Duration::from_millis(300),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let kibana = Kibana::new(&mock.url(), API_KEY).unwrap();
    (kibana, mock)
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("agent-{i:06}")).collect()
}

#[tokio::test]
async fn reassignment_goes_in_batches() {
    let (kibana, _mock) = mock(2_500).await;
    let report = Rollout::new(&kibana)
        .batch_size(400)
        .concurrency(3)
        .reassign(&ids(2_500), "policy-b")
        .await;
    assert!(report.all_done(), "{:?}", report.failed);
    assert_eq!(report.done.len(), 2_500);
    // 2,500 agents in batches of 400: seven bulk requests, seven Fleet actions.
    assert_eq!(report.actions.len(), 7);
}

#[tokio::test]
async fn a_refused_batch_fails_each_of_its_agents() {
    let (kibana, _mock) = mock(10).await;
    // A policy that does not exist: each batch is refused (404).
    let report = Rollout::new(&kibana)
        .batch_size(4)
        .reassign(&ids(10), "")
        .await;
    assert_eq!(report.done.len() + report.failed.len(), 10);
    assert_eq!(report.failed.len(), 10);
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.error.to_string().contains("404")),
        "{:?}",
        report.failed
    );
}

#[tokio::test]
async fn upgrades_wait_out_the_cooldown_and_report_each_failure() {
    let (kibana, _mock) = mock(50).await;
    let mut agents = ids(10);
    agents.extend(ids(10)); // each agent twice: the second meets the cooldown
    agents.push("agent-999999".into()); // not enrolled
    let started = Instant::now();
    let report = Rollout::new(&kibana)
        .concurrency(4)
        .upgrade(&agents, "8.17.1")
        .await;
    assert_eq!(report.done.len(), 20, "{:?}", report.failed);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].agent, "agent-999999");
    assert!(
        report.failed[0].error.to_string().contains("404"),
        "{}",
        report.failed[0].error
    );
    // Some upgrade met the cooldown and was retried after it.
    assert!(started.elapsed() >= Duration::from_millis(300));
}
