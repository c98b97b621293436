//! Saved-objects export as a stream and Fleet package upload, on loopback servers.

mod common;

use common::wire::{CANARY_KEY, Wire};
use futures::{StreamExt, TryStreamExt};
use kibana_serverless::saved_objects::types::PostSavedObjectsExportItem as ExportLine;
use kibana_serverless::upload::{Archive, ArchiveType};
use kibana_serverless::{Error, Kibana};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, Request, ResponseTemplate};

fn saved_object(n: usize) -> String {
    json!({
        "id": format!("obj-{n}"), "type": "dashboard", "managed": false, "version": "WzEzLDFd",
        "attributes": {"title": format!("Dashboard {n}"), "description": "x".repeat(200)},
        "references": [{"id": "ref", "name": "panel_0", "type": "visualization"}],
        "created_at": "2023-08-23T20:03:32.204Z", "updated_at": "2023-08-23T20:03:32.204Z",
        "coreMigrationVersion": "8.8.0", "typeMigrationVersion": "8.4.0"
    })
    .to_string()
}

fn export_body() -> kibana_serverless::saved_objects::types::PostSavedObjectsExportBody {
    serde_json::from_value(json!({"type": ["dashboard"], "excludeExportDetails": false})).unwrap()
}

async fn export_server(body: String) -> Wire {
    let w = Wire::start().await;
    Mock::given(path("/api/saved_objects/_export"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/x-ndjson"))
        .mount(&w.server)
        .await;
    w
}

#[tokio::test]
async fn export_streams_objects_then_details() {
    let mut body: String = (0..1000).map(|n| saved_object(n) + "\n").collect();
    body.push_str(&json!({"exportedCount": 1000, "missingRefCount": 1, "missingReferences": [{"id": "gone", "type": "index-pattern"}]}).to_string());
    body.push('\n');
    let w = export_server(body.clone()).await;
    let lines: Vec<ExportLine> = w
        .kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(export_body())
        .lines()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines.len(), 1001);
    assert_eq!(lines[999].id.as_deref(), Some("obj-999"));
    assert_eq!(lines[999].exported_count, None);
    // The last line is the export details.
    let d = &lines[1000];
    assert_eq!(
        (d.exported_count, d.missing_ref_count),
        (Some(1000), Some(1))
    );
    assert_eq!(d.missing_references[0].id, "gone");

    let file = std::env::temp_dir().join(format!("export-{}.ndjson", std::process::id()));
    let summary = w
        .kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(export_body())
        .write_to(&file)
        .await
        .unwrap();
    assert_eq!(summary.lines, 1001);
    assert_eq!(summary.last.unwrap().exported_count, Some(1000));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        body,
        "the file is the export as sent"
    );
    std::fs::remove_file(&file).unwrap();
}

