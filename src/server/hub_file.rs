//! `DIR/hub.json`: where the hub holding the store in DIR answers, so a
//! client started on that directory talks to the hub instead of failing on
//! sled's lock. Written (0600) when the hub listens, removed when it stops.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const HUB_FILE: &str = "hub.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubFile {
    /// Base URL without the API prefix, e.g. `http://127.0.0.1:8022`.
    pub url: String,
    pub pid: u32,
    /// Unix seconds.
    pub started_at: i64,
}

pub fn hub_file_path(dir: &Path) -> PathBuf {
    dir.join(HUB_FILE)
}

/// The hub serving `dir`, if its file is there and readable. The hub may
/// have died without removing it: a client treats a refused connection as
/// "no hub".
pub fn read_hub_file(dir: &Path) -> Option<HubFile> {
    let bytes = std::fs::read(hub_file_path(dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub fn write_hub_file(dir: &Path, hub: &HubFile) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(hub).map_err(std::io::Error::other)?;
    crate::private_files::write_atomically(&hub_file_path(dir), &json)
}

/// Removes the file if it is still this process's (a newer hub may have
/// replaced it).
pub fn remove_hub_file(dir: &Path) {
    if read_hub_file(dir).is_some_and(|h| h.pid == std::process::id()) {
        let _ = std::fs::remove_file(hub_file_path(dir));
    }
}
