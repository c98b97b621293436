//! Telling archive formats apart by their first bytes.

/// `application/zip` or `application/gzip`, from the magic number at the start of `bytes`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some("application/zip")
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        Some("application/gzip")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn magic_numbers() {
        assert_eq!(super::sniff(b"PK\x03\x04rest"), Some("application/zip"));
        assert_eq!(super::sniff(b"PK\x05\x06"), Some("application/zip"));
        assert_eq!(super::sniff(&[0x1f, 0x8b, 8, 0]), Some("application/gzip"));
        assert_eq!(super::sniff(b"{}"), None);
        assert_eq!(super::sniff(b""), None);
    }
}
