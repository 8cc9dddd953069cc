//! A PBX with a self-signed certificate (common on-prem): refused by
//! default, accepted when the client is told to, for REST and for the
//! `wss://` event socket. The simulator speaks plain HTTP, so a small
//! TLS-terminating proxy puts it behind `https://`.
//!
//! The certificate and key in `fixtures/` are throwaway test material.

use std::net::SocketAddr;
use std::sync::Arc;

use ringbridge_core::pbx::{EventSourceItem, PbxEvent, PbxEventSource};
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_yeastar::{YeastarClient, YeastarError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::support::{config_for, expect_connected, fast_stream, next, sim};

const CERT: &[u8] = include_bytes!("fixtures/self-signed.cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/self-signed.key.pem");

async fn tls_proxy(backend: SocketAddr) -> SocketAddr {
    let certs = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .expect("certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    addr
}

fn https_client(sim: &SimYeastar, proxy: SocketAddr, accept_invalid: bool) -> YeastarClient {
    let mut cfg = config_for(
        &format!("https://{proxy}"),
        sim.client_id(),
        sim.client_secret(),
    );
    cfg.accept_invalid_certs = accept_invalid;
    YeastarClient::new(cfg).expect("client")
}

#[tokio::test]
async fn a_self_signed_pbx_is_refused_by_default() {
    let sim = sim().await;
    let proxy = tls_proxy(sim.addr()).await;
    let client = https_client(&sim, proxy, false);
    let err = client
        .extension_list()
        .await
        .expect_err("untrusted certificate");
    assert!(matches!(err, YeastarError::Transport(_)), "{err}");
    assert_eq!(
        sim.request_count("v1.0/get_token"),
        0,
        "nothing reached the PBX"
    );
}

#[tokio::test]
async fn a_self_signed_pbx_works_when_accepted() {
    let sim = sim().await;
    let proxy = tls_proxy(sim.addr()).await;
    let client = https_client(&sim, proxy, true);
    assert!(
        !client
            .extension_list()
            .await
            .expect("REST over TLS")
            .is_empty()
    );

    let mut items = client.event_source(fast_stream()).events();
    expect_connected(&mut items).await;
    sim.play_builtin("internal").await.expect("scenario");
    loop {
        match next(&mut items).await {
            EventSourceItem::Event(PbxEvent::CallEnded(_)) => break,
            EventSourceItem::Event(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}
