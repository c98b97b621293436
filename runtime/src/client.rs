//! [`KibanaBuilder`] and the [`Connection`] it builds, which every generated client wraps.

use crate::credentials::Credentials;
use crate::{RequestContext, RetryPolicy};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;
use url::Url;

/// The `elastic-api-version` Kibana serverless serves: its one public API version.
pub const DEFAULT_API_VERSION: &str = "2023-10-31";
/// Time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for one whole request, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not an absolute `http`/`https` URL without query or fragment.
    #[error("invalid Kibana URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No credentials were given; Kibana serverless refuses anonymous requests.
    #[error("no credentials: call `.credentials(...)` or `.api_key(...)`")]
    MissingCredentials,
    /// The credentials hold characters an HTTP header cannot carry (the secret is not shown).
    #[error("the {scheme} credentials contain characters that cannot be sent in a header")]
    InvalidCredentials {
        /// `ApiKey`, `Basic` or `Bearer`.
        scheme: &'static str,
    },
    /// A header name or value given to the builder is not valid HTTP.
    #[error("invalid header {name:?}")]
    InvalidHeader {
        /// The header name as given.
        name: String,
    },
    /// A required environment variable is missing or not Unicode.
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// A space id that Kibana would not accept.
    #[error("invalid space id {0:?}: use lowercase letters, digits, `_` and `-`")]
    InvalidSpace(String),
    /// A CA certificate given to the builder holds no PEM certificate.
    #[error("no PEM certificate found in the given CA certificate data")]
    InvalidCertificate,
    /// Credentials would go over plain `http://` to a host other than this machine, readable
    /// by anyone on the way. Use `https://`, or [`KibanaBuilder::allow_insecure_http`].
    #[error(
        "refusing to send credentials over plain http to {host}: use https, or allow_insecure_http(true)"
    )]
    InsecureTransport {
        /// The host the URL names.
        host: String,
    },
    /// An `https://` Kibana, and no CA certificate to check it with: the system has none (a
    /// minimal container without its CA bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR` naming none)
    /// and none was given.
    #[error(
        "no CA certificates to check {host}'s certificate with: the system has none; install the CA bundle, point SSL_CERT_FILE or SSL_CERT_DIR at one, or give one with root_certificate_pem"
    )]
    NoCaCertificates {
        /// The host the URL names.
        host: String,
    },
    /// reqwest could not build its client (e.g. a bad CA certificate).
    #[error("building the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// What every generated client of one Kibana shares: the base URL (with the space prefix, if
/// any), one `reqwest::Client` (so one connection pool) and the per-request settings
/// (credentials, headers, retry policy). A generated `Kibana` is built from one.
///
/// Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct Connection {
    base: Url,
    http: reqwest::Client,
    context: RequestContext,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("base", &self.base.as_str())
            .field("context", &self.context)
            .finish()
    }
}

impl Connection {
    /// The base URL every operation path is appended to (with the space prefix, if any).
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// The HTTP client, shared by every clone.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// What every request carries: headers and the retry policy.
    pub fn context(&self) -> &RequestContext {
        &self.context
    }

    /// This connection with another retry policy (sharing the connection pool).
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        Self {
            base: self.base.clone(),
            http: self.http.clone(),
            context: self.context.with_retry(policy),
        }
    }

    /// This connection for one Kibana space: every operation goes to `/s/{space_id}/api/...`.
    pub fn space(&self, space_id: &str) -> Result<Self, BuildError> {
        if !is_valid_space_id(space_id) {
            return Err(BuildError::InvalidSpace(space_id.to_string()));
        }
        let mut base = self.base.clone();
        let path = format!("{}/s/{space_id}", base.path().trim_end_matches('/'));
        base.set_path(&path);
        Ok(Self {
            base,
            http: self.http.clone(),
            context: self.context.clone(),
        })
    }
}

/// A client made from a [`Connection`]: the generated `Kibana` of each crate implements it, so
/// that [`KibanaBuilder`] can build it.
pub trait FromConnection: Sized {
    /// The client over `connection`.
    fn from_connection(connection: Connection) -> Self;
}

impl FromConnection for Connection {
    fn from_connection(connection: Connection) -> Self {
        connection
    }
}

