//! Newline-delimited answers (typed lines, written to a file) and archive uploads (from bytes,
//! a file or a reader; typed by their first bytes; refused when the operation does not take
//! them), without a server: the bodies are streams made here.

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::BodyExt;
use kibana_serverless_runtime::hooks::{RawBody, prepare_raw_body};
use kibana_serverless_runtime::ndjson::{self, WriteSummary};
use kibana_serverless_runtime::upload::{Archive, ArchiveType, upload};
use kibana_serverless_runtime::{Error, ResponseValue};
use std::pin::Pin;
use std::task::{Context, Poll};

fn body(
    chunks: &[&str],
) -> impl futures::Stream<Item = reqwest::Result<Bytes>> + Unpin + Send + 'static {
    let chunks: Vec<reqwest::Result<Bytes>> = chunks
        .iter()
        .map(|c| Ok(Bytes::copy_from_slice(c.as_bytes())))
        .collect();
    futures::stream::iter(chunks)
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Line {
    id: u32,
}

#[tokio::test]
async fn typed_lines_end_at_the_first_bad_one() {
    let mut lines = ndjson::typed::<Line, _>(body(&[
        "{\"id\":1}\n{\"id\"",
        ":2}\n{\"id\":\"x\"}\n{\"id\":4}\n",
    ]));
    assert_eq!(lines.next().await.unwrap().unwrap(), Line { id: 1 });
    assert_eq!(lines.next().await.unwrap().unwrap(), Line { id: 2 });
    match lines.next().await.unwrap() {
        Err(Error::MalformedLine { line, message }) => {
            assert_eq!(line, 3);
            assert!(message.starts_with("at `id`:"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(lines.next().await.is_none(), "nothing after the bad line");
}

#[tokio::test]
async fn typed_lines_all_good() {
    let got: Vec<u32> = ndjson::typed::<Line, _>(body(&["{\"id\":1}\n\n", "{\"id\":2}"]))
        .map(|l| l.unwrap().id)
        .collect()
        .await;
    assert_eq!(got, [1, 2]);
}

#[tokio::test]
async fn write_to_keeps_every_good_line_and_says_what_it_wrote() {
    let dir = std::env::temp_dir().join(format!("rt-ndjson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.ndjson");
    let summary: WriteSummary<Line> =
        ndjson::write_to(body(&["{\"id\":1}\r\n", "{\"id\":22}\n"]), &file)
            .await
            .unwrap();
    assert_eq!(
        summary,
        WriteSummary {
            lines: 2,
            last: Some(Line { id: 22 }),
            bytes: 19
        }
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"id\":1}\n{\"id\":22}\n"
    );

    let failed =
        ndjson::write_to::<Line, _>(body(&["{\"id\":1}\n{\"id\":-1}\n{\"id\":3}\n"]), &file).await;
    assert!(
        matches!(failed, Err(Error::MalformedLine { line: 2, .. })),
        "{failed:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"id\":1}\n",
        "the good line was flushed"
    );

    let empty: WriteSummary<Line> = ndjson::write_to(body(&[]), &file).await.unwrap();
    assert_eq!(
        empty,
        WriteSummary {
            lines: 0,
            last: None,
            bytes: 0
        }
    );
    let nowhere =
        ndjson::write_to::<Line, _>(body(&["{\"id\":1}\n"]), &dir.join("missing/dir/out")).await;
    assert!(matches!(nowhere, Err(Error::Io(_))), "{nowhere:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decode_line_names_the_line_and_path() {
    assert_eq!(
        ndjson::decode_line::<Line>(5, b"{\"id\":5}").unwrap(),
        Line { id: 5 }
    );
    match ndjson::decode_line::<Line>(9, b"{}") {
        Err(Error::MalformedLine { line: 9, message }) => {
            assert!(message.contains("missing field `id`"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

const ARCHIVES: &[&str] = &["application/zip", "application/gzip"];
const RAW: &[RawBody] = &[RawBody {
    operation: "upload_package",
    media_types: ARCHIVES,
    multipart_file: None,
    multipart_fields: false,
}];

fn zip() -> Vec<u8> {
    let mut z = b"PK\x03\x04".to_vec();
    z.extend((0..100_000u32).map(|n| (n % 251) as u8));
    z
}

fn gzip() -> Vec<u8> {
    let mut g = vec![0x1f, 0x8b, 0x08, 0x00];
    g.extend((0..70_000u32).map(|n| (n % 13) as u8));
    g
}

/// Sends like a generated operation: the request hook types the body, then the "server" reads
/// it whole. Returns (content type, bytes received).
async fn sent(
    archive: impl Into<Archive>,
    kind: Option<ArchiveType>,
    accepted: &'static [&'static str],
) -> Result<(String, Vec<u8>), Error> {
    upload(archive, kind, accepted, |body| async move {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "http://kibana.invalid/upload".parse().unwrap(),
        );
        *request.body_mut() = Some(body);
        prepare_raw_body(&mut request, "upload_package", RAW);
        let content_type = request
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = request
            .body_mut()
            .take()
            .unwrap()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Ok(ResponseValue::new(
            (content_type, bytes),
            reqwest::StatusCode::OK,
            Default::default(),
        ))
    })
    .await
    .map(ResponseValue::into_inner)
}

/// A reader that hands out one byte per read, to test reads that come short.
struct Trickle(std::io::Cursor<Vec<u8>>);

impl tokio::io::AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let mut one = [0u8; 1];
        let n = std::io::Read::read(&mut self.0, &mut one)?;
        buf.put_slice(&one[..n]);
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn archives_go_whole_with_the_type_their_bytes_show() {
    let (t, b) = sent(zip(), None, ARCHIVES).await.unwrap();
    assert_eq!((t.as_str(), b), ("application/zip", zip()));

    let path = std::env::temp_dir().join(format!("rt-upload-{}.tar.gz", std::process::id()));
    std::fs::write(&path, gzip()).unwrap();
    let (t, b) = sent(path.as_path(), None, ARCHIVES).await.unwrap();
    assert_eq!((t.as_str(), b), ("application/gzip", gzip()));
    std::fs::remove_file(&path).unwrap();

    let reader = Archive::Reader(Box::new(Trickle(std::io::Cursor::new(zip()))));
    let (t, b) = sent(reader, None, ARCHIVES).await.unwrap();
    assert_eq!(
        (t.as_str(), b),
        ("application/zip", zip()),
        "short reads still fill the prefix"
    );

    // A stated type wins over the bytes.
    let (t, _) = sent(
        b"custom archive".to_vec(),
        Some(ArchiveType::Gzip),
        ARCHIVES,
    )
    .await
    .unwrap();
    assert_eq!(t, "application/gzip");
}

#[tokio::test]
async fn what_the_operation_does_not_take_is_refused_before_sending() {
    let only_zip: &'static [&'static str] = &["application/zip"];
    match sent(gzip(), None, only_zip).await {
        Err(Error::InvalidRequest(m)) => assert_eq!(
            m,
            "the body is application/gzip, and this operation takes application/zip"
        ),
        other => panic!("{other:?}"),
    }
    match sent(b"plain".to_vec(), None, ARCHIVES).await {
        Err(Error::InvalidRequest(m)) => assert_eq!(
            m,
            "the body is not application/zip or application/gzip; give its ArchiveType if it is one"
        ),
        other => panic!("{other:?}"),
    }
    match sent(b"plain".to_vec(), None, &[]).await {
        Err(Error::InvalidRequest(m)) => assert!(m.contains("not a zip or gzip archive"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Any archive goes when the operation names none.
    assert_eq!(sent(zip(), None, &[]).await.unwrap().0, "application/zip");
    // One media type that is no archive format: the body is sent as that.
    let ndjson: &'static [&'static str] = &["application/x-ndjson"];
    let (t, b) = sent(b"{\"a\":1}\n".to_vec(), None, ndjson).await.unwrap();
    assert_eq!(
        (t.as_str(), b.as_slice()),
        ("application/x-ndjson", &b"{\"a\":1}\n"[..])
    );
    // A short file is no archive.
    let reader = Archive::Reader(Box::new(std::io::Cursor::new(b"PK".to_vec())));
    assert!(matches!(
        sent(reader, None, ARCHIVES).await,
        Err(Error::InvalidRequest(_))
    ));
    let missing = std::path::Path::new("/nonexistent/package.zip");
    assert!(matches!(
        sent(missing, None, ARCHIVES).await,
        Err(Error::Io(_))
    ));
}

#[test]
fn archive_types_and_media_types() {
    for kind in [ArchiveType::Zip, ArchiveType::Gzip] {
        assert_eq!(ArchiveType::from_media_type(kind.media_type()), Some(kind));
    }
    assert_eq!(ArchiveType::Zip.media_type(), "application/zip");
    assert_eq!(ArchiveType::Gzip.media_type(), "application/gzip");
    assert_eq!(ArchiveType::from_media_type("application/json"), None);
    assert_eq!(ArchiveType::sniff(&zip()), Some(ArchiveType::Zip));
    assert_eq!(ArchiveType::sniff(&gzip()), Some(ArchiveType::Gzip));
    assert_eq!(ArchiveType::sniff(b"text"), None);
    assert_eq!(ArchiveType::sniff(b""), None);
}

#[test]
fn raw_bodies_in_memory_get_their_sniffed_type() {
    let request = |bytes: &[u8], content_type: Option<&str>| {
        let mut r = reqwest::Request::new(
            reqwest::Method::POST,
            "http://kibana.invalid/".parse().unwrap(),
        );
        *r.body_mut() = Some(reqwest::Body::from(bytes.to_vec()));
        if let Some(t) = content_type {
            r.headers_mut().insert("content-type", t.parse().unwrap());
        }
        r
    };
    let typed = |mut r: reqwest::Request, op: &str| {
        prepare_raw_body(&mut r, op, RAW);
        r.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(
        typed(
            request(&zip(), Some("application/octet-stream")),
            "upload_package"
        )
        .as_deref(),
        Some("application/zip")
    );
    assert_eq!(
        typed(request(&gzip(), None), "upload_package").as_deref(),
        Some("application/gzip")
    );
    // A type the caller set stays; another operation's body is not touched.
    assert_eq!(
        typed(
            request(&zip(), Some("application/x-custom")),
            "upload_package"
        )
        .as_deref(),
        Some("application/x-custom")
    );
    assert_eq!(
        typed(
            request(&zip(), Some("application/octet-stream")),
            "other_op"
        )
        .as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(
        typed(
            request(b"text", Some("application/octet-stream")),
            "upload_package"
        )
        .as_deref(),
        Some("application/octet-stream")
    );
}

#[tokio::test]
async fn a_line_of_exactly_the_limit_is_a_line() {
    let chunk = Bytes::from(vec![b'x'; 1 << 20]);
    let mut chunks: Vec<reqwest::Result<Bytes>> = (0..ndjson::MAX_LINE >> 20)
        .map(|_| Ok(chunk.clone()))
        .collect();
    chunks.push(Ok(Bytes::from_static(b"\n{}\n")));
    let mut lines = std::pin::pin!(ndjson::lines(futures::stream::iter(chunks)));
    let (n, first) = lines.next().await.unwrap().unwrap();
    assert_eq!((n, first.len()), (1, ndjson::MAX_LINE));
    assert_eq!(
        lines.next().await.unwrap().unwrap().1,
        Bytes::from_static(b"{}")
    );
}

#[tokio::test]
async fn an_operation_that_takes_one_archive_format_refuses_unknown_bytes() {
    let only_zip: &'static [&'static str] = &["application/zip"];
    match sent(b"plain".to_vec(), None, only_zip).await {
        Err(Error::InvalidRequest(m)) => assert_eq!(
            m,
            "the body is not application/zip; give its ArchiveType if it is one"
        ),
        other => panic!("{other:?}"),
    }
}
