//! A Fleet rollout: an agent policy with an integration, an enrollment key for new hosts, then
//! the fleet's agents moved to the policy in batches and a canary group upgraded, Fleet's
//! per-agent upgrade cooldown waited out and every agent's outcome reported.
//!
//! `cargo run --example fleet_rollout` (against the embedded mock unless `KIBANA_URL` is set).

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use kibana_serverless::fleet_epm::types::PostFleetEpmPackagesPkgnamePkgversionBodyInner;
use kibana_serverless::fleet_policies::types::{AgentPolicyRequest, PackagePolicyCreateRequest};
use kibana_serverless::fleet_rollout::Rollout;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let fleet = kibana.fleet();
    let policies = kibana.fleet_policies();

    let policy = policies
        .post_fleet_agent_policies()
        .body(
            AgentPolicyRequest::builder()
                .name("Web servers (canary)")
                .namespace("default")
                .description("Canary group of the nginx fleet".to_string()),
        )
        .send()
        .await?
        .into_inner()
        .item;
    println!("agent policy {} ({})", *policy.name, policy.id);

    // The integration: the package installed once, then added to the policy.
    kibana
        .fleet_epm()
        .post_fleet_epm_packages_pkgname_pkgversion()
        .pkg_name("nginx")
        .pkg_version("1.20.0")
        .body(Some(PostFleetEpmPackagesPkgnamePkgversionBodyInner {
            force: false,
            ignore_constraints: false,
        }))
        .send()
        .await?;
    let integration: PackagePolicyCreateRequest = serde_json::from_value(json!({
        "name": "nginx-canary",
        "namespace": "default",
        "policy_ids": [policy.id],
        "package": {"name": "nginx", "version": "1.20.0"},
        "inputs": {"nginx-logfile": {"enabled": true}}
    }))?;
    let added = policies
        .post_fleet_package_policies()
        .body(integration)
        .send()
        .await?
        .into_inner()
        .item;
    println!("integration {} added", added.name);

    // New hosts enroll with this key; Debug output never shows it.
    let key = kibana
        .fleet_outputs()
        .post_fleet_enrollment_api_keys()
        .body_map(|b| {
            b.policy_id(policy.id.clone())
                .name("canary hosts".to_string())
        })
        .send()
        .await?
        .into_inner()
        .item;
    println!(
        "enrollment key {} for policy {}",
        key.id,
        key.policy_id.as_deref().unwrap_or("-")
    );

    // Every agent of the fleet, listed in pages of 1,000.
    let agents: Vec<String> = fleet
        .get_fleet_agents()
        .items()
        .page_size(1000)
        .map_ok(|agent| agent.id)
        .try_collect()
        .await?;
    let rollout = Rollout::new(&kibana).batch_size(500).concurrency(4);
    let moved = rollout.reassign(&agents, &policy.id).await;
    println!(
        "reassigned {} agents in {} batches, {} refused",
        moved.done.len(),
        moved.actions.len(),
        moved.failed.len()
    );

    // The canary: the first 20 agents, twice each (the second request meets the cooldown and
    // is retried after it), and one agent that is gone: reported, the others go on.
    let mut canary: Vec<String> = agents.iter().take(20).cloned().collect();
    canary.extend(canary.clone());
    canary.push("agent-gone".into());
    let upgraded = rollout.concurrency(8).upgrade(&canary, "8.17.1").await;
    println!(
        "upgrade requested for {} of {} agents",
        upgraded.done.len(),
        canary.len()
    );
    for failure in &upgraded.failed {
        println!("  {}: {}", failure.agent, failure.error);
    }
    Ok(())
}
