//! String formats stay strings. typify maps `date-time`, `date`, `uuid`, `ipv4`, `ipv6` and `ip`
//! to chrono, uuid and `std::net` types, which reject what Kibana really sends (`now-15m`,
//! dates without a zone, hostnames where an address is declared) and fail a whole response for
//! one field; they would also add chrono and uuid to every generated crate. Such formats are
//! moved to `x-kbn-format` (the value is a `String`, as sent; tests and the mock still know a
//! uuid is wanted); `binary`, `byte` and numeric formats stay. A format on an object, array or
//! boolean (Kibana writes `format: uuid` on the object values of maps keyed by agent id) means
//! nothing to a validator and made typify panic; it is moved aside the same way.

use super::Change;
use serde_json::Value;

/// Where a removed format is kept.
pub const FORMAT_NOTE: &str = "x-kbn-format";

/// The formats typify turns into a non-`String` type.
const TYPED_FORMATS: &[&str] = &["date-time", "date", "time", "uuid", "ipv4", "ipv6", "ip"];

pub fn run(spec: &mut Value) -> Vec<Change> {
    let mut changes = Vec::new();
    super::for_each_object(spec, &mut |at, map| {
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let is_string = kind == "string";
        let formatless = matches!(kind.as_str(), "object" | "array" | "boolean");
        let format = map
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(f) =
            format.filter(|f| formatless || (is_string && TYPED_FORMATS.contains(&f.as_str())))
        {
            map.remove("format");
            map.insert(FORMAT_NOTE.to_string(), Value::String(f.clone()));
            changes.push(Change {
                pass: "string_formats",
                at: at.to_string(),
                what: if formatless {
                    format!("format {f} on a {kind}: set aside")
                } else {
                    format!("format {f}: kept as a string")
                },
            });
        }
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_support::{at, spec};

    #[test]
    fn typed_string_formats_become_plain_strings() {
        let mut s = spec(
            r#"
components:
  schemas:
    T:
      properties:
        at: {type: string, format: date-time}
        id: {type: string, format: uuid}
        file: {type: string, format: binary}
        n: {type: integer, format: int64}
        by_agent: {type: object, additionalProperties: {type: object, format: uuid}}
"#,
        );
        assert_eq!(run(&mut s).len(), 3);
        assert!(
            s.pointer("/components/schemas/T/properties/by_agent/additionalProperties/format")
                .is_none()
        );
        assert!(
            s.pointer("/components/schemas/T/properties/at/format")
                .is_none()
        );
        assert!(
            s.pointer("/components/schemas/T/properties/id/format")
                .is_none()
        );
        assert_eq!(
            at(&s, "/components/schemas/T/properties/id/x-kbn-format"),
            "uuid"
        );
        assert!(run(&mut s).is_empty(), "idempotent");
        assert_eq!(
            at(&s, "/components/schemas/T/properties/file/format"),
            "binary"
        );
        assert_eq!(at(&s, "/components/schemas/T/properties/n/format"), "int64");
    }
}
