//! [`UnknownFields`]: the keys of a response object that its type does not name, kept as
//! Kibana sent them. Kibana adds fields to its answers from one release to the next; a client
//! built from an older spec still hands them to the caller (and `kbn` still prints them)
//! instead of dropping them.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

thread_local! {
    /// Set while a union tries a member: keys a member did not name do not count as read.
    static NAMED_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every `UnknownFields` encoded as empty: what a value encodes to then is what
/// its type read by name (how a union tells which member reads the input whole).
pub(crate) fn named_only<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            NAMED_ONLY.set(self.0);
        }
    }
    let _restore = Restore(NAMED_ONLY.replace(true));
    f()
}

/// The keys of an object that its type has no field for, with their values, in the order
/// Kibana sent them. It dereferences to a `serde_json::Map` (`unknown.get("new_field")`,
/// `unknown.is_empty()`, iteration) and is encoded back among the object's other keys, so a
/// response decoded and encoded again loses nothing.
///
/// Empty in the usual case (the type knows every key) and then a null pointer: 8 bytes in every
/// struct, no allocation. `Debug` shows the keys only: a value this client knows nothing about
/// may be a secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnknownFields(Option<Box<Map<String, Value>>>);

impl UnknownFields {
    /// No unknown keys.
    pub const fn new() -> Self {
        Self(None)
    }

    /// Adds a key (the decoder calls this for each key the type does not name); a repeated key
    /// keeps its last value, as a map does.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.0.get_or_insert_default().insert(key, value)
    }

    /// Removes a key, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let map = self.0.as_mut()?;
        let value = map.shift_remove(key);
        if map.is_empty() {
            self.0 = None;
        }
        value
    }

    /// The keys and values as a map.
    pub fn into_map(self) -> Map<String, Value> {
        self.0.map(|map| *map).unwrap_or_default()
    }
}

impl Deref for UnknownFields {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
        match &self.0 {
            Some(map) => map,
            None => EMPTY.get_or_init(Map::new),
        }
    }
}

impl From<Map<String, Value>> for UnknownFields {
    fn from(map: Map<String, Value>) -> Self {
        if map.is_empty() {
            Self(None)
        } else {
            Self(Some(Box::new(map)))
        }
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UnknownFields")?;
        f.debug_list().entries(self.keys()).finish()
    }
}

impl Serialize for UnknownFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if NAMED_ONLY.get() {
            return serializer.serialize_map(Some(0))?.end();
        }
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UnknownFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = UnknownFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnknownFields, A::Error> {
                let mut fields = UnknownFields::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    fields.insert(key, value);
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_until_a_key_arrives_then_a_map_in_arrival_order() {
        let mut fields = UnknownFields::new();
        assert!(fields.is_empty());
        assert_eq!(std::mem::size_of::<UnknownFields>(), 8);
        assert_eq!(fields.insert("z".into(), json!(1)), None);
        fields.insert("a".into(), json!({"b": [true]}));
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(fields.get("a"), Some(&json!({"b": [true]})));
        assert_eq!(fields.insert("z".into(), json!(2)), Some(json!(1)));
        assert_eq!(fields.remove("z"), Some(json!(2)));
        assert_eq!(fields.remove("a"), Some(json!({"b": [true]})));
        assert_eq!(fields, UnknownFields::new());
    }

    #[test]
    fn debug_shows_keys_never_values() {
        let fields: UnknownFields = json!({"api_token": "s3cr3t", "n": 1})
            .as_object()
            .cloned()
            .unwrap()
            .into();
        let shown = format!("{fields:?}");
        assert_eq!(shown, r#"UnknownFields["api_token", "n"]"#);
        assert!(!shown.contains("s3cr3t"));
    }

    #[test]
    fn encodes_and_decodes_as_the_map() {
        let text = r#"{"b":1,"a":{"x":null}}"#;
        let fields: UnknownFields = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&fields).unwrap(), text);
        assert_eq!(fields.clone().into_map().len(), 2);
        assert!(serde_json::from_str::<UnknownFields>("[1]").is_err());
    }
}
