//! [`JsonObject`]: a free-form JSON object (an agent's metadata, a rule's parameters, a query)
//! kept as the JSON text it arrived in and made a map only when first read. Building maps of
//! values is most of the cost of decoding a response with such objects (a page of agents spent
//! more time on their metadata than on all their typed fields), and most callers never look
//! inside them.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// How serde_json hands a value's raw text to a visitor: a one-entry map with this key (its
/// `RawValue` protocol, on with its `raw_value` feature). Any other deserializer gives the
/// object itself, read the ordinary way. The tests check that serde_json still does this.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// A free-form JSON object. It dereferences to the `serde_json::Map` it holds, so it reads
/// like one (`meta.get("host")`, `meta.len()`, iteration); the map is built on first use from
/// the text the object arrived in, checked when the response was decoded (an object that
/// would not decode makes the response fail then, as a map would). Mutable access makes it a
/// map for good. Equality, `Debug` and encoding are those of the map, keys in Kibana's order.
///
/// Build one from a map (`JsonObject::from(map)`, or `.into()`), or from JSON text with
/// [`JsonObject::from_json`].
pub struct JsonObject {
    /// The object's JSON text as it arrived (unchanged, so free of edits made since).
    raw: Option<Box<str>>,
    /// Boxed: an object is 32 bytes, not 96, in every struct that has one (most never read).
    map: OnceLock<Box<Map<String, Value>>>,
}

impl JsonObject {
    /// An empty object (its map made when first read: a missing field costs nothing).
    pub const fn new() -> Self {
        Self {
            raw: None,
            map: OnceLock::new(),
        }
    }

    /// An object from its JSON text; an error when the text is not one JSON object.
    pub fn from_json(text: &str) -> serde_json::Result<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let object = Self::deserialize(&mut de)?;
        de.end()?;
        Ok(object)
    }

    /// The JSON text the object arrived in, while it is unchanged (`None` once it has been
    /// mutably borrowed, or when it was built from a map or empty).
    pub fn raw_json(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Whether the object has no keys, told from its text when the map is not built yet.
    pub fn is_empty(&self) -> bool {
        match (self.map.get(), &self.raw) {
            (None, Some(raw)) => raw
                .trim_start_matches('{')
                .trim_end_matches('}')
                .trim()
                .is_empty(),
            _ => self.as_map().is_empty(),
        }
    }

    /// The map, built now if it was not yet.
    pub fn as_map(&self) -> &Map<String, Value> {
        self.map.get_or_init(|| {
            // The text was checked to decode as a map when it arrived: this cannot fail.
            // Without text, the object is empty.
            self.raw
                .as_deref()
                .and_then(|raw| serde_json::from_str(raw).ok())
                .unwrap_or_default()
        })
    }

    /// The map, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.as_map();
        self.map.into_inner().map(|map| *map).unwrap_or_default()
    }

    /// The object decoded as `T`, straight from its text when it has one.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        match (&self.raw, self.map.get()) {
            (Some(raw), None) => serde_json::from_str(raw),
            _ => T::deserialize(self.as_map()),
        }
    }
}

impl Default for JsonObject {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Map<String, Value>> for JsonObject {
    fn from(map: Map<String, Value>) -> Self {
        Self {
            raw: None,
            map: OnceLock::from(Box::new(map)),
        }
    }
}

impl From<JsonObject> for Map<String, Value> {
    fn from(object: JsonObject) -> Self {
        object.into_map()
    }
}

impl From<JsonObject> for Value {
    fn from(object: JsonObject) -> Self {
        Value::Object(object.into_map())
    }
}

impl FromIterator<(String, Value)> for JsonObject {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from(Map::from_iter(iter))
    }
}

impl Deref for JsonObject {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        self.as_map()
    }
}

impl DerefMut for JsonObject {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        self.as_map();
        // Edits would make the text stale.
        self.raw = None;
        self.map.get_mut().expect("the map was built just above")
    }
}

impl Clone for JsonObject {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
            map: self.map.clone(),
        }
    }
}

impl PartialEq for JsonObject {
    fn eq(&self, other: &Self) -> bool {
        match (&self.raw, &other.raw) {
            // The same text is the same object, without building either map.
            (Some(a), Some(b)) if a == b => true,
            _ => self.as_map() == other.as_map(),
        }
    }
}

impl Eq for JsonObject {}

impl PartialEq<Map<String, Value>> for JsonObject {
    fn eq(&self, other: &Map<String, Value>) -> bool {
        self.as_map() == other
    }
}

impl fmt::Debug for JsonObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_map(), f)
    }
}

