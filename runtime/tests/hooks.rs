//! The request hooks on the wire, against scripted loopback servers: which failures are
//! retried and how often, how long the client waits, what a deadline cuts, what is never
//! retried (streams, timeouts, names that do not resolve, certificates not trusted), how an
//! error page is kept, and which headers every request gets.

use kibana_serverless_runtime::hooks::{MAX_ERROR_BODY, MAX_ERROR_TEXT, add_headers, execute};
use kibana_serverless_runtime::{Connection, Credentials, KibanaBuilder, OperationId, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the scripted server does with one request.
#[derive(Clone)]
enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// A status with headers and a body (content-length set).
    Status(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Reset the connection without answering.
    Reset,
    /// Never answer.
    Stall,
}

fn status(code: u16) -> Reply {
    Reply::Status(
        code,
        vec![("content-type", "application/json".into())],
        br#"{"ok":true}"#.to_vec(),
    )
}

/// A server answering request `n` with `script[n]` (the last entry once past the end); counts
/// the requests it read.
async fn server(script: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let (url, count, _) = timed_server(script).await;
    (url, count)
}

/// [`server`], also noting when each request's head was read.
async fn timed_server(script: Vec<Reply>) -> (String, Arc<AtomicUsize>, Arc<Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let noted = arrivals.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let script = script.clone();
            let seen = seen.clone();
            let noted = noted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 16 * 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                noted.lock().unwrap().push(Instant::now());
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let reply = script.get(n).or(script.last()).cloned().unwrap();
                match reply {
                    Reply::Raw(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                    }
                    Reply::Status(code, headers, body) => {
                        let mut out = format!(
                            "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                            body.len()
                        );
                        for (k, v) in headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        let mut bytes = out.into_bytes();
                        bytes.extend_from_slice(&body);
                        let _ = socket.write_all(&bytes).await;
                    }
                    Reply::Reset => {
                        let _ = socket.set_zero_linger();
                        return;
                    }
                    Reply::Stall => {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        return;
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), count, arrivals)
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn connection(
    url: &str,
    policy: RetryPolicy,
    tune: impl FnOnce(KibanaBuilder) -> KibanaBuilder,
) -> Connection {
    tune(
        KibanaBuilder::<Connection>::new(url)
            .api_key("a2V5OnNlY3JldA==")
            .retry_policy(policy),
    )
    .build()
    .unwrap()
}

async fn send(
    c: &Connection,
    method: reqwest::Method,
    op: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let mut request = c
        .http()
        .request(method, format!("{}/api/thing", c.base_url()))
        .body("{}")
        .build()
        .unwrap();
    add_headers(c.context(), &mut request);
    execute(c.http(), c.context(), request, op, false).await
}

async fn get(c: &Connection) -> reqwest::Result<reqwest::Response> {
    let request = c
        .http()
        .get(format!("{}/api/thing", c.base_url()))
        .build()
        .unwrap();
    execute(c.http(), c.context(), request, "get_thing", false).await
}

/// A request of an operation whose successes are JSON read whole.
async fn get_whole(c: &Connection, method: reqwest::Method) -> reqwest::Result<reqwest::Response> {
    let request = c
        .http()
        .request(method, format!("{}/api/thing", c.base_url()))
        .build()
        .unwrap();
    execute(c.http(), c.context(), request, "get_thing", true).await
}

/// A 200 that announces more body than it sends, then closes.
fn cut_short() -> Reply {
    Reply::Raw(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"ok\":"
            .to_vec(),
    )
}

#[tokio::test]
async fn a_whole_json_answer_cut_short_is_asked_for_again() {
    // Cut after the head: read here, so sent again, and the caller gets the whole body.
    let (url, count) = server(vec![cut_short(), Reply::Reset, status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    let response = get_whole(&c, reqwest::Method::GET).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.url().as_str().ends_with("/api/thing"));
    assert_eq!(response.bytes().await.unwrap(), &br#"{"ok":true}"#[..]);

    // Every attempt cut: the last answer is handed over as it is, and reading it fails as a
    // body cut short does.
    let (url, count) = server(vec![cut_short()]).await;
    let c = connection(&url, fast().max_attempts(3), |b| b);
    let response = get_whole(&c, reqwest::Method::GET).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(response.bytes().await.is_err());

    // A POST is not sent again, nor is an answer left to stream to the caller.
    let (url, count) = server(vec![cut_short(), status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    let response = get_whole(&c, reqwest::Method::POST).await.unwrap();
    assert!(response.bytes().await.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let (url, count) = server(vec![cut_short(), status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    let response = get(&c).await.unwrap();
    assert!(response.bytes().await.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn reads_are_retried_until_they_succeed() {
    let (url, count) = server(vec![status(503), status(502), status(504), status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert_eq!(
        count.load(Ordering::SeqCst),
        4,
        "three retries: the default allows four attempts"
    );
}

#[tokio::test]
async fn attempts_are_bounded() {
    let (url, count) = server(vec![status(503)]).await;
    let c = connection(&url, fast().max_attempts(3), |b| b);
    assert_eq!(
        get(&c).await.unwrap().status(),
        503,
        "the last answer is returned"
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let (url, count) = server(vec![status(503)]).await;
    let c = connection(&url, RetryPolicy::none(), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 503);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for code in [200, 400, 404, 409, 500] {
        let (url, count) = server(vec![status(code), status(200)]).await;
        let c = connection(&url, fast(), |b| b);
        assert_eq!(get(&c).await.unwrap().status(), code);
        assert_eq!(count.load(Ordering::SeqCst), 1, "{code}");
    }
    let (url, count) = server(vec![status(409), status(200)]).await;
    let c = connection(&url, fast().retry_conflicts(true), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 2, "409 when opted in");
}

#[tokio::test]
async fn posts_are_retried_only_when_opted_in() {
    let (url, count) = server(vec![status(503), status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    assert_eq!(
        send(&c, reqwest::Method::POST, "post_thing")
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let (url, count) = server(vec![status(503), status(200)]).await;
    let c = connection(&url, fast().retry_post(true), |b| b);
    assert_eq!(
        send(&c, reqwest::Method::POST, "post_thing")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let named = fast().retry_post_for([OperationId::__generated("post_thing")]);
    let (url, count) = server(vec![status(503), status(200), status(503), status(200)]).await;
    let c = connection(&url, named, |b| b);
    assert_eq!(
        send(&c, reqwest::Method::POST, "post_thing")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        send(&c, reqwest::Method::POST, "post_other")
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);

    for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
        let (url, count) = server(vec![status(503), status(200)]).await;
        let c = connection(&url, fast(), |b| b);
        assert_eq!(
            send(&c, method.clone(), "put_thing")
                .await
                .unwrap()
                .status(),
            200,
            "{method}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn a_streamed_body_is_sent_once() {
    let (url, count) = server(vec![status(503), status(200)]).await;
    let c = connection(&url, fast().retry_post(true), |b| b);
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from_static(
        b"{}",
    ))]);
    let request = c
        .http()
        .put(format!("{url}/api/thing"))
        .body(reqwest::Body::wrap_stream(stream))
        .build()
        .unwrap();
    assert_eq!(
        execute(c.http(), c.context(), request, "put_thing", false)
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn retry_after_is_waited_up_to_its_limit() {
    let throttled = |after: &str| {
        Reply::Status(
            429,
            vec![("retry-after", after.into())],
            br#"{"message":"slow"}"#.to_vec(),
        )
    };
    // Asked for exactly the limit: waited.
    let (url, count) = server(vec![throttled("1"), status(200)]).await;
    let c = connection(&url, fast().max_retry_after(Duration::from_secs(1)), |b| b);
    let started = Instant::now();
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
    // Asked for more than the limit: returned at once.
    let (url, count) = server(vec![throttled("2"), status(200)]).await;
    let c = connection(&url, fast().max_retry_after(Duration::from_secs(1)), |b| b);
    let started = Instant::now();
    let answer = get(&c).await.unwrap();
    assert_eq!(answer.status(), 429);
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // No Retry-After: the backoff.
    let (url, count) = server(vec![status(429), status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_deadline_stops_the_retries() {
    let (url, count, arrivals) = timed_server(vec![status(503)]).await;
    let policy = RetryPolicy::default()
        .max_attempts(10)
        .backoff(Duration::from_millis(150), Duration::from_millis(150))
        .deadline(Duration::from_millis(400));
    let c = connection(&url, policy, |b| b);
    let started = Instant::now();
    assert_eq!(get(&c).await.unwrap().status(), 503);
    let n = count.load(Ordering::SeqCst);
    // Waits of 75-150 ms (half the backoff, plus jitter): 3 to 6 attempts fit in 400 ms.
    assert!((3..=6).contains(&n), "{n} attempts");
    // The promise: no retry starts past the deadline. The last attempt's own time may end
    // after it (attempts are bounded by the timeouts); its head reaches the server a connect
    // and a write after it started, hence the margin for a loaded machine.
    let last = *arrivals.lock().unwrap().last().unwrap();
    assert!(
        last.duration_since(started) < Duration::from_millis(400 + 30),
        "last attempt at {:?}",
        last.duration_since(started)
    );

    let (url, count) = server(vec![status(503)]).await;
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .backoff(Duration::from_millis(5), Duration::from_millis(5))
        .no_deadline();
    let c = connection(&url, policy, |b| b);
    get(&c).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_reset_before_the_answer_is_retried_for_reads_only() {
    let (url, count) = server(vec![Reply::Reset, status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let (url, count) = server(vec![Reply::Reset, status(200)]).await;
    let c = connection(&url, fast(), |b| b);
    assert!(send(&c, reqwest::Method::POST, "post_thing").await.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // A connection closed before a whole answer (an incomplete message) is a reset too.
    let (url, count) = server(vec![
        Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-le".to_vec()),
        status(200),
    ])
    .await;
    let c = connection(&url, fast(), |b| b);
    assert_eq!(get(&c).await.unwrap().status(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 2);

    // Nobody listening: retried, then the connect error.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let c = connection(&url, fast(), |b| b);
    let started = Instant::now();
    assert!(get(&c).await.unwrap_err().is_connect());
    assert!(
        started.elapsed() >= Duration::from_millis(15),
        "three backoffs were waited"
    );
}

#[tokio::test]
async fn a_timeout_is_not_retried() {
    let (url, count) = server(vec![Reply::Stall]).await;
    let c = connection(&url, fast(), |b| b.timeout(Duration::from_millis(200)));
    let started = Instant::now();
    assert!(get(&c).await.unwrap_err().is_timeout());
    assert!(
        started.elapsed() < Duration::from_millis(390),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_looked_up_once() {
    struct Nowhere(Arc<AtomicUsize>);
    impl reqwest::dns::Resolve for Nowhere {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Err("no such host".into()) })
        }
    }
    let lookups = Arc::new(AtomicUsize::new(0));
    // A client built by hand needs a TLS provider, as the builder's own installs one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .dns_resolver(Arc::new(Nowhere(lookups.clone())))
        .build()
        .unwrap();
    let c = connection("http://kibana.example.invalid", fast(), |b| {
        b.allow_insecure_http(true).http_client(http)
    });
    assert!(get(&c).await.unwrap_err().is_connect());
    assert_eq!(lookups.load(Ordering::SeqCst), 1);
}

/// An HTTPS server whose certificate nobody trusts; counts handshakes.
async fn untrusted_https() -> (String, Arc<AtomicUsize>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });
    (format!("https://localhost:{port}"), count)
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_once() {
    let (url, handshakes) = untrusted_https().await;
    let c = connection(&url, fast(), |b| b);
    let err = get(&c).await.unwrap_err();
    let result: Result<kibana_serverless_runtime::ResponseValue<()>, progenitor_client::Error<()>> =
        Err(progenitor_client::Error::CommunicationError(err));
    let e = kibana_serverless_runtime::__private::error::from_generated(
        result,
        kibana_serverless_runtime::__private::error::no_path,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, kibana_serverless_runtime::Error::Tls(_)),
        "{e:?}"
    );
    assert_eq!(handshakes.load(Ordering::SeqCst), 1, "not retried");
}

async fn error_text(reply: Reply) -> (serde_json::Value, bool) {
    let (url, _) = server(vec![reply]).await;
    let c = connection(&url, RetryPolicy::none(), |b| b);
    let answer = get(&c).await.unwrap();
    let marked = answer
        .headers()
        .contains_key("x-kibana-serverless-raw-error-body");
    (answer.json().await.unwrap(), marked)
}

#[tokio::test]
async fn error_pages_become_json_with_their_text() {
    let text = |code: u16, body: Vec<u8>| {
        Reply::Status(code, vec![("content-type", "text/plain".into())], body)
    };
    let (json, marked) = error_text(text(503, b"Server is overloaded".to_vec())).await;
    assert_eq!(
        json,
        serde_json::json!({"message": "Server is overloaded", "statusCode": 503})
    );
    assert!(marked);
    let (json, marked) =
        error_text(text(400, br#"{"message":"bad","statusCode":400}"#.to_vec())).await;
    assert_eq!(
        json,
        serde_json::json!({"message": "bad", "statusCode": 400})
    );
    assert!(!marked, "a JSON object stays as sent");
    let (json, marked) = error_text(text(404, b"[1,2]".to_vec())).await;
    assert_eq!(json["message"], "[1,2]");
    assert!(marked, "JSON that is no object is text");
    // A success is left alone.
    let (url, _) = server(vec![text(200, b"plain".to_vec())]).await;
    let c = connection(&url, RetryPolicy::none(), |b| b);
    assert_eq!(get(&c).await.unwrap().text().await.unwrap(), "plain");
}

#[tokio::test]
async fn long_error_pages_are_cut_and_sized() {
    let text = |body: Vec<u8>| Reply::Status(502, vec![("content-type", "text/html".into())], body);
    let (json, _) = error_text(text(vec![b'a'; MAX_ERROR_TEXT])).await;
    assert_eq!(
        json["message"].as_str().unwrap().len(),
        MAX_ERROR_TEXT,
        "up to the limit, whole"
    );
    let (json, _) = error_text(text(vec![b'a'; MAX_ERROR_TEXT + 1])).await;
    let message = json["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "{}… ({} bytes in all)",
            "a".repeat(MAX_ERROR_TEXT),
            MAX_ERROR_TEXT + 1
        )
    );
    // The cut falls inside a two-byte character: it moves back to the character's start.
    let mut odd = b"a".to_vec();
    odd.extend("é".repeat(MAX_ERROR_TEXT).as_bytes());
    let size = odd.len();
    let (json, _) = error_text(text(odd)).await;
    let message = json["message"].as_str().unwrap();
    let expected = format!(
        "a{}… ({size} bytes in all)",
        "é".repeat((MAX_ERROR_TEXT - 1) / 2)
    );
    assert_eq!(message, expected);
    // Past the read limit: not read further, and said so.
    let (json, _) = error_text(text(vec![b'b'; MAX_ERROR_BODY + 10])).await;
    let message = json["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!(
            "… (more than {MAX_ERROR_BODY} bytes; the rest was not read)"
        )),
        "{}",
        &message[message.len() - 80..]
    );
    assert!(message.starts_with(&format!("{}… ", "b".repeat(MAX_ERROR_TEXT))));
}

#[tokio::test]
async fn every_request_gets_the_context_headers_it_does_not_set() {
    let c = KibanaBuilder::<Connection>::new("http://127.0.0.1:9")
        .credentials(Credentials::basic("elastic", "hunter2"))
        .header("x-team", "ops")
        .build()
        .unwrap();
    let mut request = c
        .http()
        .get("http://127.0.0.1:9/api/x")
        .header("x-team", "mine")
        .build()
        .unwrap();
    add_headers(c.context(), &mut request);
    let h = request.headers();
    assert_eq!(h["x-team"], "mine", "the request's own value stays");
    assert_eq!(h["kbn-xsrf"], "true");
    assert_eq!(h["elastic-api-version"], "2023-10-31");
    assert_eq!(h["authorization"], "Basic ZWxhc3RpYzpodW50ZXIy");
    assert!(h["authorization"].is_sensitive());
    let bearer = KibanaBuilder::<Connection>::new("http://127.0.0.1:9")
        .credentials(Credentials::bearer("tok"))
        .build()
        .unwrap();
    let mut request = bearer.http().get("http://127.0.0.1:9/").build().unwrap();
    add_headers(bearer.context(), &mut request);
    assert_eq!(request.headers()["authorization"], "Bearer tok");
    let key = KibanaBuilder::<Connection>::new("http://127.0.0.1:9")
        .credentials(Credentials::api_key_id("id", "secret"))
        .build()
        .unwrap();
    let mut request = key.http().get("http://127.0.0.1:9/").build().unwrap();
    add_headers(key.context(), &mut request);
    assert_eq!(request.headers()["authorization"], "ApiKey aWQ6c2VjcmV0");
    // A secret a header cannot carry is refused at build, naming the scheme only.
    let err = KibanaBuilder::<Connection>::new("http://127.0.0.1:9")
        .credentials(Credentials::bearer("bad\ntoken"))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("Bearer") && !err.to_string().contains("token"),
        "{err}"
    );
}

#[tokio::test]
async fn answers_past_the_body_limit_are_refused() {
    use kibana_serverless_runtime::response::from_response;
    let chunked = |chunks: &[&str]| {
        let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
        for c in chunks {
            out.extend(format!("{:x}\r\n{c}\r\n", c.len()).into_bytes());
        }
        out.extend(b"0\r\n\r\n");
        Reply::Raw(out)
    };
    let decode = |reply: Reply, limit: usize| async move {
        let (url, _) = server(vec![reply]).await;
        let c = connection(&url, RetryPolicy::none(), |b| b.max_body_size(limit));
        from_response::<serde_json::Value, ()>(get(&c).await.unwrap())
            .await
            .map(|v| v.into_inner())
    };
    // Several chunks, within the limit: one value.
    let v = decode(chunked(&["[1,", "2,", "3]"]), 7).await.unwrap();
    assert_eq!(v, serde_json::json!([1, 2, 3]));
    let v = decode(chunked(&["[1,2,3]"]), 7).await.unwrap();
    assert_eq!(v, serde_json::json!([1, 2, 3]));
    for reply in [
        chunked(&["[1,", "2,", "3,4]"]),
        chunked(&["[1,2,3,4]"]),
        chunked(&["[1,2,", "3,4]"]),
        status(200),
    ] {
        match decode(reply, 7).await {
            Err(progenitor_client::Error::Custom(m)) => assert!(m.ends_with("7"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // An empty body is an empty body, not a failure to read.
    match decode(chunked(&[]), 7).await {
        Err(progenitor_client::Error::InvalidResponsePayload(body, _)) => assert!(body.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_page_of_exactly_the_read_limit_is_read_whole() {
    let page = Reply::Status(
        500,
        vec![("content-type", "text/html".into())],
        vec![b'c'; MAX_ERROR_BODY],
    );
    let (json, _) = error_text(page).await;
    let message = json["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!("… ({MAX_ERROR_BODY} bytes in all)")),
        "{}",
        &message[message.len() - 60..]
    );
}

#[test]
fn the_documented_limits() {
    // README and rustdoc state these: an 8 KiB excerpt of an error page read up to 1 MiB.
    assert_eq!(MAX_ERROR_TEXT, 8 * 1024);
    assert_eq!(MAX_ERROR_BODY, 1024 * 1024);
    assert_eq!(
        kibana_serverless_runtime::ndjson::MAX_LINE,
        64 * 1024 * 1024
    );
}
