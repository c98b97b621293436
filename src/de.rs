//! Decoding helpers the generated types call: the string visitor behind open enums, and the
//! field-name lookup behind the written `Deserialize` impls of structs (see
//! `xtask/src/postprocess/struct_deserialize.rs`). Shared here so each impl stays small.

use serde::de::{DeserializeSeed, Deserializer, Error, Unexpected, Visitor};

/// The compact `Deserialize` derive, under a short path: the generated structs derive
/// `crate::de::Decode` (a longer path would make prettyplease wrap every derive list).
#[allow(unused_imports)]
pub(crate) use kibana_serverless_derive::Deserialize as Decode;
use std::marker::PhantomData;

/// Reads `T` from a string through its `FromStr`, which never fails for an open enum (unknown
/// text becomes its `Unknown` variant).
// Unused when only domains without string enums are enabled.
#[allow(dead_code)]
pub(crate) struct FromText<T>(pub(crate) PhantomData<T>);

impl<T: std::str::FromStr> Visitor<'_> for FromText<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
        value
            .parse()
            .map_err(|_| E::invalid_value(Unexpected::Str(value), &self))
    }
}

/// Reads an object key as the index of the field it names, `usize::MAX` for a key no field
/// has; with `strict`, such a key is an error (`deny_unknown_fields`).
#[allow(dead_code)]
pub(crate) struct FieldIndex {
    pub(crate) names: &'static [&'static str],
    pub(crate) strict: bool,
}

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldIndex {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<usize, E> {
        match self.names.iter().position(|n| *n == value) {
            Some(index) => Ok(index),
            None if self.strict => Err(E::unknown_field(value, self.names)),
            None => Ok(usize::MAX),
        }
    }

    fn visit_bytes<E: Error>(self, value: &[u8]) -> Result<usize, E> {
        match std::str::from_utf8(value) {
            Ok(text) => self.visit_str(text),
            Err(_) if self.strict => Err(E::invalid_value(Unexpected::Bytes(value), &self)),
            Err(_) => Ok(usize::MAX),
        }
    }
}
