//! `DIR/hub.json`: where the hub that holds a data directory listens, so a
//! command started on that directory is pointed to it instead of failing on
//! sled's lock.

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The hub writes it; only `url` is needed here, the rest is for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubFile {
    /// Base URL without the API prefix, e.g. `http://127.0.0.1:8022`.
    pub url: String,
    #[serde(default)]
    pub pid: u32,
    #[serde(default)]
    pub started_at: serde_json::Value,
}

impl HubFile {
    /// The hub file of `data_dir`; `None` when there is none.
    pub fn read(data_dir: &Path) -> Result<Option<HubFile>> {
        let path = crate::paths::hub_file(data_dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow!("{}: {e}", path.display())),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| anyhow!("{}: not a hub file ({e})", path.display()))
    }
}
