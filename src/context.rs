//! What every request of a client carries, whichever domain it belongs to.

use reqwest::header::HeaderMap;
use std::fmt;
use std::sync::Arc;

/// Per-client request settings shared by all domain clients of one [`crate::Kibana`]: the headers
/// every request gets (authorization, `kbn-xsrf`, `elastic-api-version`, user extras).
#[derive(Clone)]
pub struct RequestContext {
    pub(crate) inner: Arc<ContextInner>,
}

pub(crate) struct ContextInner {
    /// Added to each request unless the request already has the header.
    pub(crate) headers: HeaderMap,
}

impl RequestContext {
    pub(crate) fn new(headers: HeaderMap) -> Self {
        Self {
            inner: Arc::new(ContextInner { headers }),
        }
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }
}

impl fmt::Debug for RequestContext {
    // Header names only: values include the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}
