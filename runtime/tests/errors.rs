//! What a failed operation becomes: each kind of generated failure mapped to its `Error`, and
//! what the error then says (status, message, body, whether it is a transport failure).

use kibana_serverless_runtime::__private::error::{from_generated, no_path, path_of};
use kibana_serverless_runtime::{Error, KibanaErrorBody, ResponseValue};
use progenitor_client::Error as G;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use std::time::Duration;

type Generated = Result<ResponseValue<serde_json::Value>, G<KibanaErrorBody>>;

async fn map(result: Generated, success: Option<u16>) -> Error {
    from_generated(result, path_of::<Typed>, success)
        .await
        .expect_err("a failure")
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Typed {
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Item {
    n: u32,
}

fn response(status: u16, headers: &[(&str, &str)], body: &'static str) -> reqwest::Response {
    let mut r = http::Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        r.headers_mut().insert(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    reqwest::Response::from(r)
}

fn body(json: serde_json::Value) -> KibanaErrorBody {
    serde_json::from_value(json).unwrap()
}

#[tokio::test]
async fn an_error_response_keeps_status_body_and_retry_after() {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", HeaderValue::from_static("7"));
    let value = ResponseValue::new(
        body(
            serde_json::json!({"statusCode": 429, "error": "Too Many Requests", "message": "slow down"}),
        ),
        StatusCode::TOO_MANY_REQUESTS,
        headers,
    );
    let e = map(Err(G::ErrorResponse(value)), Some(200)).await;
    assert_eq!(e.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(e.message(), Some("slow down"));
    assert_eq!(e.body().unwrap().status(), Some(429));
    assert!(!e.is_transport());
    match &e {
        Error::Api {
            raw, retry_after, ..
        } => {
            assert_eq!(*raw, None, "a JSON body is not raw text");
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "Kibana answered 429 Too Many Requests: Too Many Requests: slow down"
    );
}

#[tokio::test]
async fn a_text_error_keeps_its_text_as_raw() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-kibana-serverless-raw-error-body",
        HeaderValue::from_static("1"),
    );
    let value = ResponseValue::new(
        body(serde_json::json!({"message": "Server is overloaded", "statusCode": 503})),
        StatusCode::SERVICE_UNAVAILABLE,
        headers,
    );
    match map(Err(G::ErrorResponse(value)), None).await {
        Error::Api {
            raw, retry_after, ..
        } => {
            assert_eq!(raw.as_deref(), Some("Server is overloaded"));
            assert_eq!(retry_after, None);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_message_falls_back_to_the_error_field() {
    let value = ResponseValue::new(
        body(serde_json::json!({"error": "Not Found"})),
        StatusCode::NOT_FOUND,
        HeaderMap::new(),
    );
    let e = map(Err(G::ErrorResponse(value)), None).await;
    assert_eq!(e.message(), Some("Not Found"));
}

#[tokio::test]
async fn unexpected_answers_are_told_apart() {
    let e = map(
        Err(G::UnexpectedResponse(response(
            302,
            &[("location", "https://elsewhere.example/login")],
            "",
        ))),
        None,
    )
    .await;
    match &e {
        Error::Redirected { status, location } => {
            assert_eq!(status.as_u16(), 302);
            assert_eq!(location.as_deref(), Some("https://elsewhere.example/login"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.status(), Some(StatusCode::FOUND));
    assert!(e.to_string().contains("https://elsewhere.example/login"));

    let e = map(Err(G::UnexpectedResponse(response(307, &[], ""))), None).await;
    assert!(
        matches!(&e, Error::Redirected { location: None, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("no location"));

    // 304 is not a redirect to follow, it is a status nobody documented.
    for status in [304, 204, 200] {
        let e = map(
            Err(G::UnexpectedResponse(response(status, &[], "body"))),
            None,
        )
        .await;
        match &e {
            Error::UnexpectedStatus { status: s, body } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(&body[..], b"body");
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
    }

    let e = map(
        Err(G::UnexpectedResponse(response(
            500,
            &[],
            r#"{"message":"boom","statusCode":500}"#,
        ))),
        None,
    )
    .await;
    assert_eq!(e.message(), Some("boom"));
    assert_eq!(e.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));

    let e = map(
        Err(G::UnexpectedResponse(response(
            502,
            &[],
            "Bad gateway page",
        ))),
        None,
    )
    .await;
    assert_eq!(
        e.message(),
        Some("Bad gateway page"),
        "a text body is the message"
    );
}

#[tokio::test]
async fn a_body_that_does_not_decode_names_the_path_or_the_content() {
    let json = bytes::Bytes::from_static(br#"{"items":[{"n":1},{"n":"two"}]}"#);
    let cause = serde_json::from_slice::<serde_json::Value>(b"{").unwrap_err();
    match map(
        Err(G::InvalidResponsePayload(json.clone(), cause)),
        Some(200),
    )
    .await
    {
        Error::Decode {
            status,
            path,
            message,
            body,
        } => {
            assert_eq!(status, Some(StatusCode::OK));
            assert_eq!(path, "items[1].n");
            assert!(message.contains("invalid type"), "{message}");
            assert_eq!(body, json);
        }
        other => panic!("{other:?}"),
    }

    let html = bytes::Bytes::from_static(b"<html><body>Log in</body></html>");
    let cause = serde_json::from_slice::<serde_json::Value>(&html).unwrap_err();
    match map(Err(G::InvalidResponsePayload(html, cause)), None).await {
        Error::Decode {
            status,
            path,
            message,
            ..
        } => {
            assert_eq!(status, None);
            assert_eq!(path, ".");
            assert!(
                message.contains("not JSON") && message.contains("<html>"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }

    // JSON that decodes when re-read (the type does not fit only for the generated one).
    let fine = bytes::Bytes::from_static(br#"{"items":[]}"#);
    let cause = serde_json::from_slice::<u8>(b"{}").unwrap_err();
    let said = cause.to_string();
    match map(Err(G::InvalidResponsePayload(fine, cause)), None).await {
        Error::Decode { path, message, .. } => assert_eq!((path.as_str(), message), (".", said)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn raw_operations_have_no_path_to_find() {
    assert_eq!(no_path(br#"{"a":1}"#), None);
    let bad = bytes::Bytes::from_static(b"[1,2");
    let cause = serde_json::from_slice::<serde_json::Value>(&bad).unwrap_err();
    let result: Generated = Err(G::InvalidResponsePayload(bad, cause));
    match from_generated(result, no_path, None).await.unwrap_err() {
        Error::Decode { path, .. } => assert_eq!(path, "."),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_body_past_the_limit_and_other_custom_failures() {
    let result: Generated = Err(G::Custom("kibana-serverless: body larger than 4096".into()));
    match from_generated(result, no_path, None).await.unwrap_err() {
        Error::BodyTooLarge { limit } => assert_eq!(limit, 4096),
        other => panic!("{other:?}"),
    }
    let result: Generated = Err(G::Custom("something else".into()));
    let e = from_generated(result, no_path, None).await.unwrap_err();
    assert!(
        matches!(&e, Error::InvalidRequest(m) if m == "something else"),
        "{e:?}"
    );
    assert_eq!(e.status(), None);
    assert_eq!(e.message(), None);
    assert!(e.body().is_none());
    assert!(!e.is_transport());
    let result: Generated = Err(G::InvalidRequest("missing id".into()));
    assert!(matches!(
        from_generated(result, no_path, None).await.unwrap_err(),
        Error::InvalidRequest(m) if m == "missing id"
    ));
}

#[tokio::test]
async fn success_passes_through() {
    let ok = ResponseValue::new(
        serde_json::json!({"a": 1}),
        StatusCode::OK,
        HeaderMap::new(),
    );
    let value = from_generated::<_, KibanaErrorBody>(Ok(ok), no_path, None)
        .await
        .unwrap();
    assert_eq!(value.into_inner(), serde_json::json!({"a": 1}));
}

#[tokio::test]
async fn transport_failures_are_transport() {
    // A port nobody listens on: a connect failure, from reqwest as it comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = kibana_serverless_runtime::KibanaBuilder::<kibana_serverless_runtime::Connection>::new(
        format!("http://{addr}"),
    )
    .api_key("k")
    .build()
    .unwrap();
    let err = c
        .http()
        .get(format!("http://{addr}/"))
        .send()
        .await
        .unwrap_err();
    let result: Generated = Err(G::CommunicationError(err));
    let e = from_generated(result, no_path, None).await.unwrap_err();
    assert!(matches!(e, Error::Connect(_)), "{e:?}");
    assert!(e.is_transport());
    assert_eq!(e.status(), None);
    for e in [
        Error::RepeatedCursor {
            cursor: "c".into(),
            page: 2,
        },
        Error::MalformedLine {
            line: 3,
            message: "bad".into(),
        },
        Error::Io(std::io::Error::other("disk")),
        Error::BodyTooLarge { limit: 1 },
    ] {
        assert!(!e.is_transport(), "{e:?}");
        assert_eq!(e.status(), None, "{e:?}");
        assert!(e.message().is_none() && e.body().is_none(), "{e:?}");
    }
    let decode = Error::Decode {
        status: Some(StatusCode::CREATED),
        path: ".".into(),
        message: "m".into(),
        body: bytes::Bytes::new(),
    };
    assert_eq!(decode.status(), Some(StatusCode::CREATED));
}

#[test]
fn error_bodies_in_every_shape() {
    let platform = body(
        serde_json::json!({"statusCode": 400, "error": "Bad Request", "message": "[request body.name]: expected string"}),
    );
    assert_eq!(platform.status(), Some(400));
    assert_eq!(
        platform.to_string(),
        "Bad Request: [request body.name]: expected string"
    );

    let security = body(serde_json::json!({"status_code": 404, "message": "rule not found"}));
    assert_eq!(security.status(), Some(404));
    assert_eq!(security.to_string(), "rule not found");

    let elastic =
        body(serde_json::json!({"error": {"type": "x", "reason": "shard failed"}, "status": 500}));
    assert_eq!(elastic.reason(), Some("shard failed"));
    assert_eq!(elastic.error, None, "an `error` object is kept in extra");
    assert_eq!(elastic.to_string(), "shard failed");
    assert_eq!(elastic.status(), None);

    let problem = body(serde_json::json!({"title": "Unprocessable", "detail": "field x"}));
    assert_eq!(problem.to_string(), "field x");
    let title_only = body(serde_json::json!({"title": "Unprocessable"}));
    assert_eq!(title_only.to_string(), "Unprocessable");

    let bare = body(serde_json::json!({"error": "Forbidden"}));
    assert_eq!(bare.to_string(), "Forbidden");
    let empty = body(serde_json::json!({}));
    assert_eq!(
        empty.to_string(),
        "Kibana returned an error without a message"
    );
    assert_eq!(empty.reason(), None);

    // Known fields of an unexpected type are kept, not lost and not failing.
    let odd = body(
        serde_json::json!({"statusCode": "400", "message": {"text": "nested"}, "errorType": "FleetError", "attributes": [1]}),
    );
    assert_eq!(odd.status_code, None);
    assert_eq!(odd.extra["statusCode"], "400");
    assert_eq!(odd.extra["message"]["text"], "nested");
    assert_eq!(odd.error_type.as_deref(), Some("FleetError"));
    assert_eq!(odd.attributes, Some(serde_json::json!([1])));

    // A status must be a whole number in range to be one.
    for (value, want) in [
        (599.0, Some(599)),
        (100.0, Some(100)),
        (600.0, None),
        (99.0, None),
        (404.5, None),
    ] {
        let b = KibanaErrorBody {
            status_code: Some(value),
            ..Default::default()
        };
        assert_eq!(b.status(), want, "{value}");
    }
    let both = KibanaErrorBody {
        status_code: None,
        security_status_code: Some(409.0),
        ..Default::default()
    };
    assert_eq!(both.status(), Some(409));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_shown_up_to_80_bytes() {
    for (len, cut) in [(80, false), (81, true)] {
        let page = bytes::Bytes::from(format!("<{}", "x".repeat(len - 1)));
        let cause = serde_json::from_slice::<serde_json::Value>(&page).unwrap_err();
        match map(Err(G::InvalidResponsePayload(page, cause)), None).await {
            Error::Decode { message, .. } => {
                assert!(
                    message.contains(&format!("({len} bytes, starting \"<")),
                    "{message}"
                );
                assert_eq!(message.ends_with("…)"), cut, "{message}");
                assert_eq!(message.matches('x').count(), 79, "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
