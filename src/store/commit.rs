//! Group commit: a write is acknowledged only once it reached stable storage.
//!
//! sled 0.34's `flush()` ends in `sync_file_range`, which pushes dirty pages
//! to the device but neither flushes the device's write cache nor the file's
//! metadata, so a power cut can still lose a "flushed" write. After sled's
//! flush we `fsync` the files sled writes ourselves. An fsync costs
//! milliseconds, so writers that wait at the same moment share one: the
//! first becomes the leader, syncs everything written so far and wakes the
//! others, whose writes that sync covered.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

pub struct GroupCommit {
    db: sled::Db,
    dir: PathBuf,
    state: Mutex<State>,
    done: Condvar,
    syncs: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Writes registered so far; a write's number is its turn.
    registered: u64,
    /// Every write numbered up to this one is on stable storage.
    durable: u64,
    /// A leader is syncing now.
    syncing: bool,
    /// Blob files already synced (sled writes values over 128 KiB apart).
    synced_blobs: HashSet<PathBuf>,
}

impl GroupCommit {
    pub fn new(db: sled::Db, dir: &Path) -> GroupCommit {
        GroupCommit {
            db,
            dir: dir.to_path_buf(),
            state: Mutex::new(State::default()),
            done: Condvar::new(),
            syncs: AtomicU64::new(0),
        }
    }

    /// Returns once every write that finished before this call is on stable
    /// storage: the caller's own sync, or one a concurrent caller started
    /// after the caller's write.
    pub fn make_durable(&self) -> std::io::Result<()> {
        let mut state = self.lock();
        state.registered += 1;
        let mine = state.registered;
        loop {
            if state.durable >= mine {
                return Ok(());
            }
            if !state.syncing {
                state.syncing = true;
                let covers = state.registered;
                let mut known_blobs = std::mem::take(&mut state.synced_blobs);
                drop(state);
                let result = self.sync(&mut known_blobs);
                state = self.lock();
                state.synced_blobs = known_blobs;
                state.syncing = false;
                if result.is_ok() {
                    state.durable = state.durable.max(covers);
                }
                self.done.notify_all();
                // A failed sync leaves the others to try again themselves.
                return result;
            }
            state = self
                .done
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner());
        }
    }

    /// How many syncs ran since the store opened (the benchmark and tests
    /// compare it with the number of writes).
    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sync(&self, known_blobs: &mut HashSet<PathBuf>) -> std::io::Result<()> {
        self.db.flush().map_err(sled_io)?;
        File::open(self.dir.join("db"))?.sync_all()?;
        self.sync_new_blobs(known_blobs)?;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// sled writes large values to files of their own without syncing them;
    /// sync any that appeared since the last sync, and their directory.
    fn sync_new_blobs(&self, known: &mut HashSet<PathBuf>) -> std::io::Result<()> {
        let blobs = self.dir.join("blobs");
        let Ok(entries) = std::fs::read_dir(&blobs) else {
            return Ok(());
        };
        let mut fresh = false;
        let mut present = HashSet::new();
        for entry in entries {
            let path = entry?.path();
            if !known.contains(&path) {
                match File::open(&path) {
                    Ok(f) => f.sync_all()?,
                    // Collected by sled between the listing and the open.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                fresh = true;
            }
            present.insert(path);
        }
        if fresh {
            File::open(&blobs)?.sync_all()?;
        }
        // Forget blobs sled has collected.
        *known = present;
        Ok(())
    }
}

fn sled_io(e: sled::Error) -> std::io::Error {
    match e {
        sled::Error::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    }
}
