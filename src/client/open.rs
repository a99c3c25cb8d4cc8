//! Where a command's API lives: the hub named by `--server` (or the config),
//! the local store, or — when a hub holds that store — the hub, through the
//! address it left in `hub.json`.

use super::credentials::token_for;
use super::{Outbox, OutboxApi};
use crate::api::{ApiError, ApiResult, HotlineApi, LocalApi, RemoteApi};
use crate::domain::{Clock, User};
use crate::store::{IfMissing, StoreError};
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// What a command was started on.
pub struct Target<'a> {
    pub dir: &'a Path,
    pub demo: bool,
    /// Who acts on a local store (`--user`, else the config's).
    pub user: Option<&'a str>,
    /// `--user` or `HOTLINE_USER` as given: through a hub, the token decides.
    pub explicit_user: Option<&'a str>,
    /// `--server`, `HOTLINE_SERVER` or `server` in the config.
    pub server: Option<&'a str>,
    pub credentials_file: &'a Path,
    pub clock: Clock,
}

/// How a command signs in to a hub: on its own runtime (the CLI) or on a
/// throwaway one (the TUI's opener thread).
pub type Connect<'a> = &'a dyn Fn(&str, &str) -> ApiResult<RemoteApi>;

pub enum Opened {
    Local(LocalApi),
    /// A hub, with the outbox that keeps writes while it cannot be reached.
    Remote(Box<OutboxApi>),
}

impl Opened {
    pub fn api(&self) -> &dyn HotlineApi {
        match self {
            Opened::Local(api) => api,
            Opened::Remote(api) => api.as_ref(),
        }
    }

    pub fn user(&self) -> &User {
        match self {
            Opened::Local(api) => api.user(),
            Opened::Remote(api) => api.user(),
        }
    }

    pub fn into_shared(self) -> Arc<dyn HotlineApi> {
        match self {
            Opened::Local(api) => Arc::new(api),
            Opened::Remote(api) => Arc::new(*api),
        }
    }
}

/// Opens the API a command works through. `announce` lets notes go to
/// stderr (not while the TUI owns the terminal).
pub fn open_api(
    target: &Target,
    if_missing: IfMissing,
    announce: bool,
    connect: Connect,
) -> Result<Opened> {
    if let Some(url) = target.server {
        if target.demo {
            bail!("--demo works on the local demo store; it cannot be used with a hub ({url})");
        }
        let token = token_for(url, target.credentials_file)?.ok_or_else(|| not_signed_in(url))?;
        return sign_in_or_offline(url, &token, target.explicit_user, connect);
    }
    let local = LocalApi::open_noting(
        target.dir,
        target.user,
        target.clock.clone(),
        target.demo,
        if_missing,
        announce,
    );
    let error = match local {
        Ok(api) => return Ok(Opened::Local(api)),
        Err(e) => e,
    };
    if !matches!(
        error.downcast_ref::<StoreError>(),
        Some(StoreError::Held(_))
    ) {
        return Err(error);
    }
    let Some(hub) = crate::server::read_hub_file(target.dir) else {
        return Err(error);
    };
    let Some(token) = token_for(&hub.url, target.credentials_file)? else {
        bail!(
            "this store is served by the hub at {url}; use --server {url} (and `hotline login {url}`)",
            url = hub.url
        );
    };
    let opened = sign_in_or_offline(&hub.url, &token, target.explicit_user, connect)?;
    if announce {
        let _ = writeln!(
            std::io::stderr(),
            "hotline: the store at {} is served by the hub at {}; working through it as {}",
            crate::text::escape_controls(&target.dir.display().to_string()),
            crate::text::escape_controls(&hub.url),
            opened.user().name
        );
    }
    Ok(opened)
}

/// This client's outbox for writes to the hub at `url` with `token` (one
/// per hub and sign-in, so that a write never goes elsewhere or as another user).
fn outbox_for(url: &str, token: &str) -> Outbox {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{url}\n{}", token.trim()).as_bytes());
    let key: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    Outbox::at(crate::paths::outbox_dir().join(key))
}

/// The hub's API with the outbox that keeps writes while it cannot be reached.
fn buffered(api: RemoteApi, outbox: Outbox) -> Result<Opened> {
    let api = OutboxApi::new(api, outbox)
        .map_err(|e| anyhow!("could not open the outbox for writes made offline: {e}"))?;
    Ok(Opened::Remote(Box::new(api)))
}

/// Signs in; a hub that cannot be reached is worked with offline as the
/// user this token signed in as last time (writes wait in the outbox).
fn sign_in_or_offline(
    url: &str,
    token: &str,
    user: Option<&str>,
    connect: Connect,
) -> Result<Opened> {
    let outbox = outbox_for(url, token);
    match sign_in(url, token, user, connect) {
        Ok(api) => {
            if let Err(e) = outbox.remember_user(api.user()) {
                tracing::warn!("could not note who signed in for offline use: {e}");
            }
            buffered(api, outbox)
        }
        Err(e) => {
            let unreachable = matches!(
                e.downcast_ref::<ApiError>(),
                Some(ApiError::Unavailable { .. })
            );
            match outbox.remembered_user().filter(|_| unreachable) {
                Some(known) => {
                    tracing::info!("the hub at {url} cannot be reached: working offline");
                    buffered(RemoteApi::offline(url, token, known)?, outbox)
                }
                None => Err(e),
            }
        }
    }
}

/// The error for a hub with no token to present.
pub fn not_signed_in(url: &str) -> anyhow::Error {
    anyhow!("not signed in to {url}: run `hotline login {url}`")
}

/// Signs in; a refused token says how to get a good one, and `--user` must
/// agree with the token's user (a hub acts as whoever the token is for).
fn sign_in(url: &str, token: &str, user: Option<&str>, connect: Connect) -> Result<RemoteApi> {
    let api = connect(url, token).map_err(|e| match e {
        ApiError::Unauthorized { message } => anyhow!(
            "the hub at {url} refused the token ({message}): run `hotline login {url}` \
             with a current token (or check HOTLINE_TOKEN)"
        ),
        other => other.into(),
    })?;
    if let Some(name) = user.filter(|n| *n != api.user().name) {
        bail!(
            "--user {} does not apply through the hub at {url}: the token signs in {}",
            crate::text::escape_controls(name),
            api.user().name
        );
    }
    Ok(api)
}