#[tokio::test]
async fn a_malformed_line_comes_after_every_good_line_before_it() {
    let body = format!(
        "{}\n{}\n{{\"id\": 42, \"type\": \"map\"}}\n{}\n",
        saved_object(0),
        saved_object(1),
        saved_object(3)
    );
    let w = export_server(body).await;
    let results: Vec<Result<ExportLine, Error>> = w
        .kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(export_body())
        .lines()
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(
        results.len(),
        3,
        "two objects, then the error, then nothing"
    );
    assert!(results[0].is_ok() && results[1].is_ok());
    match &results[2] {
        Err(Error::MalformedLine { line, message }) => {
            assert_eq!(*line, 3);
            assert!(message.contains("at `id`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let not_json = export_server(format!("{}\nnot json at all\n", saved_object(0))).await;
    let file = std::env::temp_dir().join(format!("export-bad-{}.ndjson", std::process::id()));
    let err = not_json
        .kibana
        .saved_objects()
        .post_saved_objects_export()
        .body(export_body())
        .write_to(&file)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::MalformedLine { line: 2, .. }),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        saved_object(0) + "\n",
        "the good line was kept"
    );
    std::fs::remove_file(&file).unwrap();
}

/// A 50 MB zip (as far as its magic number goes) whose bytes are checked on arrival.
fn archive(kind: ArchiveType) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..50 * 1024 * 1024)
        .map(|i: u32| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let magic: &[u8] = match kind {
        ArchiveType::Zip => b"PK\x03\x04",
        ArchiveType::Gzip => &[0x1f, 0x8b],
    };
    bytes[..magic.len()].copy_from_slice(magic);
    bytes
}

async fn upload_server(expected: Vec<u8>, media_type: &'static str) -> Wire {
    let w = Wire::start().await;
    let response = json!({"_meta": {"install_source": "upload", "name": "pkg"}, "items": []});
    Mock::given(path("/api/fleet/epm/packages"))
        .and(move |req: &Request| {
            req.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                == Some(media_type)
                && req.headers.get("kbn-xsrf").is_some()
                && req.body.len() == expected.len()
                && req.body == expected
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(response))
        .expect(1)
        .mount(&w.server)
        .await;
    w
}

#[tokio::test]
async fn a_50_mb_archive_arrives_intact_with_its_type() {
    let zip = archive(ArchiveType::Zip);
    let w = upload_server(zip.clone(), "application/zip").await;
    let path = std::env::temp_dir().join(format!("pkg-{}.zip", std::process::id()));
    std::fs::write(&path, &zip).unwrap();
    let r = w
        .kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .upload(path.as_path(), None)
        .await
        .unwrap();
    assert_eq!(r.meta.name, "pkg");
    std::fs::remove_file(&path).unwrap();

    let gz = archive(ArchiveType::Gzip);
    let w = upload_server(gz.clone(), "application/gzip").await;
    w.kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .upload(gz.clone(), None)
        .await
        .unwrap();

    let w = upload_server(gz.clone(), "application/gzip").await;
    let reader = Archive::Reader(Box::new(std::io::Cursor::new(gz)));
    w.kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .upload(reader, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_archive_of_unknown_format_is_refused_before_sending() {
    let w = Wire::start().await;
    let err = w
        .kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .upload(b"plain text".to_vec(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest(ref m) if m.contains("is not application/zip or application/gzip")),
        "{err:?}"
    );
    assert!(w.server.received_requests().await.unwrap().is_empty());
    // Told explicitly, it is sent as that type.
    let w = upload_server(b"custom".to_vec(), "application/zip").await;
    w.kibana
        .fleet_epm()
        .post_fleet_epm_packages()
        .upload(b"custom".to_vec(), Some(ArchiveType::Zip))
        .await
        .unwrap();
}

/// Run alone in a fresh process by `an_export_of_100k_objects_streams_in_bounded_memory`; on its
/// own it checks that 100,000 streamed objects all arrive. Prints the process's peak memory.
#[test]
fn export_of_100k_objects() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = common::stream_server::ndjson(100_001, |n| {
            if n == 100_000 {
                json!({"exportedCount": 100_000, "missingRefCount": 0, "missingReferences": []})
                    .to_string()
            } else {
                saved_object(n)
            }
        })
        .await;
        let kibana = Kibana::builder(url).api_key(CANARY_KEY).build().unwrap();
        let mut lines = kibana
            .saved_objects()
            .post_saved_objects_export()
            .body(export_body())
            .lines()
            .await
            .unwrap();
        let (mut objects, mut details, mut bytes) = (0u64, None, 0usize);
        while let Some(line) = lines.next().await {
            let line: ExportLine = line.unwrap();
            match line.exported_count {
                None => {
                    objects += 1;
                    bytes += line.attributes.len();
                }
                Some(count) => details = Some(count),
            }
        }
        assert_eq!((objects, details), (100_000, Some(100_000i64)));
        assert!(bytes > 0);
    });
    println!("PEAK_RSS_KIB={}", common::stream_server::peak_rss_kib());
}

#[test]
fn an_export_of_100k_objects_streams_in_bounded_memory() {
    let stdout = common::run_alone("export_of_100k_objects", &[], &[]);
    let peak = common::printed(&stdout, "PEAK_RSS_KIB=");
    let export_kib = (100_000 * (saved_object(1).len() + 1) / 1024) as u64;
    println!(
        "export {} MiB, peak RSS {} MiB",
        export_kib / 1024,
        peak / 1024
    );
    // The export is about 50 MiB; the process peaks far below it.
    assert!(
        peak < export_kib / 2,
        "peak RSS {peak} KiB for an export of {export_kib} KiB"
    );
}
