//! A loopback Kibana for wire tests: a wiremock server whose mocks check the exact request an
//! operation must send (method, path, query string, Kibana's headers, JSON body), and a
//! catch-all that answers anything else with 599 and a description of what arrived.

use kibana_serverless::{Credentials, Kibana, RetryPolicy};
use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// An API key that must never show up in any output: tests grep for it.
pub const CANARY_KEY: &str = "Y2FuYXJ5LWlkOmNhbmFyeS1zZWNyZXQtOTk4ODc3";

pub struct Wire {
    pub server: MockServer,
    pub kibana: Kibana,
}

impl Wire {
    pub async fn start() -> Self {
        Self::start_with(RetryPolicy::none()).await
    }

    pub async fn start_with(retry: RetryPolicy) -> Self {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Unexpected)
            .with_priority(u8::MAX)
            .mount(&server)
            .await;
        let kibana = Kibana::builder(server.uri())
            .credentials(Credentials::api_key(CANARY_KEY))
            .retry_policy(retry)
            .build()
            .expect("client");
        Self { server, kibana }
    }

    /// Expects exactly this request once (unless `times` says otherwise) and answers `status`
    /// with `body`.
    pub async fn expect(&self, request: Exact, status: u16, body: Option<&Value>) {
        let mut template = ResponseTemplate::new(status);
        if let Some(body) = body {
            template = template.set_body_json(body);
        }
        let times = request.times;
        Mock::given(request)
            .respond_with(template)
            .expect(times)
            .mount(&self.server)
            .await;
    }
}

/// Everything an operation's request must be.
#[derive(Clone, Debug)]
pub struct Exact {
    pub method: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub raw: Option<Vec<u8>>,
    pub content_type: Option<&'static str>,
    pub times: u64,
}

pub fn exact(method: &'static str, path: impl Into<String>) -> Exact {
    Exact {
        method,
        path: path.into(),
        query: Vec::new(),
        body: None,
        raw: None,
        content_type: None,
        times: 1,
    }
}

impl Exact {
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.body = Some(body.clone());
        self.content_type = Some("application/json");
        self
    }

    /// A raw body, sent as `content_type`, that must arrive byte for byte.
    pub fn raw(mut self, bytes: &[u8], content_type: &'static str) -> Self {
        self.raw = Some(bytes.to_vec());
        self.content_type = Some(content_type);
        self
    }

    pub fn times(mut self, times: u64) -> Self {
        self.times = times;
        self
    }

    /// Why `request` is not this request, or `None` when it is.
    pub fn mismatch(&self, request: &Request) -> Option<String> {
        if request.method.as_str() != self.method {
            return Some(format!("method {} != {}", request.method, self.method));
        }
        if request.url.path() != self.path {
            return Some(format!("path {} != {}", request.url.path(), self.path));
        }
        let mut query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut want = self.query.clone();
        query.sort();
        want.sort();
        if query != want {
            return Some(format!("query {query:?} != {want:?}"));
        }
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let expected_auth = format!("ApiKey {CANARY_KEY}");
        for (name, want) in [
            ("authorization", Some(expected_auth.as_str())),
            ("kbn-xsrf", Some("true")),
            ("elastic-api-version", Some("2023-10-31")),
            ("content-type", self.content_type),
        ] {
            if header(name).as_deref() != want {
                return Some(format!("header {name}: {:?} != {want:?}", header(name)));
            }
        }
        if header("api-version").is_some() {
            return Some("stray api-version header".into());
        }
        if !header("user-agent").is_some_and(|ua| ua.starts_with("kibana-serverless/")) {
            return Some(format!("user-agent {:?}", header("user-agent")));
        }
        if let Some(raw) = &self.raw {
            return (request.body != *raw).then(|| {
                format!(
                    "raw body of {} bytes differs from the {} sent",
                    request.body.len(),
                    raw.len()
                )
            });
        }
        match &self.body {
            None if !request.body.is_empty() => Some(format!(
                "unexpected body {}",
                String::from_utf8_lossy(&request.body)
            )),
            None => None,
            Some(want) => match serde_json::from_slice::<Value>(&request.body) {
                Err(e) => Some(format!("body is not JSON: {e}")),
                Ok(got) => super::equivalent(want, &got)
                    .err()
                    .map(|d| format!("body differs: {d}")),
            },
        }
    }
}

impl wiremock::Match for Exact {
    fn matches(&self, request: &Request) -> bool {
        self.mismatch(request).is_none()
    }
}

/// Answers a request no mock expected with 599 and what it was, so the failing test says why.
struct Unexpected;

impl Respond for Unexpected {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let headers: Vec<String> = request.headers.keys().map(|k| k.to_string()).collect();
        ResponseTemplate::new(599).set_body_json(serde_json::json!({
            "message": format!(
                "unexpected request {} {} headers {:?} body {}",
                request.method,
                request.url,
                headers,
                String::from_utf8_lossy(&request.body)
            )
        }))
    }
}
