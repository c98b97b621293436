//! The canary API key's leak check: the key and every part an encoding could leak, and a log
//! capture at a given level for every target (the HTTP stack's included).

use super::wire::CANARY_KEY;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// What the logs wrote.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures this process's logs at `level` (once per test binary; later calls get the same
/// capture).
pub fn capture_logs(level: tracing::Level) -> Captured {
    static CAPTURE: OnceLock<Captured> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .with_max_level(level)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .init();
            captured
        })
        .clone()
}

/// The canary and the parts an encoding could leak.
pub fn secrets() -> Vec<String> {
    use base64::Engine;
    let decoded = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(CANARY_KEY)
            .unwrap(),
    )
    .unwrap();
    let (id, key) = decoded.split_once(':').unwrap();
    vec![
        CANARY_KEY.to_string(),
        key.to_string(),
        "canary-secret".into(),
        "hunter2-password".into(),
        "bearer-canary-token".into(),
        id.to_string(),
    ]
}

/// Fails if `text` (named `what`) holds any secret.
pub fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "{what} leaks {secret:?}");
    }
}
