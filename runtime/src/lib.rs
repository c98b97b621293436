//! The hand-written runtime of the kibana-serverless clients: the [`KibanaBuilder`] and the
//! [`Connection`] it builds, credentials, Kibana's headers, spaces, the retry policy, the one
//! [`Error`] type, response reading, path-segment safety, pagination streams, ndjson streaming
//! and raw-body uploads.
//!
//! It knows no API domain or operation: code generated from a Kibana spec (the
//! `kibana-serverless` crate, or a crate `cargo xtask regenerate --out` writes from another
//! spec) hands it what is per-operation as data. Users depend on the generated crate, which
//! re-exports what they need from here.
#![deny(missing_docs)]

mod archive;
mod client;
mod context;
mod credentials;
#[doc(hidden)]
pub mod de;
pub mod dynamic;
mod error;
pub mod error_body;
#[doc(hidden)]
pub mod hooks;
mod json_object;
pub mod multipart;
pub mod ndjson;
pub mod pagination;
#[doc(hidden)]
pub mod path;
#[doc(hidden)]
pub mod response;
mod retry;
pub mod union;
mod unknown_fields;
pub mod upload;

pub use client::{
    BuildError, Connection, DEFAULT_API_VERSION, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    FromConnection, KibanaBuilder, is_valid_space_id,
};
pub use context::RequestContext;
pub use credentials::Credentials;
pub use error::Error;
pub use error_body::KibanaErrorBody;
pub use json_object::JsonObject;
pub use pagination::{Items, Pages};
/// The runtime types generated operations return.
pub use progenitor_client::{ByteStream, ResponseValue};
pub use retry::{OperationId, RetryPolicy};
pub use unknown_fields::UnknownFields;

/// What generated code reaches through the runtime; not for users.
#[doc(hidden)]
pub mod __private {
    pub use progenitor_client;
    pub use reqwest;

    /// The error conversions generated `send()` methods call.
    pub mod error {
        pub use crate::error::{IntoErrorBody, PathFinder, from_generated, no_path, path_of};
    }
}
