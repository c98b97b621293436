//! Named profiles: several Kibana projects in one config file, each with its URL, its space and
//! where its API key comes from (an environment variable, or a file only its owner can read).
//! The file never holds a key itself.
//!
//! ```toml
//! default = "prod"
//!
//! [profiles.prod]
//! url = "https://prod.kb.us-east-1.aws.elastic.cloud"
//! api_key_env = "PROD_KIBANA_API_KEY"
//!
//! [profiles.staging]
//! url = "https://staging.kb.eu-west-1.aws.elastic.cloud"
//! api_key_file = "~/.config/kbn/staging.key"
//! space = "marketing"
//! ```

use crate::run::{Failure, exit};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment variable naming the config file, instead of the platform's place for it.
pub const CONFIG_ENV: &str = "KBN_CONFIG";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// The profile used when none is named.
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One Kibana project.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: Option<String>,
    pub space: Option<String>,
    /// The environment variable holding the key.
    pub api_key_env: Option<String>,
    /// The file holding the key (`~/` is the home directory; a relative path is relative to
    /// the config file's directory).
    pub api_key_file: Option<PathBuf>,
}

/// A profile with its name and the config file it came from.
#[derive(Debug, Clone)]
pub struct Selected {
    pub name: String,
    pub profile: Profile,
    config: PathBuf,
}

fn usage(message: String) -> Failure {
    Failure {
        code: exit::USAGE,
        message,
    }
}

/// The config file: `$KBN_CONFIG`, or `kbn/config.toml` in the platform's config directory
/// (`~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_ENV) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|d| d.join("kbn").join("config.toml")),
    }
}

/// The profile named `name`, or the config's default when `name` is `None` (none when there
/// is no config file or it names no default). A named profile that is not there is an error.
pub fn select(name: Option<&str>) -> Result<Option<Selected>, Failure> {
    let Some(path) = config_path() else {
        return match name {
            Some(n) => Err(usage(format!(
                "profile {n:?}: no config directory on this platform; set {CONFIG_ENV}"
            ))),
            None => Ok(None),
        };
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && name.is_none() => return Ok(None),
        Err(e) => return Err(usage(format!("{}: {e}", path.display()))),
    };
    let config = parse(&text).map_err(|m| usage(format!("{}: {m}", path.display())))?;
    let Some(name) = name.map(str::to_string).or(config.default) else {
        return Ok(None);
    };
    match config.profiles.get(&name) {
        Some(profile) => Ok(Some(Selected {
            name,
            profile: profile.clone(),
            config: path,
        })),
        None => Err(usage(format!(
            "{}: no profile {name:?} (profiles: {})",
            path.display(),
            config
                .profiles
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Reads a config. Its errors give a line and a reason but never quote the file, which might
/// hold a key written where none belongs.
fn parse(text: &str) -> Result<Config, String> {
    let line = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| {
            format!(
                "line {}: ",
                text[..s.start.min(text.len())].lines().count().max(1)
            )
        })
        .unwrap_or_default()
    };
    let table: toml::Table =
        toml::from_str(text).map_err(|e| format!("{}{}", line(e.span()), e.message()))?;
    if let Some(toml::Value::Table(profiles)) = table.get("profiles") {
        for (name, profile) in profiles {
            if let toml::Value::Table(p) = profile
                && p.keys()
                    .any(|k| k == "api_key" || k == "key" || k == "password")
            {
                return Err(format!(
                    "profile {name:?} holds a key: keep it in an environment variable \
                     (api_key_env) or a file only you can read (api_key_file)"
                ));
            }
        }
    }
    Config::deserialize(table).map_err(|e| e.message().to_string())
}

impl Selected {
    /// The profile's API key, when it says where one is: from its environment variable, or
    /// from its file, which nobody but its owner may read or write.
    pub fn api_key(&self) -> Result<Option<String>, Failure> {
        let p = &self.profile;
        if let Some(var) = &p.api_key_env {
            return std::env::var(var).map(Some).map_err(|_| {
                usage(format!(
                    "profile {:?}: the environment variable {var} is not set",
                    self.name
                ))
            });
        }
        let Some(file) = &p.api_key_file else {
            return Ok(None);
        };
        let path = self.resolve(file);
        let fail = |what: String| {
            usage(format!(
                "profile {:?}: {}: {what}",
                self.name,
                path.display()
            ))
        };
        let meta = std::fs::metadata(&path).map_err(|e| fail(e.to_string()))?;
        check_private(&meta).map_err(fail)?;
        let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
        let key = text.trim();
        if key.is_empty() {
            return Err(fail("empty".into()));
        }
        Ok(Some(key.to_string()))
    }

    fn resolve(&self, file: &Path) -> PathBuf {
        if let Ok(rest) = file.strip_prefix("~")
            && let Some(home) = dirs::home_dir()
        {
            return home.join(rest);
        }
        if file.is_relative()
            && let Some(dir) = self.config.parent()
        {
            return dir.join(file);
        }
        file.to_path_buf()
    }
}

/// A key file must be a file only its owner can read or write (mode 600 or 400).
#[cfg(unix)]
fn check_private(meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if !meta.is_file() {
        Err("not a file".into())
    } else if mode & 0o077 != 0 {
        Err(format!(
            "others can read or write it (mode {mode:03o}); run chmod 600 on it"
        ))
    } else {
        Ok(())
    }
}

/// Windows gives no mode bits to check; the file's ACL is the user's profile's by default.
#[cfg(not(unix))]
fn check_private(meta: &std::fs::Metadata) -> Result<(), String> {
    if meta.is_file() {
        Ok(())
    } else {
        Err("not a file".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_reads_and_its_errors_quote_nothing() {
        let c = parse("default = \"a\"\n[profiles.a]\nurl = \"http://x\"\napi_key_env = \"K\"\n")
            .unwrap();
        assert_eq!(c.default.as_deref(), Some("a"));
        assert_eq!(c.profiles["a"].api_key_env.as_deref(), Some("K"));

        let e = parse("[profiles.a]\nurl = \"http://x\"\napi_key = \"c2VjcmV0\"\n").unwrap_err();
        assert!(e.contains("holds a key") && !e.contains("c2VjcmV0"), "{e}");
        let e = parse("[profiles.a]\nurl = \"http://x\"\ntoken = \"c2VjcmV0\"\n").unwrap_err();
        assert!(e.contains("token") && !e.contains("c2VjcmV0"), "{e}");
        let e = parse("[profiles.a]\nurl = \"c2VjcmV0\n").unwrap_err();
        assert!(e.starts_with("line 2: ") && !e.contains("c2VjcmV0"), "{e}");
    }
}
