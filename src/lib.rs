//! Typed client for the Kibana Serverless REST APIs, generated from Kibana's OpenAPI spec.
//!
//! Start with [`Kibana`]: it holds the connection pool, credentials and retry policy, and hands
//! out one typed client per API domain, each behind a cargo feature of the same name (all on by
//! default). Every operation is a builder whose `send()` returns
//! `Result<ResponseValue<T>, kibana_serverless::Error>`:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kibana_serverless::Kibana;
//!
//! let kibana = Kibana::from_env()?; // KIBANA_URL, KIBANA_API_KEY
//! let agent = kibana.fleet().get_fleet_agents_agentid().agent_id("agent-1").send().await?;
//! println!("{:?}", agent.item.status);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod archive;
mod client;
mod context;
mod credentials;
mod de;
mod error;
pub mod error_body;
#[cfg(feature = "saved_objects")]
pub mod export;
mod hooks;
pub mod ndjson;
pub mod pagination;
// Called by generated code for path parameters, which some domains do not have.
#[allow(dead_code)]
mod path;
mod response;
mod retry;
#[cfg(feature = "fleet")]
pub mod upload;

#[path = "../generated/mod.rs"]
#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;

pub use client::{
    BuildError, DEFAULT_API_VERSION, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Kibana,
    KibanaBuilder, is_valid_space_id,
};
pub use context::RequestContext;
pub use credentials::Credentials;
pub use error::Error;
pub use error_body::KibanaErrorBody;
pub use generated::*;
pub use pagination::{Items, Pages};
/// The runtime types generated operations return.
pub use progenitor_client::{ByteStream, ResponseValue};
pub use retry::RetryPolicy;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
