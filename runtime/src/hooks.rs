//! The behaviour every generated domain client shares, as `progenitor_client::ClientHooks`:
//! headers, retries, error-body normalization and tracing. The generator invokes
//! `impl_client_hooks!` once per domain client.

use crate::RequestContext;
use crate::error::RAW_BODY_MARKER;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Implements `ClientHooks<RequestContext>` for a generated domain client. `$raw_bodies` lists
/// the operations whose body is raw bytes with the media types each accepts, `$whole_json` (sorted)
/// those whose every success is a JSON body read whole, `$api_versions` the version each
/// versioned operation is written at (data the generator hands over; the runtime knows no
/// operation by name).
#[doc(hidden)]
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty, $raw_bodies:expr, $whole_json:expr, $api_versions:expr) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::RequestContext> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                $crate::hooks::require_runtime()
                    .map_err($crate::__private::progenitor_client::Error::Custom)?;
                $crate::hooks::set_api_version(request, info.operation_id, $api_versions);
                $crate::hooks::add_headers(
                    $crate::__private::progenitor_client::ClientInfo::inner(self),
                    request,
                );
                $crate::hooks::prepare_raw_body(request, info.operation_id, $raw_bodies);
                Ok(())
            }

            async fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> $crate::__private::reqwest::Result<$crate::__private::reqwest::Response> {
                $crate::hooks::execute(
                    $crate::__private::progenitor_client::ClientInfo::client(self),
                    $crate::__private::progenitor_client::ClientInfo::inner(self),
                    request,
                    info.operation_id,
                    $whole_json.binary_search(&info.operation_id).is_ok(),
                )
                .await
            }
        }
    };
}

/// An operation whose body is raw bytes: the media types Kibana accepts for it and, for a
/// `multipart/form-data` body, the form field that carries those bytes as a file.
#[derive(Debug, Clone, Copy)]
pub struct RawBody {
    /// The operation's method name.
    pub operation: &'static str,
    /// The media types Kibana accepts.
    pub media_types: &'static [&'static str],
    /// For a multipart body, the file field.
    pub multipart_file: Option<&'static str>,
    /// The body is a JSON object of the form's fields (the file's text among them), not the
    /// file alone.
    pub multipart_fields: bool,
}

/// The raw-body operations of a domain.
pub type RawBodies = &'static [RawBody];

/// reqwest's sockets and timers are Tokio's: polled outside a Tokio runtime, it panics. Checked
/// before anything is sent, so that mistake is an `Error::InvalidRequest` that names the fix.
pub fn require_runtime() -> Result<(), String> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Ok(()),
        Err(_) => Err(
            "a request must run inside a Tokio runtime (reqwest's sockets and \
                       timers are Tokio's): call it from `#[tokio::main]` or `#[tokio::test]` \
                       code, or through `tokio::runtime::Runtime::block_on`"
                .to_string(),
        ),
    }
}

/// Operations and the `elastic-api-version` their spec writes them at, sorted by operation.
pub type ApiVersions = &'static [(&'static str, &'static str)];

/// An operation Kibana publishes at a version other than [`crate::DEFAULT_API_VERSION`] (an
/// internal route at `1`, a route only served at a later version) is sent at its own version,
/// since Kibana refuses a version a route does not serve and its types are that version's.
/// Every other request carries the client's version (`api_version`, set by [`add_headers`]).
pub fn set_api_version(request: &mut reqwest::Request, operation: &str, versions: ApiVersions) {
    let Ok(at) = versions.binary_search_by(|(op, _)| (*op).cmp(operation)) else {
        return;
    };
    let version = versions[at].1;
    if version == crate::DEFAULT_API_VERSION {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(version) {
        request.headers_mut().insert("elastic-api-version", value);
    }
}

/// Adds the context's headers that the request does not set itself.
pub fn add_headers(context: &RequestContext, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    for (name, value) in context.headers() {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// Raw bodies go out as `application/octet-stream`; an operation that takes specific media
/// types (Fleet's package upload takes zip or gzip) gets the one its bytes are, told from their
/// magic numbers (for a streamed file, read before it is sent). A streamed upload sets its
/// type itself. A
/// multipart operation (an ndjson import) sends the bytes, streamed or not, as its file field.
pub fn prepare_raw_body(request: &mut reqwest::Request, operation: &str, raw: RawBodies) {
    let entry = raw.iter().find(|r| r.operation == operation);
    if let Some(entry) = entry
        && let Some(field) = entry.multipart_file
    {
        if entry.multipart_fields {
            crate::multipart::form(request, field);
        } else {
            crate::multipart::wrap(request, field);
        }
        return;
    }
    if let Ok(media_type) = crate::upload::BODY_CONTENT_TYPE.try_with(|t| *t) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
        return;
    }
    let Some(accepted) = entry.map(|r| r.media_types) else {
        return;
    };
    let is_octet = request
        .headers()
        .get(CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes() == b"application/octet-stream");
    if !is_octet {
        return;
    }
    let sniffed = match request.body().and_then(reqwest::Body::as_bytes) {
        Some(bytes) => crate::archive::sniff(bytes),
        None => crate::upload::STREAMED_TYPE.try_with(|t| *t).ok(),
    };
    if let Some(sniffed) = sniffed.filter(|t| accepted.contains(t)) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(sniffed));
    }
}

