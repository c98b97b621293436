//! A borrowed twin of the client's whole `Agent` (every field Kibana documents, with the
//! client's own open enums and the sub-types absent from the mock's page), decoded by serde's
//! derive: what generating borrowed response types would reach. Strings borrow from the body
//! and own only when they hold escapes (`Str`); free-form objects and sort values stay as
//! their JSON text. Not a client type: the decode bench sets it beside the client's.

// The fields are there to be decoded; the bench reads only the ids.
#![allow(dead_code)]
use kibana_serverless::fleet::types as t;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct Page<'a> {
    #[serde(borrow)]
    pub items: Vec<Agent<'a>>,
    #[serde(rename = "nextSearchAfter", borrow)]
    pub next_search_after: Option<Str<'a>>,
    pub page: f64,
    #[serde(rename = "perPage")]
    pub per_page: f64,
    #[serde(borrow)]
    pub pit: Option<Str<'a>>,
    pub total: f64,
}

#[derive(Deserialize)]
pub struct Agent<'a> {
    #[serde(borrow)]
    pub access_api_key: Option<Str<'a>>,
    #[serde(borrow)]
    pub access_api_key_id: Option<Str<'a>>,
    pub active: bool,
    #[serde(borrow)]
    pub agent: Option<AgentAgent<'a>>,
    #[serde(borrow)]
    pub audit_unenrolled_reason: Option<Str<'a>>,
    #[serde(default, borrow)]
    pub capabilities: Vec<Str<'a>>,
    #[serde(default, borrow)]
    pub components: Vec<Component<'a>>,
    #[serde(borrow)]
    pub default_api_key: Option<Str<'a>>,
    #[serde(default)]
    pub default_api_key_history: Vec<t::ApiKeyReference>,
    #[serde(borrow)]
    pub default_api_key_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub effective_config: Option<&'a RawValue>,
    #[serde(borrow)]
    pub enrolled_at: Str<'a>,
    #[serde(borrow)]
    pub health: Option<&'a RawValue>,
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(default, borrow)]
    pub identifying_attributes: HashMap<Str<'a>, Str<'a>>,
    #[serde(borrow)]
    pub last_checkin: Option<Str<'a>>,
    #[serde(borrow)]
    pub last_checkin_message: Option<Str<'a>>,
    pub last_checkin_status: Option<t::AgentLastCheckinStatus>,
    pub last_known_status: Option<t::AgentLastKnownStatus>,
    #[serde(borrow)]
    pub local_metadata: &'a RawValue,
    pub metrics: Option<t::AgentMetrics>,
    #[serde(default, borrow)]
    pub namespaces: Vec<Str<'a>>,
    #[serde(default, borrow)]
    pub non_identifying_attributes: HashMap<Str<'a>, Str<'a>>,
    #[serde(default)]
    pub outputs: HashMap<String, t::AgentOutputsValue>,
    #[serde(borrow)]
    pub packages: Vec<Str<'a>>,
    pub pipeline_config: Option<t::AgentPipelineConfig>,
    #[serde(borrow)]
    pub policy_id: Option<Str<'a>>,
    pub policy_revision: Option<f64>,
    pub sequence_num: Option<f64>,
    #[serde(default, borrow)]
    pub signals: Vec<Str<'a>>,
    #[serde(default, borrow)]
    pub sort: Vec<&'a RawValue>,
    pub status: Option<t::AgentStatus>,
    #[serde(default, borrow)]
    pub tags: Vec<Str<'a>>,
    #[serde(rename = "type")]
    pub type_: t::AgentType,
    #[serde(borrow)]
    pub unenrolled_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub unenrollment_started_at: Option<Str<'a>>,
    pub unhealthy_reason: Option<Vec<t::AgentUnhealthyReasonItem>>,
    pub upgrade: Option<t::AgentUpgrade>,
    #[serde(borrow)]
    pub upgrade_attempts: Option<Vec<Str<'a>>>,
    pub upgrade_details: Option<t::AgentUpgradeDetails>,
    #[serde(borrow)]
    pub upgrade_started_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub upgraded_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub user_provided_metadata: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct AgentAgent<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(rename = "type", borrow)]
    pub type_: Option<Str<'a>>,
    #[serde(borrow)]
    pub version: Str<'a>,
}

#[derive(Deserialize)]
pub struct Component<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub message: Str<'a>,
    pub status: t::ComponentStatus,
    #[serde(rename = "type", borrow)]
    pub type_: Str<'a>,
    #[serde(default)]
    pub units: Vec<t::AgentComponentsItemUnitsItem>,
}

/// A string borrowed from the body, or owned when it had escapes to undo. serde's own
/// `#[serde(borrow)]` borrows a `Cow` only as a field's whole type, not inside an `Option`
/// or a `Vec`, so the twin uses this instead.
#[derive(Hash, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(Text)
    }
}
