//! The hub: the `HotlineApi` over HTTP (axum), for clients that share one
//! store. Routes, the error body and statuses are `api::wire`'s.
//!
//! `/healthz` and `/metrics` need no token: `/metrics` tells request counts,
//! latencies and tickets per status, nothing about citizens, and a hub
//! meant for more than loopback sits behind TLS or a proxy that can close
//! it off.

mod auth;
mod error;
mod events;
mod extract;
pub mod hub_file;
mod listener;
mod metrics;
pub mod openapi;
mod routes;

pub use auth::SignInLimit;
pub use extract::{IMPORT_BODY_LIMIT, JSON_BODY_LIMIT};
pub use hub_file::{read_hub_file, HubFile};

use crate::api::local::open_store;
use crate::api::wire::API_PREFIX;
use crate::api::Backend;
use crate::store::IfMissing;
use anyhow::{bail, Context, Result};
use auth::{ClientAddr, SignInLimiter};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use listener::HubListener;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::oneshot;

/// What `hotline serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// A store that exists (a hub never makes one).
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub tls: Option<TlsFiles>,
    /// Allows plain HTTP on an address other than loopback.
    pub insecure: bool,
    pub sign_in_limit: SignInLimit,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8022";

impl ServeConfig {
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> ServeConfig {
        ServeConfig {
            data_dir: data_dir.into(),
            listen,
            tls: None,
            insecure: false,
            sign_in_limit: SignInLimit::default(),
        }
    }
}

/// What every request shares.
pub struct HubShared {
    pub backend: Arc<Backend>,
    limiter: SignInLimiter,
    metrics: metrics::Metrics,
    started: Instant,
}

/// The hub's routes over a backend.
pub fn router(backend: Arc<Backend>, sign_in_limit: SignInLimit) -> Router {
    let shared = Arc::new(HubShared {
        backend,
        limiter: SignInLimiter::new(sign_in_limit),
        metrics: metrics::Metrics::default(),
        started: Instant::now(),
    });
    let api = Router::new()
        .route("/me", get(routes::me))
        .route("/tickets", post(routes::create_ticket))
        .route("/tickets/list", post(routes::list_tickets))
        .route("/tickets/{id}", get(routes::ticket))
        .route("/tickets/{id}/changes", post(routes::apply_change))
        .route("/search", post(routes::search))
        .route("/dossiers/{code}", get(routes::dossier))
        .route("/callers", get(routes::callers))
        .route("/stats", get(routes::stats))
        .route("/users", get(routes::users))
        .route("/users/{name}", put(routes::put_user))
        .route(
            "/users/{name}/token",
            post(routes::issue_token).delete(routes::revoke_token),
        )
        .route(
            "/imports/dossiers",
            post(routes::import_dossiers).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .route("/status", get(routes::status))
        .route("/sla-policy", get(routes::sla_policy))
        .route("/notifications/dead", get(routes::dead_letters))
        .route(
            "/notifications/dead/{id}/retry",
            post(routes::retry_notification),
        )
        .route(
            "/notifications/dead/{id}/discard",
            post(routes::discard_notification),
        )
        .route("/events", get(events::events))
        .route("/openapi.json", get(openapi::serve));
    Router::new()
        .nest(API_PREFIX, api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::metrics))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            metrics::record,
        ))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(shared)
}

/// A hub listening; [`RunningHub::shutdown`] stops it.
pub struct RunningHub {
    pub addr: SocketAddr,
    /// What clients use, e.g. `http://127.0.0.1:8022` (no API prefix).
    pub url: String,
    backend: Arc<Backend>,
    /// Fires SLA alarms and raises escalations while the hub serves.
    scheduler: Option<crate::sched::Scheduler>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl RunningHub {
    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Stops accepting, lets requests in flight finish, makes the store
    /// durable and closes it, and removes the hub file.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.finished().await
    }

    /// Waits until the hub stops (after `shutdown` from elsewhere, or a failure).
    async fn finished(self) -> Result<()> {
        let RunningHub {
            backend,
            scheduler,
            task,
            ..
        } = self;
        // Stopping waits for the alarm being fired (a store write).
        let _ = tokio::task::spawn_blocking(move || drop(scheduler)).await;
        drop(backend);
        task.await.context("the hub's server task failed")?
    }
}

/// Whether plain HTTP may listen on `addr`.
fn plain_http_allowed(addr: &SocketAddr, insecure: bool) -> bool {
    insecure || addr.ip().is_loopback()
}

