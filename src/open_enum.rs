//! The string visitor behind the generated open enums' `Deserialize` impls: it reads a string
//! (borrowed when the format allows) and parses it with the enum's `FromStr`, which never fails
//! for an open enum (unknown text becomes its `Unknown` variant).

use std::marker::PhantomData;

/// Reads `T` from a string through its `FromStr`.
// Unused when only domains without string enums are enabled.
#[allow(dead_code)]
pub(crate) struct FromText<T>(pub(crate) PhantomData<T>);

impl<T: std::str::FromStr> serde::de::Visitor<'_> for FromText<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        value
            .parse()
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(value), &self))
    }
}
