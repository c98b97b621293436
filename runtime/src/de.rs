//! Decoding helpers the generated types call: the string visitor behind open enums, and the
//! field-name lookup behind the written `Deserialize` impls of structs (see
//! `codegen/src/postprocess/struct_deserialize.rs`). Shared here so each impl stays small.

use serde::de::{DeserializeSeed, Deserializer, Error, Unexpected, Visitor};

/// The compact `Deserialize` derive, under a short path: the generated structs derive
/// `crate::de::Decode` (a longer path would make prettyplease wrap every derive list).
#[allow(unused_imports)]
pub use kibana_serverless_derive::Deserialize as Decode;
use std::marker::PhantomData;

/// Decodes a JSON body. A body that is valid UTF-8 (every JSON text is) is checked once as a
/// whole and read as `str`, so its strings are not checked again one by one; any other body is
/// read as bytes, for the same error serde_json gives.
pub fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// Reads `T` from a string through its `FromStr`, which never fails for an open enum (unknown
/// text becomes its `Unknown` variant).
// Unused when only domains without string enums are enabled.
#[allow(dead_code)]
pub struct FromText<T>(pub PhantomData<T>);

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
pub struct FieldIndex {
    pub names: &'static [&'static str],
    pub strict: bool,
    /// The field a key names: a `match` on the key, which the compiler makes a jump on its
    /// length and a few compares (a scan of `names` was a tenth of a struct's decode).
    pub lookup: fn(&str) -> Option<usize>,
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
        match (self.lookup)(value) {
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

/// An object key read by [`FieldOrKey`].
#[allow(dead_code)]
pub enum Key {
    /// The index of the field the key names.
    Field(usize),
    /// A key no field names, kept for the struct's flattened map.
    Other(String),
}

/// Reads an object key as the field it names or, for a struct with a flattened map (which takes
/// every key no field names), as the key itself.
#[allow(dead_code)]
pub struct FieldOrKey {
    /// As in [`FieldIndex`].
    pub lookup: fn(&str) -> Option<usize>,
}

impl<'de> DeserializeSeed<'de> for FieldOrKey {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldOrKey {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Key, E> {
        Ok(match (self.lookup)(value) {
            Some(index) => Key::Field(index),
            None => Key::Other(value.to_owned()),
        })
    }

    fn visit_string<E: Error>(self, value: String) -> Result<Key, E> {
        Ok(match (self.lookup)(&value) {
            Some(index) => Key::Field(index),
            None => Key::Other(value),
        })
    }

    fn visit_bytes<E: Error>(self, value: &[u8]) -> Result<Key, E> {
        match std::str::from_utf8(value) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(value), &self)),
        }
    }
}

/// A whole number that may arrive written as a float (`42.0`): Kibana's spec types counters
/// `number`, and its answers write them either way. A fractional or out-of-range value is an
/// error. The compact derive reads integer fields through it.
pub struct Whole<T>(pub T);

/// The integer types [`Whole`] reads.
pub trait WholeNumber: Sized {
    /// The value, if it fits.
    fn from_i128(value: i128) -> Option<Self>;
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl WholeNumber for $t {
            fn from_i128(value: i128) -> Option<Self> {
                Self::try_from(value).ok()
            }
        }
    )*};
}
whole_numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl WholeNumber for u128 {
    fn from_i128(value: i128) -> Option<Self> {
        Self::try_from(value).ok()
    }
}

struct WholeVisitor<T>(PhantomData<T>);

impl<T: WholeNumber> WholeVisitor<T> {
    fn fit<E: Error>(value: i128, unexpected: Unexpected<'_>) -> Result<T, E> {
        T::from_i128(value).ok_or_else(|| E::invalid_value(unexpected, &"a whole number in range"))
    }
}

impl<T: WholeNumber> Visitor<'_> for WholeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        Self::fit(i128::from(v), Unexpected::Signed(v))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        Self::fit(i128::from(v), Unexpected::Unsigned(v))
    }

    fn visit_i128<E: Error>(self, v: i128) -> Result<T, E> {
        Self::fit(v, Unexpected::Other("a 128-bit integer"))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        // 2^127: beyond it no f64 is a whole number any integer type here holds.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 1.7e38 {
            Self::fit(v as i128, Unexpected::Float(v))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &"a whole number"))
        }
    }
}

impl<'de, T: WholeNumber> serde::Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(WholeVisitor(PhantomData))
            .map(Whole)
    }
}

/// [`Whole`] for an optional field: `null` is `None`.
pub struct WholeOption<T>(pub T);

impl<'de, T: WholeNumber> serde::Deserialize<'de> for WholeOption<Option<T>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Whole<T>>::deserialize(deserializer).map(|w| WholeOption(w.map(|w| w.0)))
    }
}

#[cfg(test)]
mod whole_tests {
    use super::*;
    use serde::Deserialize;

    fn whole(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Whole<i64>>(json)
            .map(|w| w.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_written_either_way() {
        assert_eq!(whole("42"), Ok(42));
        assert_eq!(whole("42.0"), Ok(42));
        assert_eq!(whole("-3"), Ok(-3));
        assert!(whole("42.5").unwrap_err().contains("whole number"));
        assert!(whole("\"42\"").is_err());
        assert!(whole("1e300").is_err());
        assert!(serde_json::from_str::<Whole<u8>>("300").is_err());
        assert!(serde_json::from_str::<Whole<u64>>("-1.0").is_err());
        let none = serde_json::from_str::<WholeOption<Option<u32>>>("null").unwrap();
        assert_eq!(none.0, None);
        let some = serde_json::from_str::<WholeOption<Option<u32>>>("7.0").unwrap();
        assert_eq!(some.0, Some(7));
        let _ = Whole::<i64>::deserialize(serde_json::json!(1));
    }
}
