//! What several test files share.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

/// The sled database in `dir`, opened with sled alone (for checks that must
/// not go through the store's own code). A store closed a moment ago stays
/// locked until sled's background threads let go of its file, so a held lock
/// is waited out for a while.
pub fn raw_sled(dir: &Path) -> sled::Db {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            // sled 0.34 wraps the OS's WouldBlock in "could not acquire lock …".
            Err(sled::Error::Io(e))
                if (e.kind() == std::io::ErrorKind::WouldBlock
                    || e.to_string().starts_with("could not acquire lock"))
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("raw sled open of {}: {e}", dir.display()),
        }
    }
}
