//! [`Error`]: what every operation returns when it fails.

use crate::KibanaErrorBody;
use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use std::time::Duration;

/// Header set by the client on an error response whose body was not a JSON object, so that the
/// error keeps the raw text (e.g. `Server is overloaded` on a 429).
pub(crate) const RAW_BODY_MARKER: &str = "x-kibana-serverless-raw-error-body";

/// Why an operation failed.
///
/// `Display` and `Debug` never contain credentials: requests are never printed, and URLs
/// cannot carry credentials (the builder rejects them).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Kibana answered with an error status (4xx or 5xx).
    #[error("Kibana answered {status}: {body}")]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The error body, whichever of Kibana's shapes it came in. When Kibana answered with
        /// text, the text is the `message`. Boxed to keep `Result`s small.
        body: Box<KibanaErrorBody>,
        /// The body as sent, when it was not a JSON object (plain text, HTML from a proxy...).
        raw: Option<String>,
        /// What `Retry-After` asked for, if anything.
        retry_after: Option<Duration>,
    },
    /// The server answered with a redirect, which Kibana's API never does (a proxy or a wrong
    /// URL): it is not followed, so that neither credentials nor headers reach another host.
    #[error("the server redirected the request ({status}) to {}; redirects are not followed", location.as_deref().unwrap_or("no location"))]
    Redirected {
        /// The HTTP status (301, 302, 303, 307, 308).
        status: StatusCode,
        /// Where it pointed (the `Location` header), if anywhere.
        location: Option<String>,
    },
    /// A success answer larger than the client's limit (`KibanaBuilder::max_body_size`):
    /// reading stopped there instead of holding it all in memory.
    #[error("the answer is larger than the limit of {limit} bytes; reading stopped")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Kibana answered a success status the operation does not document (e.g. 204 for 200).
    #[error("Kibana answered an undocumented status {status}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The body, as sent.
        body: Bytes,
    },
    /// A success response did not match the operation's type. `path` is the JSON path that
    /// failed, e.g. `items[3].status`.
    #[error("the response does not match its type at `{path}`: {message}")]
    Decode {
        /// The HTTP status, when the operation documents a single success status.
        status: Option<StatusCode>,
        /// Where in the JSON document decoding failed.
        path: String,
        /// What was wrong there.
        message: String,
        /// The body, as sent.
        body: Bytes,
    },
    /// An argument was missing or invalid, or the request was polled outside a Tokio
    /// runtime; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Could not connect (DNS, refused, reset before a response, TLS handshake).
    #[error("could not connect to Kibana: {0}")]
    Connect(#[source] reqwest::Error),
    /// TLS refused the server: its certificate is not trusted (an unknown CA: see
    /// `root_certificate_pem`), expired, or for another name. Never retried: it does not heal.
    #[error("TLS refused the server's certificate: {0}")]
    Tls(#[source] reqwest::Error),
    /// The connect or request timeout elapsed.
    #[error("the request to Kibana timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// A paginated listing stopped because the server handed out a cursor it had handed out
    /// before: following it would loop for ever.
    #[error("the server repeated the cursor {cursor:?} after page {page}; paging stopped")]
    RepeatedCursor {
        /// The repeated cursor.
        cursor: String,
        /// How many pages had been read.
        page: u64,
    },
    /// A line of a newline-delimited JSON response (e.g. a saved-objects export) is not what
    /// it should be. Every good line before it was delivered.
    #[error("line {line} of the response is malformed: {message}")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Reading or writing a local file failed (export to a file, upload from a file).
    #[error("file I/O: {0}")]
    Io(#[source] std::io::Error),
    /// The connection failed after the request was sent, or reading the body failed.
    #[error("HTTP error talking to Kibana: {0}")]
    Transport(#[source] reqwest::Error),
}

impl Error {
    /// The HTTP status, if Kibana answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Redirected { status, .. } => Some(*status),
            Self::Decode { status, .. } => *status,
            Self::Connect(e) | Self::Tls(e) | Self::Timeout(e) | Self::Transport(e) => e.status(),
            Self::InvalidRequest(_)
            | Self::BodyTooLarge { .. }
            | Self::RepeatedCursor { .. }
            | Self::MalformedLine { .. }
            | Self::Io(_) => None,
        }
    }

    /// Kibana's own words, for an error response that has them.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => body.message.as_deref().or(body.error.as_deref()),
            _ => None,
        }
    }

    /// The decoded error body of an error response.
    pub fn body(&self) -> Option<&KibanaErrorBody> {
        match self {
            Self::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether the failure happened before any response arrived (connect, timeout, transport).
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            Self::Connect(_) | Self::Tls(_) | Self::Timeout(_) | Self::Transport(_)
        )
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout(e)
        } else if crate::hooks::is_tls_refusal(&e) {
            Self::Tls(e)
        } else if e.is_connect() {
            Self::Connect(e)
        } else {
            Self::Transport(e)
        }
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// How a JSON success body is decoded again to find where it failed.
pub type PathFinder = fn(&[u8]) -> Option<(String, String)>;

