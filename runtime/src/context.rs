//! What every request of a client carries, whichever domain it belongs to.

use crate::RetryPolicy;
use reqwest::header::HeaderMap;
use std::fmt;
use std::sync::Arc;

/// Per-client request settings shared by all domain clients of one [`crate::Connection`]: the headers
/// every request gets (authorization, `kbn-xsrf`, `elastic-api-version`, user agent, extras) and
/// the retry policy.
#[derive(Clone)]
pub struct RequestContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    /// Added to each request unless the request already has the header.
    headers: HeaderMap,
    retry: RetryPolicy,
}

impl RequestContext {
    pub(crate) fn new(headers: HeaderMap, retry: RetryPolicy) -> Self {
        Self {
            inner: Arc::new(ContextInner { headers, retry }),
        }
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self::new(self.inner.headers.clone(), retry)
    }
}

impl fmt::Debug for RequestContext {
    // Header names only: values include the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .field("retry", &self.inner.retry)
            .finish()
    }
}
