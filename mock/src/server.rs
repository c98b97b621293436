//! The HTTP plumbing: hyper on loopback, then Kibana's gates (space prefix, credentials,
//! `kbn-xsrf`) before any route runs.

use crate::handlers::State;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub(crate) type Body = BoxBody<Bytes, Infallible>;

pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(serde_json::to_vec(value).unwrap_or_default()))
        .unwrap_or_else(|_| Response::new(full("")))
}

/// Kibana's platform error body.
pub(crate) fn error(status: StatusCode, message: &str) -> Response<Body> {
    json(
        status,
        &serde_json::json!({
            "statusCode": status.as_u16(),
            "error": status.canonical_reason().unwrap_or(""),
            "message": message,
        }),
    )
}

pub(crate) async fn serve(
    state: Arc<State>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let state = state.clone();
            state.connections.fetch_add(1, Ordering::Relaxed);
            state.open_connections.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let counters = state.clone();
                let service = service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(state, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                counters.open_connections.fetch_sub(1, Ordering::Relaxed);
            });
        }
    });
    Ok((addr, task))
}

/// The request as the routes see it: method, path without the space prefix, query, body.
pub(crate) struct Call {
    pub method: Method,
    /// The space the request is for (`default` without a `/s/{space}` prefix).
    pub space: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Call {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the body is a multipart form.
    pub fn is_form(&self) -> bool {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("multipart/form-data"))
    }

    /// The body as JSON; a multipart form as an object of its fields (a file's text, other
    /// fields as JSON when they parse, else as text).
    pub fn json(&self) -> Option<serde_json::Value> {
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match content_type.strip_prefix("multipart/form-data; boundary=") {
            Some(boundary) => form_fields(&self.body, boundary),
            None => serde_json::from_slice(&self.body).ok(),
        }
    }
}

/// The fields of a multipart form, as a JSON object.
fn form_fields(body: &[u8], boundary: &str) -> Option<serde_json::Value> {
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let is_file = head.contains("filename=");
        let parsed = match serde_json::from_str(value) {
            Ok(v) if !is_file => v,
            _ => serde_json::Value::String(value.to_string()),
        };
        fields.insert(name.to_string(), parsed);
    }
    Some(serde_json::Value::Object(fields))
}

pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    state.count_request();
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return error(StatusCode::BAD_REQUEST, "could not read the request body"),
    };
    // `/s/{space}/api/...` is `/api/...` in that space.
    let mut path = parts.uri.path().to_string();
    let mut space = "default".to_string();
    if let Some(rest) = path.strip_prefix("/s/")
        && let Some(slash) = rest.find('/')
    {
        space = rest[..slash].to_string();
        path = rest[slash..].to_string();
    }
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let known_scheme = ["ApiKey ", "Basic ", "Bearer "]
        .iter()
        .any(|s| authorization.starts_with(s) && authorization.len() > s.len());
    let accepted = match &state.config.api_key {
        Some(key) => authorization == format!("ApiKey {key}"),
        None => known_scheme,
    };
    if !accepted {
        let message = if authorization.is_empty() {
            "[security_exception]: missing authentication credentials for REST request"
        } else {
            "[security_exception]: unable to authenticate with provided credentials"
        };
        return error(StatusCode::UNAUTHORIZED, message);
    }
    if parts.method != Method::GET
        && parts.method != Method::HEAD
        && !parts.headers.contains_key("kbn-xsrf")
    {
        return error(
            StatusCode::BAD_REQUEST,
            "Request must contain a kbn-xsrf header.",
        );
    }
    let call = Call {
        method: parts.method,
        space,
        path,
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body,
    };
    crate::handlers::route(&state, call).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_decoding() {
        let q = super::parse_query(Some("a=1&searchAfter=%5B1%2C%22x%22%5D&k=a+b&flag&bad=%zz"));
        assert_eq!(q[1], ("searchAfter".into(), "[1,\"x\"]".into()));
        assert_eq!(q[2].1, "a b");
        assert_eq!(q[3], ("flag".into(), String::new()));
        assert_eq!(q[4].1, "%zz");
    }
}
