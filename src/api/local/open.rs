//! Opening a store for a command or the TUI: which directory, demo
//! generation on first use, and which user acts.

use crate::api::{Backend, LocalApi};
use crate::demo::{populate_demo, DemoConfig};
use crate::domain::{Clock, Role, User};
use crate::store::{IfMissing, Store, StoreError, DEFAULT_CACHE_BYTES};
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::path::Path;

/// The demo store's default user (an operator).
pub const DEMO_DEFAULT_USER: &str = "lan.nt";

/// Opens the store; a demo store that has no users yet is generated first
/// (said on stderr). With `demo`, a missing store is always made, and a
/// store that is not a demo store is refused.
pub fn open_store(dir: &Path, demo: bool, if_missing: IfMissing) -> Result<Store> {
    open_store_noting(dir, demo, if_missing, true)
}

/// As [`open_store`]; `announce: false` keeps stderr quiet (the TUI owns the
/// terminal then, and says it on screen).
pub fn open_store_noting(
    dir: &Path,
    demo: bool,
    if_missing: IfMissing,
    announce: bool,
) -> Result<Store> {
    let if_missing = if demo { IfMissing::Create } else { if_missing };
    let store = Store::open_with(dir, if_missing, DEFAULT_CACHE_BYTES)?;
    if let (Some(up), true) = (store.upgrade(), announce) {
        let note = format!(
            "upgraded the store at {} from schema {} to {}; a backup of it as it was is at {}",
            dir.display(),
            up.from,
            up.to,
            up.backup.display()
        );
        let _ = writeln!(
            std::io::stderr(),
            "hotline: {}",
            crate::text::escape_controls(&note)
        );
    }
    if demo && !store.is_demo()? && !store.is_empty() {
        return Err(StoreError::NotDemo(dir.to_path_buf()).into());
    }
    if demo && !store.has_users() {
        if announce {
            // Only a note: a closed or full stderr must not stop the work.
            let _ = writeln!(
                std::io::stderr(),
                "hotline: generating the demo store in {} …",
                crate::text::escape_controls(&dir.display().to_string())
            );
        }
        tracing::info!("generating the demo store in {}", dir.display());
        populate_demo(
            &store,
            &DemoConfig {
                now: crate::domain::Ts::now(),
                ..DemoConfig::default()
            },
        )?;
    }
    Ok(store)
}

/// The acting user: `requested`, else the config's, else (demo only) the demo operator.
/// A store with no users at all gets a stand-in admin, who can see no tickets
/// (the TUI shows the welcome screen).
pub fn resolve_user(store: &Store, requested: Option<&str>, demo: bool) -> Result<User> {
    let name = requested.or(if demo { Some(DEMO_DEFAULT_USER) } else { None });
    if !store.has_users() {
        return Ok(User {
            name: name.unwrap_or("setup").to_string(),
            display_name: "—".into(),
            role: Role::Admin,
            wards: vec![],
        });
    }
    let Some(name) = name else {
        let names: Vec<String> = store.users()?.into_iter().map(|u| u.name).collect();
        bail!(
            "no user: pass --user NAME or set `user` in the config (users: {})",
            names.join(", ")
        );
    };
    store.user(name)?.ok_or_else(|| {
        anyhow!(
            "unknown user '{}': see `hotline user list`",
            name.escape_default()
        )
    })
}

impl LocalApi {
    /// Opens `data_dir` (generating the demo store first when `demo` and empty)
    /// as `user` (see [`resolve_user`]).
    pub fn open(
        data_dir: &Path,
        user: Option<&str>,
        clock: Clock,
        demo: bool,
        if_missing: IfMissing,
    ) -> Result<LocalApi> {
        Self::open_noting(data_dir, user, clock, demo, if_missing, true)
    }

    /// As [`LocalApi::open`]; see [`open_store_noting`].
    pub fn open_noting(
        data_dir: &Path,
        user: Option<&str>,
        clock: Clock,
        demo: bool,
        if_missing: IfMissing,
        announce: bool,
    ) -> Result<LocalApi> {
        // A bad policy file is refused before the store is touched.
        let policy = crate::sla_files::load()?;
        let store = open_store_noting(data_dir, demo, if_missing, announce)?;
        let user = resolve_user(&store, user, demo)?;
        let contacts = crate::notify::load_contacts()?;
        // The index is built when a search first asks (the TUI asks at once).
        let backend = Backend::lazy_under(policy, store, clock, demo);
        // Demo tickets never reach a real ward team.
        if !demo {
            backend.notify.configure(&backend.store, contacts);
        }
        Ok(LocalApi::new(backend, user))
    }
}
