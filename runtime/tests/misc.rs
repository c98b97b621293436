//! Small public pieces: operation names and the `Debug` of an upload's source.

use kibana_serverless_runtime::OperationId;
use kibana_serverless_runtime::upload::Archive;

#[test]
fn an_operation_id_is_its_method_name() {
    let id = OperationId::__generated("post_fleet_agents_bulk_reassign");
    assert_eq!(id.name(), "post_fleet_agents_bulk_reassign");
}

#[test]
fn an_archive_shows_where_it_comes_from_not_its_bytes() {
    assert_eq!(
        format!("{:?}", Archive::from(vec![1u8, 2, 3])),
        "Bytes(3 bytes)"
    );
    assert_eq!(
        format!("{:?}", Archive::from(std::path::Path::new("/tmp/pkg.zip"))),
        "Path(\"/tmp/pkg.zip\")"
    );
    assert_eq!(
        format!("{:?}", Archive::from(std::path::PathBuf::from("a.gz"))),
        "Path(\"a.gz\")"
    );
    assert_eq!(
        format!("{:?}", Archive::from(bytes::Bytes::from_static(b"ab"))),
        "Bytes(2 bytes)"
    );
    assert_eq!(
        format!(
            "{:?}",
            Archive::Reader(Box::new(std::io::Cursor::new(vec![0u8])))
        ),
        "Reader"
    );
}
