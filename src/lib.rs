//! Typed client for the Kibana Serverless REST APIs.

#[path = "../generated/mod.rs"]
#[rustfmt::skip]
mod generated;

pub use generated::*;

pub mod error_body;
pub use error_body::KibanaErrorBody;
