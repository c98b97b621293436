//! What every request of a client carries, whichever domain it belongs to.

use crate::RetryPolicy;
use reqwest::header::HeaderMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

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
    /// The largest JSON success body read whole.
    max_body: usize,
    /// The time a JSON answer has to arrive whole in; `None` with a caller's own HTTP client,
    /// whose settings then hold.
    timeout: Option<Duration>,
}

/// The largest JSON success body read by default: a page of 10,000 Fleet agents is about
/// 5.4 MB; streamed answers (ndjson exports, downloads) are not limited.
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

impl RequestContext {
    pub(crate) fn new(
        headers: HeaderMap,
        retry: RetryPolicy,
        max_body: usize,
        timeout: Option<Duration>,
    ) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                headers,
                retry,
                max_body,
                timeout,
            }),
        }
    }

    pub(crate) fn max_body(&self) -> usize {
        self.inner.max_body
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    pub(crate) fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self::new(
            self.inner.headers.clone(),
            retry,
            self.inner.max_body,
            self.inner.timeout,
        )
    }
}

impl fmt::Debug for RequestContext {
    // Header names only: values include the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .field("retry", &self.inner.retry)
            .field("max_body", &self.inner.max_body)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}
