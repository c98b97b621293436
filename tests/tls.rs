//! rustls by default, with custom CA certificates: a loopback HTTPS server whose certificate a
//! private CA signed is trusted only when the client is given that CA. And the transport in the
//! environments a user's machine may have: no CA certificates at all (a minimal container),
//! where plain http still works and https says what is missing; proxy variables, which carry
//! requests to other hosts but not to this machine's loopback.

mod common;

use kibana_serverless::{BuildError, Error, Kibana, RetryPolicy};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What every server of these tests answers: an output's health, whole, then the connection
/// closes.
const HEALTH_RESPONSE: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 48\r\nconnection: close\r\n\r\n{\"message\":\"\",\"state\":\"HEALTHY\",\"timestamp\":\"t\"}";

/// A CA, and an HTTPS server on loopback with a certificate for `localhost` signed by it that
/// answers every request with an output-health body. Returns (CA PEM, URL).
async fn https_server() -> (String, String, Arc<AtomicUsize>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kibana-serverless test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();

    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let _ = tls.read(&mut buf).await;
                let response = HEALTH_RESPONSE;
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (ca_cert.pem(), format!("https://localhost:{port}"), accepted)
}

#[tokio::test]
async fn a_private_ca_is_trusted_only_when_given() {
    let (ca, url, accepted) = https_server().await;
    let trusting = Kibana::builder(&url)
        .api_key("a2V5")
        .root_certificate_pem(ca.as_bytes())
        .unwrap()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let health = trusting
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap();
    assert_eq!(health.state, "HEALTHY");

    // With the default policy, which retries connection failures: an untrusted certificate
    // does not heal, so it is one handshake and a TLS error that says so.
    let default = Kibana::builder(&url).api_key("a2V5").build().unwrap();
    let before = accepted.load(Ordering::SeqCst);
    let err = default
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Tls(_)),
        "an unknown CA fails the handshake: {err:?}"
    );
    assert!(err.to_string().contains("TLS refused"), "{err}");
    assert_eq!(accepted.load(Ordering::SeqCst) - before, 1, "not retried");

    let bad = Kibana::builder(&url)
        .api_key("a2V5")
        .root_certificate_pem(b"not a certificate");
    assert!(bad.is_err(), "a bad PEM is a build error");
}

/// A plain-http server on loopback answering every request with an output-health body.
async fn http_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = tcp.read(&mut buf).await;
                let response = HEALTH_RESPONSE;
                let _ = tcp.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

async fn output_health(kibana: &Kibana) -> Result<String, Error> {
    let health = kibana
        .fleet_outputs()
        .get_fleet_outputs_outputid_health()
        .output_id("o1")
        .send()
        .await?;
    Ok(health.state.clone())
}

/// Checks the environment it runs in; the tests below run it in child processes whose
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` name no certificate (`NO_SYSTEM_CA=1`), or whose proxy
/// variables name a proxy (`PROXIED_HOST` is a host only that proxy answers for).
#[tokio::test]
async fn transport_as_the_environment_says() {
    if let Ok(host) = std::env::var("PROXIED_HOST") {
        let remote = Kibana::builder(format!("http://{host}"))
            .api_key("a2V5")
            .allow_insecure_http(true)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        assert_eq!(output_health(&remote).await.unwrap(), "HEALTHY");
        println!("PROXIED=yes");
    }

    // Plain http to loopback works either way: it needs no certificate.
    let plain = Kibana::builder(http_server().await)
        .api_key("a2V5")
        .build()
        .expect("a plain-http client builds");
    assert_eq!(output_health(&plain).await.unwrap(), "HEALTHY");

    // A CA given to the builder is trusted either way.
    let (ca, url, _) = https_server().await;
    let trusting = Kibana::builder(&url)
        .api_key("a2V5")
        .root_certificate_pem(ca.as_bytes())
        .unwrap()
        .build()
        .expect("a client with its own CA builds");
    assert_eq!(output_health(&trusting).await.unwrap(), "HEALTHY");

    let bare = Kibana::builder(&url).api_key("a2V5").build();
    if std::env::var("NO_SYSTEM_CA").as_deref() == Ok("1") {
        let err = bare.expect_err("https without any CA certificate");
        assert!(
            matches!(&err, BuildError::NoCaCertificates { host } if host == "localhost"),
            "{err:?}"
        );
        assert!(err.to_string().contains("root_certificate_pem"), "{err}");
        println!("CERTIFICATES=none on the system");
    } else {
        assert!(bare.is_ok(), "{bare:?}");
        println!("CERTIFICATES=the system's");
    }
}

/// A proxy on loopback that answers every request with an output-health body, until `stop` is
/// set; it returns the request lines it was sent.
fn proxy(
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let Ok((mut tcp, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            };
            tcp.set_nonblocking(false).unwrap();
            let mut buf = vec![0u8; 8192];
            let n = tcp.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            requests.push(request.lines().next().unwrap_or_default().to_string());
            let _ = tcp.write_all(HEALTH_RESPONSE.as_bytes());
        }
        requests
    });
    (url, handle)
}

/// The proxy variables send a remote Kibana's requests through the proxy, and a loopback
/// Kibana's (plain http and https) straight to it.
#[test]
fn proxy_variables_skip_loopback() {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (url, proxy) = proxy(Arc::clone(&stop));
    let out = common::run_alone(
        "transport_as_the_environment_says",
        &[
            ("PROXIED_HOST", "kibana.example.invalid"),
            ("HTTP_PROXY", &url),
            ("http_proxy", &url),
            ("HTTPS_PROXY", &url),
            ("https_proxy", &url),
            ("ALL_PROXY", &url),
            ("all_proxy", &url),
        ],
        &["NO_PROXY", "no_proxy"],
    );
    stop.store(true, Ordering::SeqCst);
    let requests = proxy.join().unwrap();
    assert!(out.contains("PROXIED=yes"), "{out}");
    assert_eq!(
        requests,
        ["GET http://kibana.example.invalid/api/fleet/outputs/o1/health HTTP/1.1"],
        "only the remote Kibana's request goes through the proxy"
    );
}

#[test]
fn without_system_certificates() {
    let dir = std::env::temp_dir().join(format!("kibana-no-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let out = common::run_alone(
        "transport_as_the_environment_says",
        &[
            ("NO_SYSTEM_CA", "1"),
            ("SSL_CERT_FILE", empty.to_str().unwrap()),
            ("SSL_CERT_DIR", dir.to_str().unwrap()),
        ],
        &[],
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.contains("CERTIFICATES=none on the system"), "{out}");
}