impl Serialize for JsonObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_TOKEN, ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = JsonObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    /// serde_json's raw text, or the first entry of an object another deserializer gives.
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<JsonObject, A::Error> {
        let mut map = Map::new();
        let Some(first) = access.next_key_seed(Text)? else {
            return Ok(JsonObject::from(map));
        };
        if first == RAW_TOKEN {
            let raw = access.next_value_seed(Text)?;
            check(&raw).map_err(de::Error::custom)?;
            return Ok(JsonObject {
                // One allocation of the text's exact length.
                raw: Some(raw.into_owned().into_boxed_str()),
                map: OnceLock::new(),
            });
        }
        map.insert(first.into_owned(), access.next_value()?);
        while let Some(key) = access.next_key::<String>()? {
            map.insert(key, access.next_value()?);
        }
        Ok(JsonObject::from(map))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<JsonObject, D::Error> {
        Map::deserialize(d).map(JsonObject::from)
    }
}

/// A string, borrowed when the deserializer lends it: an object key, or serde_json's raw text.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(text.to_string()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(text))
    }
}

/// Checks, building nothing, that `text` decodes as a map of values exactly as the map would:
/// one object, every string's escapes valid, every number in range. Its error without the
/// position in the object's own text (the caller's error gives where the object is).
fn check(text: &str) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Check)
        .and_then(|()| de.end())
        .map_err(|e| {
            let message = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            message
                .strip_suffix(&position)
                .map_or(message.clone(), str::to_string)
        })
}

/// Visits every value of a JSON document without keeping any.
struct Check;

impl<'de> DeserializeSeed<'de> for Check {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Check)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Check)?.is_some() {
            map.next_value_seed(Check)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct Agent {
        id: String,
        local_metadata: JsonObject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extra: Option<JsonObject>,
    }

    #[test]
    fn serde_json_hands_over_the_text_and_the_map_comes_on_first_read() {
        let text = r#"{"id":"a","local_metadata":{ "host": {"name": "h\u00e9", "ip": [1, 2.5]}, "b": null }}"#;
        let agent: Agent = serde_json::from_str(text).unwrap();
        // The raw protocol works: the text is kept exactly, spaces and escapes included.
        assert_eq!(
            agent.local_metadata.raw_json(),
            Some(r#"{ "host": {"name": "h\u00e9", "ip": [1, 2.5]}, "b": null }"#)
        );
        assert_eq!(agent.local_metadata["host"]["name"], "hé");
        let keys: Vec<&String> = agent.local_metadata.keys().collect();
        assert_eq!(keys, ["host", "b"], "Kibana's order");
        // From bytes too, and from a Value (serde_json's other deserializers).
        let again: Agent = serde_json::from_slice(text.as_bytes()).unwrap();
        assert!(again.local_metadata.raw_json().is_some());
        assert_eq!(again, agent);
        let value: Value = serde_json::from_str(text).unwrap();
        let from_value: Agent = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(from_value, agent);
        assert_eq!(serde_json::to_value(&agent).unwrap(), value);
    }

    #[test]
    fn what_a_map_refuses_is_refused_when_the_response_is_decoded() {
        for (text, expected) in [
            (
                r#"{"id":"a","local_metadata":[1]}"#,
                "invalid type: sequence, expected a JSON object",
            ),
            (
                r#"{"id":"a","local_metadata":"x"}"#,
                "invalid type: string \"x\", expected a JSON object",
            ),
            (
                r#"{"id":"a","local_metadata":{"n": 1e999}}"#,
                "number out of range",
            ),
            (
                r#"{"id":"a","local_metadata":{"s": "\ud800x"}}"#,
                "hex escape",
            ),
            (
                r#"{"id":"a","local_metadata":null}"#,
                "invalid type: null, expected a JSON object",
            ),
        ] {
            let err = serde_json::from_str::<Agent>(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(
                serde_json::from_str::<Map<String, Value>>(&text[26..text.len() - 1]).is_err(),
                "a map refuses {text} too"
            );
        }
        // An optional object may be null.
        let a: Agent =
            serde_json::from_str(r#"{"id":"a","local_metadata":{},"extra":null}"#).unwrap();
        assert_eq!(a.extra, None);
    }

    #[test]
    fn edits_make_it_a_map_for_good() {
        let mut a: Agent = serde_json::from_str(r#"{"id":"a","local_metadata":{"x":1}}"#).unwrap();
        a.local_metadata.insert("y".into(), json!(2));
        assert_eq!(a.local_metadata.raw_json(), None);
        assert_eq!(
            serde_json::to_string(&a.local_metadata).unwrap(),
            r#"{"x":1,"y":2}"#
        );
        let built: JsonObject = [("k".to_string(), json!("v"))].into_iter().collect();
        assert_eq!(built, *json!({"k": "v"}).as_object().unwrap());
        assert_eq!(JsonObject::from_json(r#"{"k":"v"}"#).unwrap(), built);
        assert!(JsonObject::from_json("[]").is_err());
        assert!(JsonObject::from_json("{} x").is_err());
        #[derive(Deserialize, Debug, PartialEq)]
        struct Typed {
            x: u8,
        }
        let parsed = JsonObject::from_json(r#"{"x": 7}"#).unwrap();
        assert_eq!(parsed.decode::<Typed>().unwrap(), Typed { x: 7 });
        assert_eq!(format!("{parsed:?}"), r#"{"x": Number(7)}"#);
        assert_eq!(JsonObject::default().len(), 0);
    }
}
