//! Issue 12, built-in HTTPS: a certificate from the configured PEM files
//! is served, and a renewed one is served after a reload, without a restart.

use std::net::SocketAddr;
use std::path::Path;

use ringbridge_web::server::serve_tls;
use ringbridge_web::tls::{Certificates, TlsFiles};

use super::{open_app, short_limits};

/// A new self-signed certificate for `localhost`, written to `dir`; its PEM.
fn self_signed(dir: &Path) -> String {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = made.cert.pem();
    std::fs::write(dir.join("cert.pem"), &pem).unwrap();
    std::fs::write(dir.join("key.pem"), made.signing_key.serialize_pem()).unwrap();
    pem
}

fn trusting(pem: &str, addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .resolve("localhost", addr)
        .build()
        .unwrap()
}

#[tokio::test]
async fn https_serves_the_configured_certificate_and_a_renewed_one_after_reload() {
    let dir = tempfile::tempdir().unwrap();
    let first = self_signed(dir.path());
    let certs = Certificates::load(&TlsFiles {
        tls_cert_file: Some(dir.path().join("cert.pem")),
        tls_key_file: Some(dir.path().join("key.pem")),
    })
    .unwrap()
    .expect("TLS is configured");
    let (app, _db) = open_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = certs.server_config().unwrap();
    tokio::spawn(async move {
        serve_tls(
            listener,
            app,
            &short_limits(),
            Some(config),
            std::future::pending(),
        )
        .await
    });
    let url = format!("https://localhost:{}/healthz", addr.port());
    let answer = trusting(&first, addr).get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "ok");
    // Plain HTTP is not served on the HTTPS port.
    let plain = reqwest::get(format!("http://{addr}/healthz")).await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);

    // The certificate is renewed on disk and reloaded.
    let renewed = self_signed(dir.path());
    certs.reload().unwrap();
    let answer = trusting(&renewed, addr).get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(trusting(&first, addr).get(&url).send().await.is_err());
}

#[test]
fn half_a_tls_configuration_is_refused_and_none_is_plain_http() {
    let half = TlsFiles {
        tls_cert_file: Some("cert.pem".into()),
        tls_key_file: None,
    };
    assert!(Certificates::load(&half).is_err());
    assert!(Certificates::load(&TlsFiles::default()).unwrap().is_none());
}
