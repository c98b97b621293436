//! Moves a batch of agents to a new policy, then upgrades them one by one. Fleet rate-limits
//! upgrades per agent (429 during a cooldown); the upgrade operation is opted in to retries, so
//! the client backs off and tries again.
//!
//! `cargo run --example upgrade_agents`

#[path = "support/mod.rs"]
mod support;

use kibana_serverless::fleet::types::{
    PostFleetAgentsAgentidUpgradeBody, PostFleetAgentsBulkReassignBody,
    PostFleetAgentsBulkReassignBodyAgents,
};
use kibana_serverless::{RetryPolicy, fleet};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (kibana, _mock) = support::connect().await?;
    let agents: Vec<String> = (0..5).map(|n| format!("agent-{n:06}")).collect();

    let reassign = kibana
        .fleet()
        .post_fleet_agents_bulk_reassign()
        .body(PostFleetAgentsBulkReassignBody {
            agents: PostFleetAgentsBulkReassignBodyAgents::Array(agents.clone()),
            policy_id: "policy-canary".into(),
            batch_size: None,
            include_inactive: false,
        })
        .send()
        .await?;
    println!(
        "reassigning {} agents: action {}",
        agents.len(),
        reassign.action_id
    );

    // Upgrading is a POST: retried only because we opt in, for this operation alone.
    let retrying = kibana.with_retry_policy(
        RetryPolicy::default()
            .retry_post_for([fleet::operations::POST_FLEET_AGENTS_AGENTID_UPGRADE])
            .backoff(Duration::from_millis(300), Duration::from_secs(5)),
    );
    for agent in &agents {
        let body = PostFleetAgentsAgentidUpgradeBody {
            version: "8.17.1".into(),
            force: None,
            skip_rate_limit_check: None,
            source_uri: None,
        };
        retrying
            .fleet()
            .post_fleet_agents_agentid_upgrade()
            .agent_id(agent.as_str())
            .body(body.clone())
            .send()
            .await?;
        println!("upgrade of {agent} requested");
        // Asking again at once hits the per-agent cooldown; the client waits it out.
        retrying
            .fleet()
            .post_fleet_agents_agentid_upgrade()
            .agent_id(agent.as_str())
            .body(body)
            .send()
            .await?;
        println!("upgrade of {agent} confirmed after the cooldown");
    }
    Ok(())
}