/// Kibana accepts space ids of lowercase letters, digits, `_` and `-`.
pub fn is_valid_space_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Builds a client (`K`, the generated `Kibana`, or a bare [`Connection`]). Every setting has a
/// default but the credentials.
#[must_use]
pub struct KibanaBuilder<K = Connection> {
    url: String,
    credentials: Option<Credentials>,
    api_version: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    root_certificates: Vec<reqwest::Certificate>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    insecure_http: bool,
    max_body: usize,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    compression: bool,
    client: PhantomData<fn() -> K>,
}

/// How long an idle pooled connection is kept by default (reqwest's own is 90 s): a serverless
/// endpoint's load balancer closes idle connections after about a minute, so keeping them
/// longer only meets resets, and a burst's connections are let go soon after it.
const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections kept per host by default: all of them. A cap below the requests in flight
/// closes connections that the next requests must open again (at 512 in flight, a cap of 32
/// made 5,216 connections for 10,000 requests instead of 512); the idle timeout closes them once
/// a burst is over.
const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = usize::MAX;

impl<K> fmt::Debug for KibanaBuilder<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KibanaBuilder")
            .field("url", &self.url)
            .field("credentials", &self.credentials)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl<K: FromConnection> KibanaBuilder<K> {
    /// A builder for the Kibana at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        Self {
            url,
            credentials: None,
            api_version: DEFAULT_API_VERSION.to_string(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!("kibana-serverless/", env!("CARGO_PKG_VERSION")).to_string(),
            headers: Vec::new(),
            root_certificates: Vec::new(),
            http: None,
            retry: RetryPolicy::default(),
            insecure_http: false,
            max_body: crate::context::DEFAULT_MAX_BODY_SIZE,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            compression: true,
            client: PhantomData,
        }
    }

    /// A builder from `KIBANA_URL` and `KIBANA_API_KEY`.
    pub fn from_env() -> Result<Self, BuildError> {
        let url = std::env::var("KIBANA_URL").map_err(|_| BuildError::MissingEnv("KIBANA_URL"))?;
        let key = std::env::var("KIBANA_API_KEY")
            .map_err(|_| BuildError::MissingEnv("KIBANA_API_KEY"))?;
        Ok(Self::new(url).credentials(Credentials::api_key(key)))
    }

    /// The credentials to send.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// An encoded API key (base64 of `id:api_key`).
    pub fn api_key(self, encoded: impl Into<String>) -> Self {
        self.credentials(Credentials::api_key(encoded))
    }

    /// The `elastic-api-version` header value (default [`DEFAULT_API_VERSION`]). An operation
    /// the spec writes at another version (an internal route at `1`, a route served only at a
    /// later version) is sent at its own, which its types describe.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Time allowed to connect (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for each request (default [`DEFAULT_TIMEOUT`]): a JSON answer must arrive
    /// whole within it. A streamed answer (an ndjson export, server-sent events, a download)
    /// may take longer, as long as its headers come within it and it never waits that long for
    /// its next bytes: a long export or a long streamed chat is not cut while it flows.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` (default `kibana-serverless/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header to send with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Allows credentials over plain `http://` to a host other than this machine (refused by
    /// default: anyone on the way could read them). Loopback is always allowed.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.insecure_http = yes;
        self
    }

    /// The largest JSON answer read whole (default 64 MiB); a larger one is
    /// [`crate::Error::BodyTooLarge`], and the rest of it is not read. Streamed answers (ndjson
    /// exports, downloads) are read as they arrive and not limited.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How long an idle pooled connection is kept (default 30 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host (default: no limit; the idle timeout
    /// closes them).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Whether to ask for gzip-compressed answers (`Accept-Encoding: gzip`) and decode them
    /// (default: yes). Kibana compresses JSON answers when asked, and JSON shrinks several-fold;
    /// transfer is what listings and exports spend their time on over a real network. The
    /// body-size limit ([`KibanaBuilder::max_body_size`]) applies to the decoded answer, so a
    /// small compressed body cannot expand past it.
    pub fn compression(mut self, yes: bool) -> Self {
        self.compression = yes;
        self
    }

    /// Trusts the CA certificates in this PEM (one or a bundle) in addition to the platform's
    /// roots. PEM without a certificate is an error, not silently nothing.
    pub fn root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, BuildError> {
        let certs = reqwest::Certificate::from_pem_bundle(pem)?;
        if certs.is_empty() {
            return Err(BuildError::InvalidCertificate);
        }
        self.root_certificates.extend(certs);
        Ok(self)
    }

    /// Uses this `reqwest::Client` (its TLS, proxy and timeout settings) instead of building
    /// one. The builder's timeouts and certificates are then not applied; the credentials,
    /// headers, user agent and retries still are, per request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<K, BuildError> {
        let base = parse_base_url(&self.url)?;
        let credentials = self.credentials.ok_or(BuildError::MissingCredentials)?;
        if base.scheme() == "http" && !self.insecure_http && !is_loopback(&base) {
            return Err(BuildError::InsecureTransport {
                host: base.host_str().unwrap_or_default().to_string(),
            });
        }
        let mut headers = HeaderMap::new();
        let auth = credentials
            .header_value()
            .ok_or(BuildError::InvalidCredentials {
                scheme: credentials.scheme(),
            })?;
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert(
            HeaderName::from_static("kbn-xsrf"),
            HeaderValue::from_static("true"),
        );
        let version =
            HeaderValue::from_str(&self.api_version).map_err(|_| BuildError::InvalidHeader {
                name: "elastic-api-version".into(),
            })?;
        headers.insert(HeaderName::from_static("elastic-api-version"), version);
        let agent =
            HeaderValue::from_str(&self.user_agent).map_err(|_| BuildError::InvalidHeader {
                name: "user-agent".into(),
            })?;
        headers.insert(reqwest::header::USER_AGENT, agent);
        for (name, value) in &self.headers {
            let invalid = || BuildError::InvalidHeader { name: name.clone() };
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let header_value = HeaderValue::from_str(value).map_err(|_| invalid())?;
            headers.insert(header_name, header_value);
        }
        // A caller's own HTTP client keeps its own timeouts.
        let timeout = self.http.is_none().then_some(self.timeout);
        let http = match self.http {
            Some(http) => http,
            None => {
                install_crypto_provider();
                // Kibana's API never redirects: a redirect is answered as an error naming its
                // target, so that no credential or header of ours goes to another host.
                let loopback = is_loopback(&base);
                let builder = || {
                    let builder = reqwest::Client::builder()
                        .connect_timeout(self.connect_timeout)
                        // A stall ends any request; the whole-answer deadline is set per
                        // request (`hooks::execute`) on those read whole.
                        .read_timeout(self.timeout)
                        .redirect(reqwest::redirect::Policy::none())
                        .referer(false)
                        .pool_idle_timeout(self.pool_idle_timeout)
                        .pool_max_idle_per_host(self.pool_max_idle_per_host)
                        .gzip(self.compression);
                    // A proxy cannot reach this machine's loopback: the proxy variables
                    // (HTTP_PROXY, ALL_PROXY...) are for the hosts outside, as in Go's client.
                    if loopback {
                        builder.no_proxy()
                    } else {
                        builder
                    }
                };
                let mut trusting = builder();
                for cert in &self.root_certificates {
                    trusting = trusting.add_root_certificate(cert.clone());
                }
                match trusting.build() {
                    Ok(http) => http,
                    // With no CA given, a rustls error at build time is the platform verifier
                    // finding no certificate on the system.
                    Err(e)
                        if self.root_certificates.is_empty()
                            && crate::hooks::is_tls_refusal(&e) =>
                    {
                        if base.scheme() != "http" {
                            return Err(BuildError::NoCaCertificates {
                                host: base.host_str().unwrap_or_default().to_string(),
                            });
                        }
                        // A plain-http Kibana needs no certificates: every request goes to the
                        // base URL and redirects are not followed, so no TLS config is used.
                        match no_roots_tls() {
                            Some(tls) => builder().tls_backend_preconfigured(tls).build()?,
                            None => return Err(e.into()),
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        Ok(K::from_connection(Connection {
            base,
            http,
            context: RequestContext::new(headers, self.retry, self.max_body, timeout),
        }))
    }
}

/// reqwest is built without a default TLS crypto provider (aws-lc-rs doubles cold builds); this
/// installs rustls' `ring` provider as the process default unless one is installed already.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A TLS config trusting nothing, for a client that only ever speaks plain http (`None` when
/// the process's crypto provider cannot make one).
fn no_roots_tls() -> Option<rustls::ClientConfig> {
    let provider = rustls::crypto::CryptoProvider::get_default()?.clone();
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Some(config)
}

/// `raw` with any `user:password@` part replaced, for error messages.
fn redact_userinfo(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://[redacted]@{}", &raw[..scheme_end], &raw[at + 1..])
        }
        _ => raw.to_string(),
    }
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_base_url(raw: &str) -> Result<Url, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidUrl {
        url: redact_userinfo(raw),
        reason: reason.to_string(),
    };
    if !raw.contains("://") {
        return Err(invalid(
            "no scheme: write it as https://host (or http://host for one on this machine)",
        ));
    }
    let url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials do not belong in the URL; use the builder's credentials",
        ));
    }
    // A URL copied from the browser (`/app/...`) or one ending in the API's own prefix would
    // put every request under it, where Kibana answers a page or 404. A base path of Kibana's
    // own (`server.basePath`) and a space (`/s/team-a`) are kept.
    if let Some(segment) = url
        .path_segments()
        .into_iter()
        .flatten()
        .find(|s| matches!(*s, "app" | "api"))
    {
        return Err(invalid(&format!(
            "its path has /{segment}/, which the client adds itself: give Kibana's root URL (with its base path, if it has one)"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        for ok in [
            "http://localhost:5601",
            "https://kb.example.com/",
            "https://example.com/kibana/",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "localhost:5601",
            "ftp://x",
            "http://",
            "http://x/?a=b",
            "http://u:p@x",
            "not a url",
            "kb.example.com",
            "https://kb.example.com/app/home",
            "https://example.com/kibana/app/fleet/agents",
            "https://kb.example.com/api",
            "https://kb.example.com/s/team-a/api/",
        ] {
            assert!(
                matches!(parse_base_url(bad), Err(BuildError::InvalidUrl { .. })),
                "{bad}"
            );
        }
        let k = KibanaBuilder::<Connection>::new("https://example.com/kibana/")
            .api_key("a2V5")
            .build()
            .unwrap();
        assert_eq!(k.base_url(), "https://example.com/kibana");
        let reason = |raw: &str| match parse_base_url(raw) {
            Err(BuildError::InvalidUrl { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason("kb.example.com:443").contains("https://host"));
        assert!(reason("https://kb.example.com/app/home").contains("/app/"));
        // A space in the base URL is Kibana's own way to name it, and works.
        assert!(parse_base_url("https://kb.example.com/s/team-a").is_ok());
        // Credentials over plain http leave this machine only when allowed.
        let plain = || KibanaBuilder::<Connection>::new("http://kb.example.com").api_key("a2V5");
        assert!(matches!(
            plain().build(),
            Err(BuildError::InsecureTransport { host }) if host == "kb.example.com"
        ));
        assert!(plain().allow_insecure_http(true).build().is_ok());
        for local in [
            "http://localhost:5601",
            "http://127.0.0.1:1",
            "http://[::1]:5601",
        ] {
            let built = KibanaBuilder::<Connection>::new(local)
                .api_key("a2V5")
                .build();
            assert!(built.is_ok(), "{local}");
        }
        assert_eq!(
            k.space("team-a").unwrap().base_url(),
            "https://example.com/kibana/s/team-a"
        );
    }

    #[test]
    fn userinfo_is_redacted_from_errors() {
        let err = parse_base_url("https://elastic:s3cret@example.com").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cret"), "{err:?}");
        let err = parse_base_url("https://elastic:s3cret@exa mple.com").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cret"), "{err:?}");
    }

    #[test]
    fn space_ids() {
        assert!(is_valid_space_id("team_a-1"));
        for bad in ["", "Team", "a/b", "..", "a b", "é"] {
            assert!(!is_valid_space_id(bad), "{bad}");
        }
        let k = KibanaBuilder::<Connection>::new("http://localhost:5601")
            .api_key("a2V5")
            .build()
            .unwrap();
        assert!(matches!(k.space("../x"), Err(BuildError::InvalidSpace(_))));
    }

    #[test]
    fn missing_and_bad_credentials() {
        assert!(matches!(
            KibanaBuilder::<Connection>::new("http://x").build(),
            Err(BuildError::MissingCredentials)
        ));
        let err = KibanaBuilder::<Connection>::new("http://x")
            .credentials(Credentials::bearer("canary\n"))
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("canary"));
    }
}
