//! Data-driven checks of a generated kibana-serverless client, driven by its operation model
//! (`operations.json`) and normalized spec (`openapi.json`): adding an operation to the spec
//! adds its checks, with no code per operation. The root crate's tests and every standalone
//! crate's generated tests call it.

pub mod conformance;
pub mod faults;
pub mod mock;
pub mod prism;

/// Values of a schema's shape (shared with the embedded mock, which answers with them).
pub use kibana_serverless_mock::schema;

use kibana_serverless_runtime::Error;
use kibana_serverless_runtime::dynamic::{Answer, Args};
use std::future::Future;
use std::pin::Pin;

/// A generated client, called by name (its crate's `invoke`).
pub trait Invoke: Sized {
    /// Calls `operation` of `domain` with `args`.
    fn invoke<'a>(
        &'a self,
        domain: &'a str,
        operation: &'a str,
        args: &'a Args,
    ) -> Pin<Box<dyn Future<Output = Result<Answer, Error>> + Send + 'a>>;

    /// The same client for a Kibana space.
    fn space(&self, id: &str) -> Self;
}
