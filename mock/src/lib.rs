//! An embedded mock Kibana serverless: one call starts a real HTTP server on loopback that answers
//! every operation of the vendored spec (or of any spec given in [`MockConfig::spec`]), checks
//! `Authorization` and `kbn-xsrf` the way Kibana does (401 and 400, with Kibana's error bodies),
//! checks each request against the spec (400 naming the parameter or field), keeps the resources
//! of every create/read/update/delete/find family per space (404 and 409 like Kibana), answers
//! any other operation with its example or a value of its schema's shape, and keeps enough
//! hand-written state for real tasks: agents
//! across many pages (page numbers and `searchAfter` in a point in time), conversations created
//! and updated, alert statuses and assignees, saved-objects exports of any size (streamed), and
//! Fleet's per-agent upgrade cooldown (429).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let kibana = kibana_serverless_mock::MockKibana::start().await?;
//! println!("{} answers with API key {}", kibana.url(), kibana_serverless_mock::API_KEY);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod data;
mod generic;
mod handlers;
mod pattern;
mod routes;
pub mod schema;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The API key the mock accepts by default (base64 of `mock-id:mock-secret`).
pub const API_KEY: &str = "bW9jay1pZDptb2NrLXNlY3JldA==";

/// How big the mock's world is, and how it behaves.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Enrolled agents (`GET /api/fleet/agents`).
    pub agents: usize,
    /// Saved objects an export of all types yields.
    pub saved_objects: usize,
    /// Bytes of padding in each saved object's attributes (to make exports as large as needed).
    pub saved_object_padding: usize,
    /// Security AI Assistant prompts (`GET /api/security_ai_assistant/prompts/_find`).
    pub prompts: usize,
    /// Detection alerts (`alert-0` ...), all `open` at start.
    pub alerts: usize,
    /// The one API key accepted (`ApiKey <key>`); `None` accepts any credentials.
    pub api_key: Option<String>,
    /// Added before answering each page of agents (to model a real Kibana's latency).
    pub page_latency: Duration,
    /// Time after upgrading an agent during which another upgrade of it answers 429.
    pub upgrade_cooldown: Duration,
    /// The operations to serve: a domain -> normalized spec map, as `generated/operations.json`'s
    /// sibling `openapi.json` holds it (also what `cargo xtask regenerate --out` writes for
    /// another spec). `None` serves the vendored spec.
    pub spec: Option<serde_json::Value>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            agents: 2_500,
            saved_objects: 1_000,
            saved_object_padding: 0,
            prompts: 45,
            alerts: 50,
            api_key: Some(API_KEY.to_string()),
            page_latency: Duration::ZERO,
            upgrade_cooldown: Duration::from_millis(500),
            spec: None,
        }
    }
}

/// A running mock Kibana. It stops when dropped.
pub struct MockKibana {
    addr: SocketAddr,
    state: Arc<handlers::State>,
    task: tokio::task::JoinHandle<()>,
}

impl MockKibana {
    /// Starts a mock with the default world on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(MockConfig::default()).await
    }

    /// Starts a mock with `config` on a free loopback port.
    pub async fn start_with(config: MockConfig) -> std::io::Result<Self> {
        let state = Arc::new(handlers::State::new(config));
        let (addr, task) = server::serve(state.clone()).await?;
        Ok(Self { addr, state, task })
    }

    /// The base URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.state.requests()
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.state
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// TCP connections open now (a client's idle pooled ones included).
    pub fn connections_open(&self) -> u64 {
        self.state
            .open_connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The current workflow status of a detection alert.
    pub fn alert_status(&self, id: &str) -> Option<String> {
        self.state.alert_status(id)
    }
}

impl Drop for MockKibana {
    fn drop(&mut self) {
        self.task.abort();
    }
}