/// Re-decodes `body` as `T` with path tracking; the (path, message) of the failure.
// This and `no_path` are called by generated code; a build of few domains may use only one.
#[allow(dead_code)]
pub fn path_of<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<(String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => None,
        Err(e) => Some((e.path().to_string(), e.inner().to_string())),
    }
}

/// For raw (byte stream) responses, which are never decoded.
#[allow(dead_code)]
pub fn no_path(_: &[u8]) -> Option<(String, String)> {
    None
}

fn api_error(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: KibanaErrorBody,
) -> Error {
    let raw = headers
        .contains_key(RAW_BODY_MARKER)
        .then(|| body.message.clone().unwrap_or_default());
    Error::Api {
        status,
        body: Box::new(body),
        raw,
        retry_after: retry_after(headers),
    }
}

/// The error types generated operations use: `KibanaErrorBody`, or `()` for an operation that
/// documents no error response.
pub trait IntoErrorBody {
    /// The Kibana error body this error type holds.
    fn into_error_body(self) -> KibanaErrorBody;
}

impl IntoErrorBody for KibanaErrorBody {
    fn into_error_body(self) -> KibanaErrorBody {
        self
    }
}

impl IntoErrorBody for () {
    fn into_error_body(self) -> KibanaErrorBody {
        KibanaErrorBody::default()
    }
}

/// Turns what a generated operation returned into the crate's error type. `find_path` re-decodes
/// a body that failed to decode, to name the JSON path (only on that failure path).
pub async fn from_generated<T, E: IntoErrorBody>(
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
    find_path: PathFinder,
    success_status: Option<u16>,
) -> Result<ResponseValue<T>, Error> {
    use progenitor_client::Error as G;
    let err = match result {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    Err(match err {
        G::ErrorResponse(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            api_error(status, &headers, value.into_inner().into_error_body())
        }
        G::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = match response.bytes().await {
                Ok(b) => b,
                Err(e) => return Err(Error::from_reqwest(e)),
            };
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_string);
                Error::Redirected { status, location }
            } else if status.is_success() || status.is_informational() || status.is_redirection() {
                Error::UnexpectedStatus { status, body }
            } else {
                // The exec hook made every error body a JSON object.
                let decoded =
                    serde_json::from_slice::<KibanaErrorBody>(&body).unwrap_or_else(|_| {
                        KibanaErrorBody {
                            message: Some(String::from_utf8_lossy(&body).into_owned()),
                            ..Default::default()
                        }
                    });
                api_error(status, &headers, decoded)
            }
        }
        G::InvalidResponsePayload(body, e) => {
            // A page from a proxy or a login screen is no type mismatch: say what came.
            let (path, message) = match not_json(&body) {
                Some(excerpt) => (String::from("."), excerpt),
                None => find_path(&body).unwrap_or_else(|| (String::from("."), e.to_string())),
            };
            // progenitor does not report the status here. Only success bodies can fail to decode
            // (error bodies are JSON objects by now), so it is the operation's success status
            // when it documents just one.
            let status = success_status.and_then(|s| StatusCode::from_u16(s).ok());
            Error::Decode {
                status,
                path,
                message,
                body,
            }
        }
        G::Custom(message) if message.starts_with(crate::response::TOO_LARGE) => {
            let limit = message[crate::response::TOO_LARGE.len()..]
                .parse()
                .unwrap_or(usize::MAX);
            Error::BodyTooLarge { limit }
        }
        G::InvalidRequest(message) | G::Custom(message) => Error::InvalidRequest(message),
        G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
            Error::from_reqwest(e)
        }
    })
}

/// For a body that is not JSON at all (HTML, text): what it starts with, to say so.
fn not_json(body: &[u8]) -> Option<String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if matches!(
        first,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    ) {
        return None;
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(80)]);
    let excerpt: String = text.chars().filter(|c| !c.is_control()).collect();
    let more = if body.len() > 80 { "…" } else { "" };
    Some(format!(
        "the body is not JSON ({} bytes, starting {excerpt:?}{more})",
        body.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn a_body_that_is_not_json_is_named_so() {
        let html = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in to continue to the dashboard</body></html>";
        let said = not_json(html).unwrap();
        assert!(
            said.starts_with("the body is not JSON (119 bytes, starting \"<!DOCTYPE html>"),
            "{said}"
        );
        assert!(said.ends_with("…)"), "{said}");
        assert_eq!(not_json(b"  {\"a\": 1}"), None);
        assert_eq!(not_json(b"[1]"), None);
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&h),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn decode_paths() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            n: u32,
        }
        let (path, message) = path_of::<Page>(br#"{"items":[{"n":1},{"n":"x"}]}"#).unwrap();
        assert_eq!(path, "items[1].n");
        assert!(message.contains("invalid type"), "{message}");
        assert!(path_of::<Page>(br#"{"items":[]}"#).is_none());
    }
}