/// Sends `request`, retrying as the context's policy says, inside one tracing span. With
/// `whole_json` (an operation whose successes are JSON bodies read whole), a success's body is
/// read here, so that a retryable request whose body is cut short (a reset, a connection closed
/// before the announced length) is sent again like one that got no answer: nothing of such a
/// body has reached the caller. Streamed answers (exports, downloads) are left to the caller,
/// who may have acted on their first part.
pub async fn execute(
    http: &reqwest::Client,
    context: &RequestContext,
    request: reqwest::Request,
    operation: &'static str,
    whole_json: bool,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::debug_span!(
        "kibana.request",
        operation,
        method = %request.method(),
        path = %request.url().path(),
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    async move {
        let started = Instant::now();
        let result =
            send_with_retries(http, context, request, operation, whole_json, started).await;
        let span = tracing::Span::current();
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
        }
        result
    }
    .instrument(span)
    .await
}

async fn send_with_retries(
    http: &reqwest::Client,
    context: &RequestContext,
    request: reqwest::Request,
    operation: &'static str,
    whole_json: bool,
    started: Instant,
) -> reqwest::Result<reqwest::Response> {
    let policy = context.retry();
    let mut request = request;
    // An answer read whole has a deadline; a streamed one only the client's read timeout.
    if whole_json && let Some(timeout) = context.timeout() {
        *request.timeout_mut() = Some(timeout);
    }
    // A streaming body cannot be cloned, and so is sent once.
    // Only a body in memory can be sent again (checked without cloning the request).
    let retryable = policy.allows(request.method(), operation)
        && request.body().is_none_or(|b| b.as_bytes().is_some());
    let mut attempt: u32 = 1;
    loop {
        let next = if retryable && attempt < policy.attempts() {
            request.try_clone()
        } else {
            None
        };
        let attempt_started = Instant::now();
        let mut outcome = http.execute(request).await;
        if whole_json
            && next.is_some()
            && let Ok(response) = outcome
        {
            outcome = if response.status().is_success() {
                read_whole(response, context.max_body()).await
            } else {
                Ok(response)
            };
        }
        let wait = match (&outcome, next.is_some()) {
            (Ok(response), true) if policy.retries_status(response.status()) => {
                let asked = crate::error::retry_after(response.headers());
                match asked {
                    Some(asked) if asked > policy.max_retry_after_value() => None,
                    Some(asked) => Some(asked),
                    None => Some(policy.backoff_for(attempt)),
                }
            }
            (Err(e), true) if is_connection_failure(e) => Some(policy.backoff_for(attempt)),
            _ => None,
        };
        let status = outcome.as_ref().ok().map(|r| r.status().as_u16());
        tracing::debug!(
            attempt,
            status,
            elapsed_ms = attempt_started.elapsed().as_millis() as u64,
            "attempt"
        );
        let within_deadline = |wait: Duration| {
            policy
                .deadline_value()
                .is_none_or(|d| started.elapsed() + wait < d)
        };
        match (wait, next) {
            (Some(wait), Some(next)) if within_deadline(wait) => {
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                // A sleep can overrun on a busy machine: no retry starts past the deadline.
                if !within_deadline(Duration::ZERO) {
                    return finish(outcome, context, attempt).await;
                }
                request = next;
                attempt += 1;
            }
            _ => return finish(outcome, context, attempt).await,
        }
    }
}

