//! `multipart/form-data` bodies of one file field, streamed: what Kibana's imports take (saved
//! objects, rules, exception lists, timelines: an ndjson file in the field `file`). The raw body
//! a caller gives such an operation, from memory or a stream, is sent as the file, between the
//! form's boundary lines, without being read into memory first.

use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use std::sync::atomic::{AtomicU64, Ordering};

/// A boundary unlikely to occur in any file: a per-process counter and the time.
fn boundary() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("kibana-serverless-{t:x}-{n:x}")
}

/// The head and tail a file field is sent between.
pub fn envelope(boundary: &str, field: &str) -> (Bytes, Bytes) {
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{field}.ndjson\"\r\n\
         Content-Type: application/x-ndjson\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    (Bytes::from(head), Bytes::from(tail))
}

/// Rewrites `request`'s body as a multipart form whose field `field` holds it.
pub fn wrap(request: &mut reqwest::Request, field: &str) {
    let boundary = boundary();
    let (head, tail) = envelope(&boundary, field);
    let body = request.body_mut().take();
    let wrapped = match body.as_ref().and_then(reqwest::Body::as_bytes) {
        Some(bytes) => {
            let mut all = Vec::with_capacity(head.len() + bytes.len() + tail.len());
            all.extend_from_slice(&head);
            all.extend_from_slice(bytes);
            all.extend_from_slice(&tail);
            reqwest::Body::from(all)
        }
        None => {
            let inner = body.map(|b| http_body_util::BodyDataStream::new(b).boxed());
            let head = futures::stream::once(async move { Ok::<Bytes, reqwest::Error>(head) });
            let tail = futures::stream::once(async move { Ok::<Bytes, reqwest::Error>(tail) });
            let middle = inner.unwrap_or_else(|| futures::stream::empty().boxed());
            request.headers_mut().remove(CONTENT_LENGTH);
            reqwest::Body::wrap_stream(head.chain(middle).chain(tail))
        }
    };
    *request.body_mut() = Some(wrapped);
    if let Ok(value) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")) {
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
}

/// Rewrites `request`'s JSON object body as a multipart form: each field a part, `file` as a
/// file part holding its text, other strings as they are, anything else as JSON text.
pub fn form(request: &mut reqwest::Request, file: &str) {
    let Some(serde_json::Value::Object(fields)) = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .and_then(|b| serde_json::from_slice(b).ok())
    else {
        return;
    };
    let boundary = boundary();
    let mut body = Vec::new();
    for (name, value) in &fields {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if name == file {
            let (head, _) = envelope(&boundary, name);
            body.extend_from_slice(&head);
        } else {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    *request.body_mut() = Some(reqwest::Body::from(body));
    request.headers_mut().remove(CONTENT_LENGTH);
    if let Ok(value) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")) {
        request.headers_mut().insert(CONTENT_TYPE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A POST with `body` (no client: building one needs a TLS provider).
    fn post(body: impl Into<reqwest::Body>) -> reqwest::Request {
        let url = "http://localhost/api/saved_objects/_import"
            .parse()
            .unwrap();
        let mut request = reqwest::Request::new(reqwest::Method::POST, url);
        *request.body_mut() = Some(body.into());
        request
    }

    #[test]
    fn a_json_object_becomes_a_form_of_its_fields() {
        let mut request =
            post(r#"{"file":"{\"id\":\"1\"}\n","retries":[{"id":"1","type":"index-pattern"}]}"#);
        form(&mut request, "file");
        let ct = request.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let boundary = ct
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap()
            .to_string();
        let body = std::str::from_utf8(request.body().unwrap().as_bytes().unwrap())
            .unwrap()
            .to_string();
        assert!(
            body.contains("name=\"file\"; filename=\"file.ndjson\""),
            "{body}"
        );
        assert!(body.contains("{\"id\":\"1\"}\n\r\n"), "{body}");
        assert!(
            body.contains(
                "name=\"retries\"\r\n\r\n[{\"id\":\"1\",\"type\":\"index-pattern\"}]\r\n"
            ),
            "{body}"
        );
        assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");
    }

    #[tokio::test]
    async fn bytes_and_streams_become_one_file_field() {
        let mut request = post("{\"id\":\"1\"}\n");
        wrap(&mut request, "file");
        let ct = request.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let boundary = ct
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap()
            .to_string();
        let body = std::str::from_utf8(request.body().unwrap().as_bytes().unwrap())
            .unwrap()
            .to_string();
        assert!(body.starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file.ndjson\"")), "{body}");
        assert!(
            body.ends_with(&format!("{{\"id\":\"1\"}}\n\r\n--{boundary}--\r\n")),
            "{body}"
        );

        let stream = futures::stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from("a\n")),
            Ok(Bytes::from("b\n")),
        ]);
        let mut streamed = post(reqwest::Body::wrap_stream(stream));
        wrap(&mut streamed, "file");
        assert!(
            streamed.body().unwrap().as_bytes().is_none(),
            "still a stream"
        );
        let collected: Vec<Bytes> =
            http_body_util::BodyDataStream::new(streamed.body_mut().take().unwrap())
                .map(|c| c.unwrap())
                .collect()
                .await;
        let text = String::from_utf8(collected.concat()).unwrap();
        assert!(
            text.contains("\r\n\r\na\nb\n\r\n--") && text.ends_with("--\r\n"),
            "{text}"
        );
    }
}
