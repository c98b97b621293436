//! Path parameters as single, literal path segments.
//!
//! Every character that could end or escape a segment (`/`, `?`, `#`, `%`, spaces, controls) is
//! percent-encoded. A WHATWG URL, which every HTTP client here parses, removes `.` and `..`
//! segments, encoded (`%2E%2E`) or not, so such an id would silently reach another route: it is
//! refused instead, and so is an empty id.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters left as they are: RFC 3986 unreserved ones and the sub-delimiters Kibana ids use.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The percent-encoded segment for a path parameter value, or an invalid-request error.
// The error type is the generated code's; its size is progenitor's choice.
#[allow(clippy::result_large_err)]
pub fn segment<E>(value: &str) -> Result<String, progenitor_client::Error<E>> {
    let encoded = utf8_percent_encode(value, SEGMENT).to_string();
    let lower = encoded.to_ascii_lowercase();
    if value.is_empty()
        || matches!(
            lower.as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    {
        return Err(progenitor_client::Error::InvalidRequest(format!(
            "path parameter {value:?} cannot be sent: a URL path cannot carry an empty, `.` or `..` segment"
        )));
    }
    Ok(encoded)
}

/// The regex that matches a path parameter exactly as the client sends it (used by the typed
/// mocks).
#[cfg(feature = "httpmock")]
pub fn mock_segment(value: &str) -> String {
    regex::escape(&utf8_percent_encode(value, SEGMENT).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(v: &str) -> Option<String> {
        segment::<()>(v).ok()
    }

    #[test]
    fn hostile_ids_stay_in_their_segment() {
        assert_eq!(seg("agent-1").as_deref(), Some("agent-1"));
        assert_eq!(seg("a/b").as_deref(), Some("a%2Fb"));
        assert_eq!(seg("%2e").as_deref(), Some("%252e"));
        assert_eq!(seg("a?b#c d").as_deref(), Some("a%3Fb%23c%20d"));
        assert_eq!(seg("...").as_deref(), Some("..."));
        assert_eq!(seg("x..").as_deref(), Some("x.."));
        for bad in ["", ".", ".."] {
            assert!(seg(bad).is_none(), "{bad:?}");
        }
    }

    #[cfg(feature = "httpmock")]
    #[test]
    fn a_mock_matches_the_segment_as_sent() {
        assert_eq!(mock_segment("agent-1"), "agent\\-1");
        assert_eq!(mock_segment("a/b c"), "a%2Fb%20c");
        let re = regex::Regex::new(&format!("^/x/{}$", mock_segment("a.b?c"))).unwrap();
        assert!(re.is_match(&format!("/x/{}", seg("a.b?c").unwrap())));
        assert!(!re.is_match("/x/aXb%3Fc"));
    }
}
