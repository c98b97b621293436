//! Pages of listings whose answer the spec leaves free-form (`type: object` without
//! properties: Kibana documents the query parameters of some listings, not their answers).
//! `spec/pagination.yaml` names the fields (items, total, cursor) from Kibana's reference; the
//! page is checked when it arrives, so a page without its items array is an
//! [`Error::Decode`] naming the field, never an empty listing. A field may be nested: its path
//! names each object on the way, joined by dots (`data.edges`: the array `edges` inside the
//! page's object `data`).

use super::{AsCount, PageInfo};
use crate::{Error, JsonObject};
use reqwest::StatusCode;
use serde_json::{Map, Value};

/// A free-form page: the client's [`JsonObject`], a plain map, or any JSON value (a spec that
/// leaves the answer wholly open).
pub trait Object {
    /// The page's fields (none when the page is not an object).
    fn fields(&self) -> &Map<String, Value>;
    /// The page's fields, owned.
    fn into_fields(self) -> Map<String, Value>;
    /// The page as JSON text, for an error's body.
    fn text(&self) -> Vec<u8>;
    /// What the page is when it is not an object (`"an array"`), which no page may be.
    fn not_an_object(&self) -> Option<&'static str> {
        None
    }
}

impl Object for JsonObject {
    fn fields(&self) -> &Map<String, Value> {
        self.as_map()
    }

    fn into_fields(self) -> Map<String, Value> {
        self.into_map()
    }

    fn text(&self) -> Vec<u8> {
        match self.raw_json() {
            Some(raw) => raw.as_bytes().to_vec(),
            None => serde_json::to_vec(self.as_map()).unwrap_or_default(),
        }
    }
}

impl Object for Map<String, Value> {
    fn fields(&self) -> &Map<String, Value> {
        self
    }

    fn into_fields(self) -> Map<String, Value> {
        self
    }

