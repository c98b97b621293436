//! Credentials for Kibana, held as secrets: they never appear in `Debug` output, logs or errors.

use base64::Engine;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// How the client authenticates.
///
/// Kibana serverless takes API keys; basic and bearer authentication exist for self-managed
/// deployments.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: ApiKey <encoded>`, where `encoded` is base64 of `id:api_key`, the form
    /// Elasticsearch returns as `encoded` when it creates a key.
    ApiKey(SecretString),
    /// `Authorization: Basic <base64 of username:password>`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(SecretString),
}

impl Credentials {
    /// An API key in its encoded form (base64 of `id:api_key`). Whitespace around it (a key
    /// read from a file with its newline) is dropped, and a key given as `id:api_key` (base64
    /// has no `:`) is encoded here, as [`Credentials::api_key_id`] does.
    pub fn api_key(encoded: impl Into<String>) -> Self {
        let encoded = encoded.into();
        let key = encoded.trim();
        match key.split_once(':') {
            Some((id, secret)) => Self::api_key_id(id, secret),
            None => Self::ApiKey(SecretString::from(key.to_string())),
        }
    }

    /// An API key from its id and secret, which are encoded here.
    pub fn api_key_id(id: impl AsRef<str>, api_key: impl AsRef<str>) -> Self {
        let raw = format!("{}:{}", id.as_ref(), api_key.as_ref());
        Self::api_key(base64::engine::general_purpose::STANDARD.encode(raw))
    }

    /// A user name and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Basic {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// A bearer token. Whitespace around it (a token read from a file with its newline) is
    /// dropped.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(SecretString::from(token.into().trim().to_string()))
    }

    /// The `Authorization` header value, marked sensitive so that `http` and `reqwest` never
    /// print it. `None` when the secret holds bytes a header cannot carry (e.g. a newline).
    pub(crate) fn header_value(&self) -> Option<HeaderValue> {
        let text = match self {
            Self::ApiKey(key) => format!("ApiKey {}", key.expose_secret()),
            Self::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose_secret());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
            Self::Bearer(token) => format!("Bearer {}", token.expose_secret()),
        };
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// The scheme name, for messages that must not show the secret.
    pub(crate) fn scheme(&self) -> &'static str {
        match self {
            Self::ApiKey(_) => "ApiKey",
            Self::Basic { .. } => "Basic",
            Self::Bearer(_) => "Bearer",
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Self::Basic { username, .. } => write!(
                f,
                "Basic {{ username: {username:?}, password: [redacted] }}"
            ),
            Self::Bearer(_) => f.write_str("Bearer([redacted])"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_redacts() {
        let c = Credentials::api_key_id("id", "s3cr3t-canary");
        assert_eq!(
            c.header_value().unwrap().to_str().unwrap(),
            "ApiKey aWQ6czNjcjN0LWNhbmFyeQ=="
        );
        assert!(c.header_value().unwrap().is_sensitive());
        let basic = Credentials::basic("elastic", "s3cr3t-canary");
        assert_eq!(
            basic.header_value().unwrap().to_str().unwrap(),
            "Basic ZWxhc3RpYzpzM2NyM3QtY2FuYXJ5"
        );
        for c in [
            c,
            basic,
            Credentials::bearer("s3cr3t-canary"),
            Credentials::api_key("czNjcjN0LWNhbmFyeQ=="),
        ] {
            let debug = format!("{c:?}");
            assert!(
                !debug.contains("s3cr3t") && !debug.contains("czNjcjN0"),
                "{debug}"
            );
        }
        assert!(Credentials::bearer("bad\nvalue").header_value().is_none());
    }

    #[test]
    fn keys_as_users_hold_them() {
        let header = |c: Credentials| c.header_value().unwrap().to_str().unwrap().to_string();
        // Read from a file or an environment variable with its newline.
        assert_eq!(
            header(Credentials::api_key("aWQ6czNjcjN0\n")),
            "ApiKey aWQ6czNjcjN0"
        );
        assert_eq!(header(Credentials::bearer(" t0ken\r\n")), "Bearer t0ken");
        // The id and secret as Kibana shows them, not yet encoded.
        assert_eq!(
            header(Credentials::api_key("id:s3cr3t-canary")),
            header(Credentials::api_key_id("id", "s3cr3t-canary"))
        );
        // An encoded key is sent as given.
        assert_eq!(
            header(Credentials::api_key("aWQ6czNjcjN0LWNhbmFyeQ==")),
            "ApiKey aWQ6czNjcjN0LWNhbmFyeQ=="
        );
    }
}
