//! Property tests: no path parameter or space id, whatever its characters, can move a request
//! outside its segment.

use kibana_serverless_runtime::path::segment;
use kibana_serverless_runtime::{Connection, KibanaBuilder};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use url::Url;

/// Strings rich in what breaks paths: separators, dots, percent signs, controls, non-ASCII.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("/".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%".to_string()),
        Just("%2e".to_string()),
        Just("%2F".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("\u{0}".to_string()),
        Just("é".to_string()),
        Just("\u{202e}".to_string()),
        "[a-zA-Z0-9_-]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

proptest! {
    // 500 cases; `PROPTEST_CASES` sets another number (fewer under cargo-mutants).
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(500), ..ProptestConfig::default() })]

    #[test]
    fn a_path_parameter_is_one_segment_that_reads_back(id in hostile()) {
        match segment::<()>(&id) {
            Err(_) => prop_assert!(matches!(id.as_str(), "" | "." | "..")),
            Ok(encoded) => {
                for c in ['/', '?', '#', ' ', '\\'] {
                    prop_assert!(!encoded.contains(c), "{encoded:?}");
                }
                // The URL every HTTP client here parses keeps it as one segment, unchanged.
                let url = Url::parse(&format!("http://kibana.test/api/things/{encoded}/tail")).unwrap();
                let segments: Vec<&str> = url.path_segments().unwrap().collect();
                prop_assert_eq!(segments.len(), 4, "{:?}", segments);
                prop_assert_eq!(segments[2], encoded.as_str());
                let decoded = percent_decode_str(segments[2]).decode_utf8().unwrap();
                prop_assert_eq!(decoded.as_ref(), id.as_str());
            }
        }
    }

    #[test]
    fn a_space_id_is_one_segment_or_refused(id in hostile()) {
        let kibana = KibanaBuilder::<Connection>::new("https://kibana.test/base")
            .api_key("a2V5")
            .build()
            .unwrap();
        match kibana.space(&id) {
            Err(_) => prop_assert!(
                id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
            ),
            Ok(spaced) => prop_assert_eq!(spaced.base_url(), format!("https://kibana.test/base/s/{id}")),
        }
    }
}
