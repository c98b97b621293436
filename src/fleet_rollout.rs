//! Acting on thousands of Fleet agents: reassigning them to a policy in batches, and upgrading
//! them with bounded concurrency, waiting out Fleet's per-agent upgrade cooldown (429) and
//! reporting every agent's outcome instead of stopping at the first failure.
//!
//! ```no_run
//! # async fn run(kibana: kibana_serverless::Kibana) {
//! use kibana_serverless::fleet_rollout::Rollout;
//!
//! let agents: Vec<String> = (0..5_000).map(|n| format!("agent-{n:06}")).collect();
//! let rollout = Rollout::new(&kibana).concurrency(16).batch_size(1_000);
//! let moved = rollout.reassign(&agents, "policy-canary").await;
//! println!("{} batches, {} agents refused", moved.actions.len(), moved.failed.len());
//! let upgraded = rollout.upgrade(&agents, "8.17.1").await;
//! for failure in &upgraded.failed {
//!     eprintln!("{}: {}", failure.agent, failure.error);
//! }
//! # }
//! ```

use crate::fleet::types::{
    PostFleetAgentsAgentidUpgradeBody, PostFleetAgentsBulkReassignBody,
    PostFleetAgentsBulkReassignBodyAgents,
};
use crate::{Error, Kibana, RetryPolicy, fleet};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::Duration;

/// Upgrades and reassignments of many agents. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Rollout {
    kibana: Kibana,
    concurrency: usize,
    batch_size: usize,
}

/// What became of each agent of a rollout.
#[derive(Debug, Default)]
pub struct RolloutReport {
    /// Agents Fleet accepted the action for, in the order their answers came.
    pub done: Vec<String>,
    /// Agents Fleet refused, each with its error (a batch refused whole gives each of its
    /// agents that batch's error).
    pub failed: Vec<AgentFailure>,
    /// The Fleet action of each accepted bulk request (its progress is
    /// `get_fleet_agents_action_status`).
    pub actions: Vec<String>,
}

/// One agent Fleet refused.
#[derive(Debug, Clone)]
pub struct AgentFailure {
    /// The agent's id.
    pub agent: String,
    /// Why: Fleet's answer, or the transport's error after the retries.
    pub error: Arc<Error>,
}

impl RolloutReport {
    /// Whether every agent was accepted.
    pub fn all_done(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Requests in flight at once by default.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Agents per bulk request by default.
pub const DEFAULT_BATCH_SIZE: usize = 500;

impl Rollout {
    /// A rollout through `kibana`. Upgrades are retried on Fleet's 429 (the per-agent cooldown)
    /// and on transient failures, backing off from 1 s to 30 s, at most 8 attempts per agent;
    /// [`Rollout::retry_policy`] changes that.
    pub fn new(kibana: &Kibana) -> Self {
        let policy = RetryPolicy::default()
            .max_attempts(8)
            .backoff(Duration::from_secs(1), Duration::from_secs(30));
        Rollout {
            kibana: kibana.clone(),
            concurrency: DEFAULT_CONCURRENCY,
            batch_size: DEFAULT_BATCH_SIZE,
        }
        .retry_policy(policy)
    }

    /// At most `n` requests in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most `n` agents per bulk request (at least 1).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// The retry policy of the rollout's requests. Upgrades and bulk reassignments are POSTs:
    /// they are opted in to retries here, whatever `policy` says of other POSTs.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        let policy = policy.retry_post_for([
            fleet::operations::POST_FLEET_AGENTS_AGENTID_UPGRADE,
            fleet::operations::POST_FLEET_AGENTS_BULK_REASSIGN,
        ]);
        self.kibana = self.kibana.with_retry_policy(policy);
        self
    }

    /// Moves `agents` to the agent policy `policy_id`, one bulk request per batch, batches
    /// sent with bounded concurrency. A batch Fleet refuses fails its agents; the others go on.
    pub async fn reassign<S: AsRef<str>>(&self, agents: &[S], policy_id: &str) -> RolloutReport {
        let batches: Vec<Vec<String>> = agents
            .chunks(self.batch_size)
            .map(|c| c.iter().map(|a| a.as_ref().to_string()).collect())
            .collect();
        let answers = stream::iter(batches)
            .map(|batch| async move {
                let body = PostFleetAgentsBulkReassignBody {
                    agents: PostFleetAgentsBulkReassignBodyAgents::Array(batch.clone()),
                    policy_id: policy_id.to_string(),
                    batch_size: None,
                    include_inactive: false,
                };
                let answer = self
                    .kibana
                    .fleet()
                    .post_fleet_agents_bulk_reassign()
                    .body(body)
                    .send()
                    .await;
                (batch, answer.map(|a| a.into_inner().action_id))
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut report = RolloutReport::default();
        for (batch, answer) in answers {
            match answer {
                Ok(action) => {
                    report.actions.push(action);
                    report.done.extend(batch);
                }
                Err(e) => {
                    let error = Arc::new(e);
                    report
                        .failed
                        .extend(batch.into_iter().map(|agent| AgentFailure {
                            agent,
                            error: Arc::clone(&error),
                        }));
                }
            }
        }
        report
    }

    /// Upgrades each of `agents` to `version`, with bounded concurrency. An agent in its
    /// cooldown (429) is tried again after a backoff; an agent Fleet refuses (unknown, not
    /// upgradeable, retries spent) is reported and the others go on.
    pub async fn upgrade<S: AsRef<str>>(&self, agents: &[S], version: &str) -> RolloutReport {
        let answers = stream::iter(agents.iter().map(|a| a.as_ref().to_string()))
            .map(|agent| async move {
                let body = PostFleetAgentsAgentidUpgradeBody {
                    version: version.to_string(),
                    force: None,
                    skip_rate_limit_check: None,
                    source_uri: None,
                };
                let answer = self
                    .kibana
                    .fleet()
                    .post_fleet_agents_agentid_upgrade()
                    .agent_id(agent.as_str())
                    .body(body)
                    .send()
                    .await;
                (agent, answer.map(|_| ()))
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut report = RolloutReport::default();
        for (agent, answer) in answers {
            match answer {
                Ok(()) => report.done.push(agent),
                Err(e) => report.failed.push(AgentFailure {
                    agent,
                    error: Arc::new(e),
                }),
            }
        }
        report
    }
}
