//! The body of a Kibana error response, whatever its shape.
//!
//! Kibana answers errors as `{statusCode, error, message}` (the platform), with `errorType` and
//! `attributes` (Fleet), as `{message, status_code}` (Security solution), or as a bare
//! `{message}`, and passes Elasticsearch's `{error: {type, reason}, status}` through. One type
//! reads all of them: a known field of an unexpected JSON type is kept in `extra` instead of
//! failing the error, and fields it does not know are kept there too.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An error body as Kibana sends it, in any of its shapes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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

impl<'de> Deserialize<'de> for KibanaErrorBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut extra = Map::<String, Value>::deserialize(deserializer)?;
        // Each known field is taken only when it has its expected type.
        let mut take = |key: &str, fits: fn(&Value) -> bool| match extra.get(key) {
            Some(v) if fits(v) => extra.remove(key),
            _ => None,
        };
        let number = |v: Value| v.as_f64();
        let string = |v: Value| match v {
            Value::String(s) => Some(s),
            _ => None,
        };
        let status_code = take("statusCode", Value::is_number).and_then(number);
        let security_status_code = take("status_code", Value::is_number).and_then(number);
        let error = take("error", Value::is_string).and_then(string);
        let error_type = take("errorType", Value::is_string).and_then(string);
        let message = take("message", Value::is_string).and_then(string);
        let attributes = take("attributes", |_| true);
        Ok(Self {
            status_code,
            security_status_code,
            error,
            error_type,
            message,
            attributes,
            extra,
        })
    }
}

impl KibanaErrorBody {
    /// Elasticsearch's `error.reason`, when the body passes one through.
    pub fn reason(&self) -> Option<&str> {
        self.extra.get("error")?.get("reason")?.as_str()
    }

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
        // A problem document (`application/problem+json`, from a proxy or a mock server) says
        // what went wrong in `detail` or `title`.
        let problem = ["detail", "title"]
            .iter()
            .find_map(|k| self.extra.get(*k).and_then(serde_json::Value::as_str));
        match (
            &self.error,
            self.message.as_deref().or(self.reason()).or(problem),
        ) {
            (Some(error), Some(message)) => write!(f, "{error}: {message}"),
            (None, Some(message)) => f.write_str(message),
            (Some(error), None) => f.write_str(error),
            (None, None) => f.write_str("Kibana returned an error without a message"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elasticsearch_errors_and_fields_of_unexpected_types_are_kept() {
        let es = json!({"error": {"type": "resource_not_found_exception", "reason": "no widget"}, "status": 404});
        let body: KibanaErrorBody = serde_json::from_value(es.clone()).unwrap();
        assert_eq!(body.error, None);
        assert_eq!(body.reason(), Some("no widget"));
        assert_eq!(body.to_string(), "no widget");
        assert_eq!(serde_json::to_value(&body).unwrap(), es, "nothing is lost");
        let odd: KibanaErrorBody = serde_json::from_value(
            json!({"statusCode": "400", "message": ["a"], "error": "Bad Request"}),
        )
        .unwrap();
        assert_eq!((odd.status_code, odd.message.as_deref()), (None, None));
        assert_eq!(odd.extra["statusCode"], "400");
        assert_eq!(odd.error.as_deref(), Some("Bad Request"));
        let kibana: KibanaErrorBody = serde_json::from_value(
            json!({"statusCode": 404, "error": "Not Found", "message": "gone"}),
        )
        .unwrap();
        assert_eq!(
            (kibana.status(), kibana.to_string().as_str()),
            (Some(404), "Not Found: gone")
        );
    }
}
