//! The body of a Kibana error response, whatever its shape.
//!
//! Kibana answers errors as `{statusCode, error, message}` (the platform), with `errorType` and
//! `attributes` (Fleet), as `{message, status_code}` (Security solution), or as a bare
//! `{message}`. One type reads all of them; fields it does not know are kept in `extra`.
//! This file is also copied into standalone crates written by `cargo xtask regenerate --out`,
//! so it depends on serde alone.

use serde::{Deserialize, Serialize};

/// An error body as Kibana sends it, in any of its shapes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KibanaErrorBody {
    /// HTTP status, as platform and Fleet errors give it (`statusCode`).
    #[serde(
        rename = "statusCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub status_code: Option<f64>,
    /// HTTP status, as Security solution errors give it (`status_code`).
    #[serde(
        rename = "status_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub security_status_code: Option<f64>,
    /// HTTP status text, e.g. `Bad Request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Fleet's error class, e.g. `FleetError`.
    #[serde(rename = "errorType", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// What went wrong, in Kibana's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fleet's structured details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Value>,
    /// Any other field Kibana sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl KibanaErrorBody {
    /// The HTTP status the body states, in either spelling.
    pub fn status(&self) -> Option<u16> {
        self.status_code
            .or(self.security_status_code)
            .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
            .map(|s| s as u16)
    }
}

impl std::fmt::Display for KibanaErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.error, &self.message) {
            (Some(error), Some(message)) => write!(f, "{error}: {message}"),
            (None, Some(message)) => f.write_str(message),
            (Some(error), None) => f.write_str(error),
            (None, None) => f.write_str("Kibana returned an error without a message"),
        }
    }
}
