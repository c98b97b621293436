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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_and_streams_become_one_file_field() {
        let client = reqwest::Client::new();
        let mut request = client
            .post("http://localhost/api/saved_objects/_import")
            .body("{\"id\":\"1\"}\n")
            .build()
            .unwrap();
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
        let mut streamed = client
            .post("http://localhost/x")
            .body(reqwest::Body::wrap_stream(stream))
            .build()
            .unwrap();
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
