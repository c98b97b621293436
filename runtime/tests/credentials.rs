//! Credentials never show their secret: not in `Debug`, not in a build error. (Basic
//! credentials are base64-encoded, so any text goes.)

use kibana_serverless_runtime::{Connection, Credentials, KibanaBuilder};

#[test]
fn debug_shows_the_scheme_and_never_the_secret() {
    assert_eq!(
        format!("{:?}", Credentials::api_key("c2VjcmV0LWtleQ==")),
        "ApiKey([redacted])"
    );
    assert_eq!(
        format!("{:?}", Credentials::api_key_id("id", "secret-key")),
        "ApiKey([redacted])"
    );
    assert_eq!(
        format!("{:?}", Credentials::bearer("secret-token")),
        "Bearer([redacted])"
    );
    assert_eq!(
        format!("{:?}", Credentials::basic("elastic", "secret-password")),
        "Basic { username: \"elastic\", password: [redacted] }"
    );
}

#[test]
fn a_secret_a_header_cannot_carry_is_refused_by_scheme() {
    for (credentials, scheme) in [
        (Credentials::api_key("bad\nkey"), "ApiKey"),
        (Credentials::bearer("bad\rtoken"), "Bearer"),
    ] {
        let err = KibanaBuilder::<Connection>::new("http://127.0.0.1:9")
            .credentials(credentials)
            .build()
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(text.contains(scheme), "{text}");
        for secret in ["key", "token"] {
            assert!(
                !text.contains(&format!("bad\n{secret}"))
                    && !text.contains(&format!("bad\r{secret}")),
                "{text}"
            );
        }
    }
}
