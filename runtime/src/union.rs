//! Decoding `oneOf`/`anyOf` unions without losing data.
//!
//! serde's untagged enums take the first member whose required fields fit, silently dropping
//! whatever that member does not read (a webhook connector decoded as a server-log connector
//! loses its `config` and `secrets`). Generated unions decode through [`decode`] instead:
//! by the discriminator when the schema has one, otherwise the first member that reads every
//! field of the input; a value no member reads whole, or an unknown tag, is kept raw in the
//! union's `Unknown` variant, so encoding it back gives what was received.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::Value;

/// One member of a union: the discriminator values that select it (empty for an untagged
/// union), and how to decode it from a JSON value.
pub struct Member<T> {
    /// The discriminator values naming this member.
    pub tags: &'static [&'static str],
    /// Decodes the member and wraps it in the union's variant.
    pub decode: fn(&Value) -> Result<T, serde_json::Error>,
}

/// Decodes a union: `tag` is the discriminator property, if the schema names one.
pub fn decode<'de, D, T>(
    deserializer: D,
    tag: Option<&'static str>,
    members: &[Member<T>],
    unknown: fn(Value) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Serialize,
{
    let value = Value::deserialize(deserializer)?;
    from_value(value, tag, members, unknown).map_err(D::Error::custom)
}

/// [`decode`] from a JSON value.
pub fn from_value<T: Serialize>(
    value: Value,
    tag: Option<&'static str>,
    members: &[Member<T>],
    unknown: fn(Value) -> T,
) -> Result<T, String> {
    if let Some(property) = tag
        && let Some(Value::String(name)) = value.get(property)
    {
        return match members.iter().find(|m| m.tags.contains(&name.as_str())) {
            Some(member) => (member.decode)(&value).map_err(|e| {
                format!("`{property}` is {name:?}, but the value does not decode as it: {e}")
            }),
            None => Ok(unknown(value)),
        };
    }
    for member in members {
        let Ok(decoded) = (member.decode)(&value) else {
            continue;
        };
        // Keys a member keeps in its `unknown_fields` are not read by it: they may be what
        // another member names.
        let kept = crate::unknown_fields::named_only(|| serde_json::to_value(&decoded))
            .is_ok_and(|back| keeps_all(&value, &back));
        if kept {
            return Ok(decoded);
        }
    }
    Ok(unknown(value))
}

/// Whether `output` (what a member encodes back) holds every field of `input`. Fields whose
/// value is empty (`null`, `[]`, `{}`) may be left out: generated types skip them on encoding.
pub fn keeps_all(input: &Value, output: &Value) -> bool {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => i.iter().all(|(k, v)| match o.get(k) {
            Some(w) => keeps_all(v, w),
            None => is_empty(v),
        }),
        (Value::Array(i), Value::Array(o)) => {
            i.len() == o.len() && i.iter().zip(o).all(|(v, w)| keeps_all(v, w))
        }
        (Value::Object(i), _) | (_, Value::Object(i)) if i.is_empty() => true,
        (Value::Object(_), _) | (Value::Array(_), _) => false,
        _ => true,
    }
}

pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Small {
        name: String,
    }
    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Large {
        name: String,
        config: Value,
    }
    #[derive(Debug, Serialize, PartialEq)]
    #[serde(untagged)]
    enum U {
        Small(Small),
        Large(Large),
        Unknown(Value),
    }
    const MEMBERS: &[Member<U>] = &[
        Member {
            tags: &["small"],
            decode: |v| Small::deserialize(v).map(U::Small),
        },
        Member {
            tags: &["large"],
            decode: |v| Large::deserialize(v).map(U::Large),
        },
    ];

    #[test]
    fn untagged_picks_the_member_that_reads_everything() {
        let v = json!({"name": "a", "config": {"url": "x"}});
        let got = from_value(v.clone(), None, MEMBERS, U::Unknown).unwrap();
        assert!(matches!(got, U::Large(_)));
        assert_eq!(serde_json::to_value(&got).unwrap(), v);
        let small = from_value(json!({"name": "a"}), None, MEMBERS, U::Unknown).unwrap();
        assert!(matches!(small, U::Small(_)));
        let odd = json!({"name": "a", "config": 1, "extra": true});
        assert_eq!(
            from_value(odd.clone(), None, MEMBERS, U::Unknown).unwrap(),
            U::Unknown(odd)
        );
        assert_eq!(
            from_value(json!(7), None, MEMBERS, U::Unknown).unwrap(),
            U::Unknown(json!(7))
        );
    }

    #[test]
    fn tagged_follows_the_tag_and_keeps_unknown_tags() {
        let v = json!({"kind": "small", "name": "a"});
        // The tag picks the member, even where another would read more.
        let got = from_value(v.clone(), Some("kind"), MEMBERS, U::Unknown).unwrap();
        assert!(matches!(got, U::Small(_)));
        let new = json!({"kind": "brand-new", "name": "a"});
        assert_eq!(
            from_value(new.clone(), Some("kind"), MEMBERS, U::Unknown).unwrap(),
            U::Unknown(new)
        );
        let err = from_value(
            json!({"kind": "large", "name": "a"}),
            Some("kind"),
            MEMBERS,
            U::Unknown,
        )
        .unwrap_err();
        assert!(
            err.contains("`kind` is \"large\"") && err.contains("config"),
            "{err}"
        );
        // Without the tag, the untagged rules apply.
        let untagged = from_value(json!({"name": "a"}), Some("kind"), MEMBERS, U::Unknown).unwrap();
        assert!(matches!(untagged, U::Small(_)));
    }

    /// Members that keep unknown keys (as the client's response structs do) are still told
    /// apart by the keys they name, at any depth; the one chosen keeps everything.
    #[test]
    fn members_keeping_unknown_keys_are_chosen_by_the_keys_they_name() {
        #[derive(Debug, Serialize, Deserialize, PartialEq)]
        struct Inner {
            id: String,
            #[serde(flatten)]
            unknown_fields: crate::UnknownFields,
        }
        #[derive(Debug, Serialize, Deserialize, PartialEq)]
        struct Host {
            host: Option<Inner>,
            #[serde(flatten)]
            unknown_fields: crate::UnknownFields,
        }
        #[derive(Debug, Serialize, Deserialize, PartialEq)]
        struct User {
            user: Option<Inner>,
            #[serde(flatten)]
            unknown_fields: crate::UnknownFields,
        }
        #[derive(Debug, Serialize, PartialEq)]
        #[serde(untagged)]
        enum E {
            Host(Host),
            User(User),
            Unknown(Value),
        }
        const ENTITIES: &[Member<E>] = &[
            Member {
                tags: &[],
                decode: |v| Host::deserialize(v).map(E::Host),
            },
            Member {
                tags: &[],
                decode: |v| User::deserialize(v).map(E::User),
            },
        ];
        let user = json!({"user": {"id": "u1"}});
        let got = from_value(user.clone(), None, ENTITIES, E::Unknown).unwrap();
        assert!(matches!(got, E::User(_)), "{got:?}");
        assert_eq!(serde_json::to_value(&got).unwrap(), user);
        // A key newer than both members, deep inside: no member reads it, so the value is kept
        // whole as unknown rather than given to the first member that decodes.
        let newer = json!({"user": {"id": "u1", "added_later": 1}});
        assert_eq!(
            from_value(newer.clone(), None, ENTITIES, E::Unknown).unwrap(),
            E::Unknown(newer)
        );
        // Outside a union the unknown keys encode as before.
        let inner = Inner::deserialize(json!({"id": "x", "more": true})).unwrap();
        assert_eq!(
            serde_json::to_value(&inner).unwrap(),
            json!({"id": "x", "more": true})
        );
    }

    #[test]
    fn empty_fields_may_be_skipped_on_encoding() {
        assert!(keeps_all(&json!({"a": [], "b": null, "c": {}}), &json!({})));
        assert!(!keeps_all(&json!({"a": [1]}), &json!({})));
        assert!(keeps_all(
            &json!({"a": {"b": 1}}),
            &json!({"a": {"b": 1.0}})
        ));
    }
}
