//! The hub's listener: plain TCP, or TLS (rustls) with handshakes done off
//! the accept loop so one slow client cannot hold up the others.

use super::auth::ClientAddr;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// A TLS handshake that takes longer than this is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub trait Connection: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Connection for T {}

pub enum HubListener {
    Plain(TcpListener),
    Tls {
        local: SocketAddr,
        handshaken: mpsc::Receiver<(Box<dyn Connection>, SocketAddr)>,
        /// Ends the handshake task when the listener is dropped.
        _accepting: AbortOnDrop,
    },
}

pub struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl HubListener {
    pub fn tls(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<HubListener> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((Box::new(tls) as Box<dyn Connection>, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(HubListener::Tls {
            local,
            handshaken: rx,
            _accepting: AbortOnDrop(task),
        })
    }
}

impl Listener for HubListener {
    type Io = Box<dyn Connection>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        match self {
            HubListener::Plain(tcp) => {
                // axum's accept retries on errors.
                let (stream, peer) = Listener::accept(tcp).await;
                let _ = stream.set_nodelay(true);
                (Box::new(stream), peer)
            }
            HubListener::Tls { handshaken, .. } => match handshaken.recv().await {
                Some(conn) => conn,
                // The accepting task ended (it never does on its own): wait for shutdown.
                None => std::future::pending().await,
            },
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match self {
            HubListener::Plain(tcp) => tcp.local_addr(),
            HubListener::Tls { local, .. } => Ok(*local),
        }
    }
}

impl Connected<IncomingStream<'_, HubListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, HubListener>) -> ClientAddr {
        ClientAddr(*stream.remote_addr())
    }
}

/// The rustls server configuration from PEM files, with errors naming the file.
pub fn tls_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    use anyhow::Context;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("could not read the TLS certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("could not read a PEM private key from {}", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match or are not supported")?;
    Ok(Arc::new(config))
}