/// Opens the store, listens and serves in the background of the current runtime.
pub async fn spawn(config: ServeConfig) -> Result<RunningHub> {
    if config.tls.is_none() && !plain_http_allowed(&config.listen, config.insecure) {
        bail!(
            "refusing to serve plain HTTP on {}: sign-in tokens and citizens' data would cross the network unencrypted. \
             Use --tls-cert FILE --tls-key FILE, listen on a loopback address (127.0.0.1), or pass --insecure \
             if a TLS proxy in front of the hub encrypts the traffic",
            config.listen
        );
    }
    let tls = match &config.tls {
        Some(files) => Some(listener::tls_config(&files.cert, &files.key)?),
        None => None,
    };
    let dir = config.data_dir.clone();
    let contacts = crate::notify::load_contacts()?;
    if let Some(warning) =
        crate::notify::contacts::permission_warning(&crate::paths::contacts_file())
    {
        eprintln!("hotline: {}", crate::text::escape_controls(&warning));
        tracing::warn!("{warning}");
    }
    let backend = tokio::task::spawn_blocking(move || -> Result<Arc<Backend>> {
        let policy = crate::sla_files::load()?;
        let store = open_store(&dir, false, IfMissing::Fail)?;
        let demo = store.is_demo()?;
        let backend = Backend::new_under(policy, store, crate::domain::system_clock(), demo);
        // Demo tickets never reach a real ward team.
        if !demo {
            backend.notify.configure(&backend.store, contacts);
        }
        backend
            .start_notifier()
            .context("could not start sending notifications")?;
        Ok(backend)
    })
    .await
    .context("opening the store failed")??;
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("could not listen on {}", config.listen))?;
    let addr = tcp.local_addr()?;
    let (scheme, listener) = match tls {
        Some(tls) => ("https", HubListener::tls(tcp, tls)?),
        None => ("http", HubListener::Plain(tcp)),
    };
    let url = format!("{scheme}://{}", connectable(addr));
    let hub_file = HubFile {
        url: url.clone(),
        pid: std::process::id(),
        started_at: crate::domain::Ts::now().0,
    };
    hub_file::write_hub_file(&config.data_dir, &hub_file).with_context(|| {
        format!(
            "could not write {}",
            hub_file::hub_file_path(&config.data_dir).display()
        )
    })?;
    let app = router(backend.clone(), config.sign_in_limit)
        .into_make_service_with_connect_info::<ClientAddr>();
    let (stop, stopped) = oneshot::channel::<()>();
    let data_dir = config.data_dir.clone();
    let store = backend.store.clone();
    let live = backend.clone();
    let sender = backend.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
                // Open event streams end, or the shutdown would wait for them.
                live.live.close();
            })
            .await;
        hub_file::remove_hub_file(&data_dir);
        // The sender lets go of the store before the hub says it stopped.
        let _ = tokio::task::spawn_blocking(move || sender.notify.stop()).await;
        let flushed = tokio::task::spawn_blocking(move || store.flush()).await;
        served.context("the hub stopped serving")?;
        flushed
            .context("flushing the store failed")?
            .context("flushing the store failed")?;
        Ok(())
    });
    let scheduler = crate::sched::spawn(&backend);
    Ok(RunningHub {
        addr,
        url,
        backend,
        scheduler,
        stop: Some(stop),
        task,
    })
}

/// The address a client on this machine dials for a hub bound to `addr`.
fn connectable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::from(([127, 0, 0, 1], a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, a.port()))
        }
        other => other,
    }
}

/// `hotline serve`: serves until SIGTERM or ctrl-c, then shuts down gracefully.
pub fn serve(config: ServeConfig) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let dir = config.data_dir.clone();
        // Listened for before the hub says it serves: a SIGHUP then is a reload, never the end.
        #[cfg(unix)]
        let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        let hub = spawn(config).await?;
        #[cfg(unix)]
        let reloader = tokio::spawn(reload_contacts_on_hangup(hangup, hub.backend.clone()));
        let stop = StopSignals::install()?;
        println!(
            "hotline hub serving {} at {}",
            crate::text::escape_controls(&dir.display().to_string()),
            hub.url
        );
        tracing::info!("hub serving {} at {}", dir.display(), hub.url);
        stop.wait().await;
        #[cfg(unix)]
        reloader.abort();
        tracing::info!("hub stopping");
        hub.shutdown().await
    })
}

/// Reads `contacts.toml` again on every SIGHUP. A file with problems keeps
/// the contacts in force, and its file:line problems go to the log.
#[cfg(unix)]
async fn reload_contacts_on_hangup(mut hangup: tokio::signal::unix::Signal, backend: Arc<Backend>) {
    while hangup.recv().await.is_some() {
        let backend = backend.clone();
        let done = tokio::task::spawn_blocking(move || {
            let path = crate::paths::contacts_file();
            if backend.demo {
                tracing::info!(
                    "SIGHUP: a demo store sends no notifications; {} not read",
                    path.display()
                );
                return;
            }
            match crate::notify::load_contacts() {
                Ok(contacts) => {
                    let endpoints = contacts.endpoints.len();
                    match backend.notify.reload(&backend.store, contacts) {
                        Ok(()) => tracing::info!(
                            "SIGHUP: {} reloaded ({endpoints} endpoint(s))",
                            path.display()
                        ),
                        Err(e) => tracing::error!(
                            "SIGHUP: {} reloaded, but the sender did not restart: {e}",
                            path.display()
                        ),
                    }
                    if let Some(warning) = crate::notify::contacts::permission_warning(&path) {
                        tracing::warn!("{warning}");
                    }
                }
                Err(problems) => tracing::error!(
                    "SIGHUP: {} not reloaded, the contacts in force stay:\n{problems}",
                    path.display()
                ),
            }
        })
        .await;
        if let Err(e) = done {
            tracing::error!("SIGHUP: reloading the contacts failed: {e}");
        }
    }
}

/// SIGTERM and SIGINT (ctrl-c), listened for from the moment this is made:
/// a signal sent as soon as the hub says it is serving is not missed.
struct StopSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                term: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
