//! The outbox: tickets and comments written while the hub could not be
//! reached, kept in a small sled store of their own (0700) until they are
//! sent, in the order they were made. The store is opened only for each
//! operation, so that the TUI and the CLI of one user can share it.

use crate::domain::{NewTicket, TicketId, User};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// A write waiting for the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "kebab-case")]
pub enum PendingWrite {
    /// Sent with its idempotency key: a repeat cannot make a second ticket.
    CreateTicket { request_id: Uuid, new: NewTicket },
    /// A comment on a ticket, based on the version the user saw.
    Comment {
        ticket: TicketId,
        based_on: u64,
        text: String,
    },
}

#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// How long to wait for another hotline process of this user to close the outbox.
const LOCK_WAIT: Duration = Duration::from_secs(5);

impl Outbox {
    pub fn at(dir: impl Into<PathBuf>) -> Outbox {
        Outbox { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn writes_dir(&self) -> PathBuf {
        self.dir.join("writes")
    }

    /// Runs `f` on the outbox's database and returns once what it wrote is
    /// on stable storage (the same fsync as the store's: a write shown as
    /// "pending" must survive a power cut as much as one the hub took).
    fn with_db<T>(&self, f: impl FnOnce(&sled::Db) -> sled::Result<T>) -> std::io::Result<T> {
        let dir = self.writes_dir();
        crate::private_files::create_dir_all(&dir)?;
        let creating = !crate::store::Store::exists(&dir);
        let outbox_error = |e: sled::Error| std::io::Error::other(format!("outbox: {e}"));
        let db = crate::store::open_sled_waiting(&dir, 1 << 20, LOCK_WAIT).map_err(outbox_error)?;
        let out = f(&db).map_err(outbox_error)?;
        crate::store::commit::GroupCommit::new(db, &dir).make_durable()?;
        if creating {
            // sled makes its files with the umask's permissions; they hold
            // callers' names and phone numbers, as the store's do.
            crate::private_files::tighten(&dir)?;
        }
        Ok(out)
    }

    /// Adds a write at the end; returns how many are waiting now.
    pub fn push(&self, write: &PendingWrite) -> std::io::Result<usize> {
        let value = serde_json::to_vec(write).map_err(std::io::Error::other)?;
        self.with_db(|db| {
            // sled's ids only grow, across restarts too: the key order is the order made.
            let key = db.generate_id()?.to_be_bytes();
            db.insert(key, value)?;
            Ok(db.len())
        })
    }

    /// The writes waiting, oldest first, with their keys.
    pub fn pending(&self) -> std::io::Result<Vec<(u64, PendingWrite)>> {
        let raw = self.with_db(|db| db.iter().collect::<sled::Result<Vec<_>>>())?;
        Ok(raw
            .into_iter()
            .filter_map(|(k, v)| {
                let key = u64::from_be_bytes(k.as_ref().try_into().ok()?);
                match serde_json::from_slice(&v) {
                    Ok(w) => Some((key, w)),
                    Err(e) => {
                        tracing::warn!("outbox: an unreadable entry is left alone: {e}");
                        None
                    }
                }
            })
            .collect())
    }

    /// Removes a write that was sent (or refused for good, then kept aside
    /// under `refused` so that nothing typed is silently lost).
    pub fn done(&self, key: u64, refused: Option<&str>) -> std::io::Result<()> {
        self.with_db(|db| {
            if let Some(v) = db.remove(key.to_be_bytes())? {
                if let Some(why) = refused {
                    let refused_tree = db.open_tree("refused")?;
                    let mut entry = serde_json::json!({ "why": why });
                    if let Ok(w) = serde_json::from_slice::<serde_json::Value>(&v) {
                        entry["write"] = w;
                    }
                    refused_tree.insert(key.to_be_bytes(), entry.to_string().into_bytes())?;
                }
            }
            Ok(())
        })
    }

    /// How many writes are waiting (0 when the outbox does not exist yet).
    pub fn len(&self) -> std::io::Result<usize> {
        if !self.writes_dir().exists() {
            return Ok(0);
        }
        self.with_db(|db| Ok(db.len()))
    }

    pub fn is_empty(&self) -> std::io::Result<bool> {
        self.len().map(|n| n == 0)
    }

    /// Notes who this token signed in as, to work offline as them later.
    pub fn remember_user(&self, user: &User) -> std::io::Result<()> {
        crate::private_files::create_dir_all(&self.dir)?;
        let bytes = serde_json::to_vec(user).map_err(std::io::Error::other)?;
        let path = self.dir.join("signed-in.json");
        if std::fs::read(&path).ok().as_deref() == Some(&bytes[..]) {
            return Ok(());
        }
        crate::private_files::write_atomically(&path, &bytes)
    }

    /// Who this token signed in as last time, if known.
    pub fn remembered_user(&self) -> Option<User> {
        let bytes = std::fs::read(self.dir.join("signed-in.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}