    fn text(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Object for Value {
    fn fields(&self) -> &Map<String, Value> {
        static NONE: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.as_object().unwrap_or(&NONE)
    }

    fn into_fields(self) -> Map<String, Value> {
        match self {
            Value::Object(fields) => fields,
            _ => Map::new(),
        }
    }

    fn text(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn not_an_object(&self) -> Option<&'static str> {
        (!self.is_object()).then(|| kind(self))
    }
}

impl AsCount for Value {
    fn as_count(&self) -> Option<u64> {
        self.as_u64()
            .or_else(|| self.as_f64().and_then(|f| f.as_count()))
    }
}

/// The value at `path` (field names joined by dots) inside `fields`.
pub fn field<'a>(fields: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut names = path.split('.');
    let first = fields.get(names.next()?)?;
    names.try_fold(first, |value, name| value.as_object()?.get(name))
}

/// Takes the value at `path` (field names joined by dots) out of `fields`.
pub fn take(fields: &mut Map<String, Value>, path: &str) -> Option<Value> {
    match path.split_once('.') {
        None => fields.remove(path),
        Some((name, rest)) => take(fields.get_mut(name)?.as_object_mut()?, rest),
    }
}

/// Checks that `page` (answered with `status`) has its items array in `items`, and in `total`
/// a count when present: the error names the field and carries the page's text.
pub fn check<O: Object + ?Sized>(
    page: &O,
    status: StatusCode,
    items: &str,
    total: Option<&str>,
) -> Result<(), Error> {
    let fields = page.fields();
    let wrong = |path: &str, message: String| Error::Decode {
        status: Some(status),
        path: path.to_string(),
        message,
        body: page.text().into(),
    };
    if let Some(kind) = page.not_an_object() {
        return Err(wrong(
            "",
            format!("expected a page, an object with its items in `{items}`, found {kind}"),
        ));
    }
    match field(fields, items) {
        Some(Value::Array(_)) => {}
        Some(other) => {
            return Err(wrong(
                items,
                format!("expected the page's items, an array, found {}", kind(other)),
            ));
        }
        None => {
            return Err(wrong(
                items,
                format!(
                    "the page has no field `{items}` holding its items (it has {:?})",
                    fields.keys().collect::<Vec<_>>()
                ),
            ));
        }
    }
    if let Some(total) = total
        && let Some(value) = field(fields, total)
        && !value.is_null()
        && value.as_count().is_none()
    {
        return Err(wrong(
            total,
            format!("expected a count, found {}", kind(value)),
        ));
    }
    Ok(())
}

/// What the page says about the listing: its items' count, total and next cursor.
pub fn info<O: Object + ?Sized>(
    page: &O,
    items: &str,
    total: Option<&str>,
    cursor: Option<&str>,
) -> PageInfo {
    let fields = page.fields();
    PageInfo {
        count: field(fields, items)
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        total: total
            .and_then(|t| field(fields, t))
            .and_then(AsCount::as_count),
        next: cursor
            .and_then(|c| field(fields, c))
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        point_in_time: None,
    }
}

/// The page's items.
pub fn items<O: Object>(page: O, items: &str) -> Vec<Value> {
    match take(&mut page.into_fields(), items) {
        Some(Value::Array(list)) => list,
        // `check` refused such a page before it reached here.
        _ => Vec::new(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_are_whole_non_negative_numbers_however_written() {
        for (value, count) in [
            (json!(25), Some(25)),
            (json!(25.0), Some(25)),
            (json!(2.5), None),
            (json!(-1), None),
            (json!("25"), None),
            (json!(null), None),
        ] {
            assert_eq!(value.as_count(), count, "{value}");
        }
    }

    #[test]
    fn a_page_read_from_its_fields() {
        let page: Map<String, Value> = serde_json::from_value(
            json!({"data": [{"id": 1}, {"id": 2}], "total": 7.0, "next": "c2", "more": true}),
        )
        .unwrap();
        let got = info(&page, "data", Some("total"), Some("next"));
        assert_eq!(
            got,
            PageInfo {
                count: 2,
                total: Some(7),
                next: Some("c2".into()),
                point_in_time: None
            }
        );
        assert!(check(&page, StatusCode::OK, "data", Some("total")).is_ok());
        let object = JsonObject::from_json(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(items(object, "data"), [json!({"id": 1}), json!({"id": 2})]);
        // An empty cursor is no cursor.
        let last: Map<String, Value> =
            serde_json::from_value(json!({"data": [], "next": ""})).unwrap();
        assert_eq!(info(&last, "data", None, Some("next")).next, None);
    }

    #[test]
    fn nested_fields_are_reached_by_their_dotted_path() {
        let page: Map<String, Value> = serde_json::from_value(
            json!({"data": {"total": 3, "edges": [{"_id": "a"}, {"_id": "b"}]}, "edges": "top"}),
        )
        .unwrap();
        assert!(check(&page, StatusCode::OK, "data.edges", Some("data.total")).is_ok());
        let got = info(&page, "data.edges", Some("data.total"), None);
        assert_eq!((got.count, got.total), (2, Some(3)));
        assert_eq!(
            items(page.clone(), "data.edges"),
            [json!({"_id": "a"}), json!({"_id": "b"})]
        );
        // A path through something that is not an object, or to nothing, finds nothing.
        assert_eq!(field(&page, "edges.x"), None);
        assert_eq!(field(&page, "data.missing"), None);
        let e = check(&page, StatusCode::OK, "data.rows", None).unwrap_err();
        assert!(e.to_string().contains("data.rows"), "{e}");
        let e = check(&page, StatusCode::OK, "data.edges", Some("data.edges")).unwrap_err();
        assert!(e.to_string().contains("expected a count"), "{e}");
    }

    #[test]
    fn a_page_the_spec_leaves_any_json_is_read_when_an_object_and_refused_otherwise() {
        let page = json!({"records": [{"id": "a"}], "total": 1});
        assert!(check(&page, StatusCode::OK, "records", Some("total")).is_ok());
        let got = info(&page, "records", Some("total"), None);
        assert_eq!((got.count, got.total), (1, Some(1)));
        assert_eq!(items(page, "records"), [json!({"id": "a"})]);

        let list = json!([{"id": "a"}]);
        let e = check(&list, StatusCode::OK, "records", None).unwrap_err();
        match &e {
            Error::Decode { message, body, .. } => {
                assert!(message.contains("found an array"), "{message}");
                assert_eq!(&body[..], br#"[{"id":"a"}]"#, "the answer is kept");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(info(&list, "records", None, None).count, 0);
        assert!(items(json!("text"), "records").is_empty());
    }
}
