//! Built-in HTTPS, for a small site without a reverse proxy: rustls with
//! the certificate chain and private key read from PEM files, read again
//! when the files change (checked every few seconds) or on SIGHUP, so a
//! renewed certificate (certbot, acme.sh) is served without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use serde::Deserialize;

/// `[http]` keys: both set turns HTTPS on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TlsFiles {
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("{0} holds no certificate")]
    NoCertificate(PathBuf),
    #[error("the TLS key or certificate is unusable: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("only one of http.tls_cert_file and http.tls_key_file is set")]
    Half,
}

/// The certificate being served, replaced in place on reload.
#[derive(Debug)]
pub struct Certificates {
    cert_file: PathBuf,
    key_file: PathBuf,
    current: RwLock<(Arc<CertifiedKey>, Option<SystemTime>)>,
}

impl Certificates {
    /// `None` when TLS is not configured.
    pub fn load(files: &TlsFiles) -> Result<Option<Arc<Self>>, TlsError> {
        let (cert_file, key_file) = match (&files.tls_cert_file, &files.tls_key_file) {
            (Some(c), Some(k)) => (c.clone(), k.clone()),
            (None, None) => return Ok(None),
            _ => return Err(TlsError::Half),
        };
        let key = read(&cert_file, &key_file)?;
        let stamp = stamp(&cert_file, &key_file);
        Ok(Some(Arc::new(Self {
            cert_file,
            key_file,
            current: RwLock::new((key, stamp)),
        })))
    }

    /// Reads the files again; on failure the served certificate stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let key = read(&self.cert_file, &self.key_file)?;
        let stamp = stamp(&self.cert_file, &self.key_file);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = (key, stamp);
        tracing::info!(cert = %self.cert_file.display(), "TLS certificate loaded");
        Ok(())
    }

    fn changed(&self) -> bool {
        let seen = self.current.read().unwrap_or_else(|e| e.into_inner()).1;
        stamp(&self.cert_file, &self.key_file) != seen
    }

    /// The rustls configuration serving these certificates (HTTP/1.1).
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// Reloads on SIGHUP and whenever the files change, every `every`.
    pub fn watch(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            #[cfg(unix)]
            let mut hup =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            loop {
                #[cfg(unix)]
                let signalled = async {
                    match hup.as_mut() {
                        Some(hup) => hup.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let signalled = std::future::pending::<Option<()>>();
                let forced = tokio::select! {
                    _ = signalled => true,
                    () = tokio::time::sleep(every) => false,
                };
                if (forced || this.changed())
                    && let Err(err) = this.reload()
                {
                    tracing::error!(error = %err, "the TLS certificate could not be reloaded; serving the previous one");
                }
            }
        })
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .0
                .clone(),
        )
    }
}

fn stamp(cert: &Path, key: &Path) -> Option<SystemTime> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    modified(cert).max(modified(key))
}

fn read(cert_file: &Path, key_file: &Path) -> Result<Arc<CertifiedKey>, TlsError> {
    let certs = CertificateDer::pem_file_iter(cert_file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsError::Read {
            path: cert_file.to_owned(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(cert_file.to_owned()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|source| TlsError::Read {
        path: key_file.to_owned(),
        source,
    })?;
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    Ok(Arc::new(CertifiedKey::from_der(certs, key, &provider)?))
}