/// A success with its body read (no more than `limit`; past it, a response that reads as
/// too large), or the error that cut the body short.
async fn read_whole(
    response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    use reqwest::ResponseBuilderExt;
    // Only the URL goes through the builder (reqwest keeps it in a private extension); the
    // builder cannot fail with nothing else set, and without it only the URL would be lost.
    let mut head = http::Response::builder()
        .url(response.url().clone())
        .body(())
        .unwrap_or_else(|_| http::Response::new(()));
    *head.status_mut() = response.status();
    *head.version_mut() = response.version();
    *head.headers_mut() = response.headers().clone();
    let mut response = response;
    response
        .extensions_mut()
        .insert(crate::response::BodyLimit(limit));
    let (body, exceeded) = match crate::response::read_body(response).await {
        Ok(body) => (body, None),
        Err(crate::response::ReadError::Http(e)) => return Err(e),
        Err(crate::response::ReadError::TooLarge(limit)) => {
            (bytes::Bytes::new(), Some(crate::response::Exceeded(limit)))
        }
    };
    let mut rebuilt = head.map(|()| body);
    if let Some(exceeded) = exceeded {
        rebuilt.extensions_mut().insert(exceeded);
    }
    Ok(reqwest::Response::from(rebuilt))
}

/// The answer of the last attempt, as the caller gets it.
async fn finish(
    outcome: reqwest::Result<reqwest::Response>,
    context: &RequestContext,
    attempt: u32,
) -> reqwest::Result<reqwest::Response> {
    tracing::Span::current().record("attempts", attempt);
    match outcome {
        Ok(mut response) => {
            // Kibana announces deprecations in `Warning` headers (`299 Kibana-9.1.0 "..."`);
            // answers are otherwise read without their headers, so say them here.
            for warning in response.headers().get_all(reqwest::header::WARNING) {
                tracing::warn!(
                    warning = %String::from_utf8_lossy(warning.as_bytes()),
                    "Kibana sent a warning"
                );
            }
            let limit = crate::response::BodyLimit(context.max_body());
            response.extensions_mut().insert(limit);
            normalize_error_body(response).await
        }
        Err(e) => Err(e),
    }
}

/// A failure where the request cannot have been processed: no connection, or one reset. Not
/// one that retrying cannot heal: a certificate the client does not trust, a name that does
/// not resolve.
fn is_connection_failure(e: &reqwest::Error) -> bool {
    if never_heals(e) {
        return false;
    }
    if e.is_connect() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        if err
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// Whether `e` comes from TLS refusing the server (rustls' error, in the source chain or inside
/// an I/O error) or from name resolution (hyper's connector reports it as `dns error`; its
/// error type is private, so its text is what is there to go by).
pub(crate) fn never_heals(e: &reqwest::Error) -> bool {
    if is_tls_refusal(e) {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if err.to_string().starts_with("dns error") {
            return true;
        }
        source = err.source();
    }
    false
}

/// Whether a rustls error is behind `e` (in the source chain, or inside an I/O error): rustls
/// refused the connection, or, when a client is built, could not set up its verifier.
pub(crate) fn is_tls_refusal(e: &reqwest::Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| rustls_in(s, 0))
}

/// Whether a rustls error is `err` or in its chain, at most 16 errors down (a chain that
/// loops ends). An I/O error's `source()` skips the error it wraps: looked inside with
/// `get_ref()`.
fn rustls_in(err: &(dyn std::error::Error + 'static), depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    if err.downcast_ref::<rustls::Error>().is_some() {
        return true;
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>()
        && io
            .get_ref()
            .is_some_and(|inner| rustls_in(inner, depth + 1))
    {
        return true;
    }
    err.source().is_some_and(|s| rustls_in(s, depth + 1))
}

/// The most of an error's text that is kept and shown: a proxy's 300 MiB page would otherwise
/// land whole in every log line that prints the error.
pub const MAX_ERROR_TEXT: usize = 8 * 1024;

/// The most of an error response's body that is read.
pub const MAX_ERROR_BODY: usize = 1024 * 1024;

/// An error body's text, cut at [`MAX_ERROR_TEXT`] bytes (on a character boundary) with its
/// size said; `unread` when reading stopped at [`MAX_ERROR_BODY`].
fn excerpt(body: &[u8], unread: bool) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_TEXT + 4)]);
    if body.len() <= MAX_ERROR_TEXT {
        return text.into_owned();
    }
    let mut end = MAX_ERROR_TEXT.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let size = if unread {
        format!("more than {MAX_ERROR_BODY} bytes; the rest was not read")
    } else {
        format!("{} bytes in all", body.len())
    };
    format!("{}… ({size})", &text[..end])
}

