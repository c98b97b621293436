//! Mirrors of an agent with only the fields the mock's page has, decoded by serde's own derive:
//! the bound a decode into owned values can reach, by string type. Not the client's types
//! (those have every field Kibana documents, open enums and lazy free-form objects); the
//! decode bench sets them beside the client's to show what each costs.

// The fields are there to be decoded; the bench reads only the ids.
#![allow(dead_code)]

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// Strings as `String`, free-form objects as their text.
pub mod owned {
    use super::*;

    #[derive(Deserialize)]
    pub struct Page {
        pub items: Vec<Agent>,
        pub total: f64,
    }

    #[derive(Deserialize)]
    pub struct Agent {
        pub id: String,
        #[serde(rename = "type")]
        pub type_: String,
        pub active: bool,
        pub status: Option<String>,
        pub enrolled_at: String,
        pub last_checkin: Option<String>,
        pub policy_id: Option<String>,
        pub policy_revision: Option<f64>,
        pub packages: Vec<String>,
        pub tags: Vec<String>,
        pub agent: Option<AgentAgent>,
        pub local_metadata: Box<RawValue>,
        pub components: Vec<Component>,
        pub sort: Vec<serde_json::Value>,
    }

    #[derive(Deserialize)]
    pub struct AgentAgent {
        pub id: String,
        pub version: String,
    }

    #[derive(Deserialize)]
    pub struct Component {
        pub id: String,
        #[serde(rename = "type")]
        pub type_: String,
        pub status: String,
        pub message: String,
    }
}

/// Strings as `compact_str::CompactString` (up to 24 bytes inline, without an allocation).
// Written out, not one struct generic over the string type: the generic one measured this
// row 7% slower (1.11 against 1.04 ms a page), which is not the bound it is here to show.
pub mod inline {
    use super::*;
    use compact_str::CompactString;

    #[derive(Deserialize)]
    pub struct Page {
        pub items: Vec<Agent>,
        pub total: f64,
    }

    #[derive(Deserialize)]
    pub struct Agent {
        pub id: CompactString,
        #[serde(rename = "type")]
        pub type_: CompactString,
        pub active: bool,
        pub status: Option<CompactString>,
        pub enrolled_at: CompactString,
        pub last_checkin: Option<CompactString>,
        pub policy_id: Option<CompactString>,
        pub policy_revision: Option<f64>,
        pub packages: Vec<CompactString>,
        pub tags: Vec<CompactString>,
        pub agent: Option<AgentAgent>,
        pub local_metadata: Box<RawValue>,
        pub components: Vec<Component>,
        pub sort: Vec<serde_json::Value>,
    }

    #[derive(Deserialize)]
    pub struct AgentAgent {
        pub id: CompactString,
        pub version: CompactString,
    }

    #[derive(Deserialize)]
    pub struct Component {
        pub id: CompactString,
        #[serde(rename = "type")]
        pub type_: CompactString,
        pub status: CompactString,
        pub message: CompactString,
    }
}

/// Strings and free-form objects borrowed from the body: nothing copied, only `Vec`s
/// allocated; the page cannot outlive the bytes.
pub mod borrowed {
    use super::*;

    #[derive(Deserialize)]
    pub struct Page<'a> {
        #[serde(borrow)]
        pub items: Vec<Agent<'a>>,
        pub total: f64,
    }

    #[derive(Deserialize)]
    pub struct Agent<'a> {
        pub id: &'a str,
        #[serde(rename = "type")]
        pub type_: &'a str,
        pub active: bool,
        pub status: Option<&'a str>,
        pub enrolled_at: &'a str,
        pub last_checkin: Option<&'a str>,
        pub policy_id: Option<&'a str>,
        pub policy_revision: Option<f64>,
        #[serde(borrow)]
        pub packages: Vec<&'a str>,
        #[serde(borrow)]
        pub tags: Vec<&'a str>,
        #[serde(borrow)]
        pub agent: Option<AgentAgent<'a>>,
        #[serde(borrow)]
        pub local_metadata: &'a RawValue,
        #[serde(borrow)]
        pub components: Vec<Component<'a>>,
        pub sort: Vec<IgnoredAny>,
    }

    #[derive(Deserialize)]
    pub struct AgentAgent<'a> {
        pub id: &'a str,
        pub version: &'a str,
    }

    #[derive(Deserialize)]
    pub struct Component<'a> {
        pub id: &'a str,
        #[serde(rename = "type")]
        pub type_: &'a str,
        pub status: &'a str,
        pub message: &'a str,
    }
}