/// An error response whose body is not a JSON object (plain text from a proxy, `Server is
/// overloaded`...) gets a JSON body `{"message": <text>, "statusCode": <status>}` and a marker
/// header, so that the typed error decodes and the text is kept.
async fn normalize_error_body(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response);
    }
    let version = response.version();
    let mut headers = response.headers().clone();
    // Read at most MAX_ERROR_BODY: an error page of any size costs no more memory than that.
    let mut response = response;
    let mut read = Vec::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        read.extend_from_slice(&chunk);
        if read.len() > MAX_ERROR_BODY {
            cut = true;
            break;
        }
    }
    let body = bytes::Bytes::from(read);
    let is_object =
        !cut && serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v.is_object());
    let body = if is_object {
        body
    } else {
        let text = excerpt(&body, cut);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(RAW_BODY_MARKER, HeaderValue::from_static("1"));
        headers.remove(reqwest::header::CONTENT_LENGTH);
        serde_json::to_vec(&serde_json::json!({"message": text, "statusCode": status.as_u16()}))
            .unwrap_or_default()
            .into()
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

#[cfg(test)]
mod tests {
    use super::rustls_in;
    use std::error::Error;
    use std::fmt;

    /// An error wrapping another.
    #[derive(Debug)]
    struct Wrap(Box<dyn Error + Send + Sync>);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("wrapped")
        }
    }

    impl Error for Wrap {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(self.0.as_ref())
        }
    }

    /// An error that is its own source.
    #[derive(Debug)]
    struct Loop;

    static LOOP: Loop = Loop;

    impl fmt::Display for Loop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("loop")
        }
    }

    impl Error for Loop {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&LOOP)
        }
    }

    fn tls() -> Box<dyn Error + Send + Sync> {
        Box::new(rustls::Error::General("certificate refused".into()))
    }

    fn io(inner: Box<dyn Error + Send + Sync>) -> Box<dyn Error + Send + Sync> {
        Box::new(std::io::Error::other(inner))
    }

    fn under(wrappers: usize, inner: Box<dyn Error + Send + Sync>) -> Box<dyn Error + Send + Sync> {
        (0..wrappers).fold(inner, |e, _| Box::new(Wrap(e)))
    }

    #[test]
    fn rustls_errors_are_found_sixteen_deep_and_inside_io_errors() {
        assert!(rustls_in(&*tls(), 0));
        assert!(rustls_in(&*under(16, tls()), 0));
        assert!(!rustls_in(&*under(17, tls()), 0));
        assert!(rustls_in(&*io(tls()), 0));
        assert!(rustls_in(&*under(15, io(tls())), 0));
        assert!(
            !rustls_in(&*under(16, io(tls())), 0),
            "the wrapped error counts one deeper"
        );
        assert!(!rustls_in(&*under(3, io("plain".into())), 0));
        assert!(!rustls_in(&std::io::Error::other("plain"), 0));
        assert!(!rustls_in(&LOOP, 0), "a chain that loops ends");
    }
}

#[cfg(test)]
mod api_version_tests {
    use super::{ApiVersions, add_headers, set_api_version};
    use crate::RequestContext;
    use reqwest::header::{HeaderMap, HeaderValue};

    const VERSIONS: ApiVersions = &[
        ("at_default", "2023-10-31"),
        ("bad_value", "a\nb"),
        ("internal", "1"),
    ];

    /// The header each operation goes out with, from a client whose own version is `client`.
    fn sent(operation: &str, client: &'static str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert("elastic-api-version", HeaderValue::from_static(client));
        let context = RequestContext::new(headers, Default::default(), 1024, None);
        let url = "http://localhost/api".parse().unwrap();
        let mut request = reqwest::Request::new(reqwest::Method::GET, url);
        set_api_version(&mut request, operation, VERSIONS);
        add_headers(&context, &mut request);
        request.headers()["elastic-api-version"]
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn an_operation_at_its_own_version_keeps_it_and_the_rest_take_the_clients() {
        assert_eq!(sent("internal", "2023-10-31"), "1");
        assert_eq!(sent("internal", "2099-01-01"), "1");
        assert_eq!(sent("at_default", "2099-01-01"), "2099-01-01");
        assert_eq!(sent("unversioned", "2099-01-01"), "2099-01-01");
        assert_eq!(sent("bad_value", "2023-10-31"), "2023-10-31");
    }
}
