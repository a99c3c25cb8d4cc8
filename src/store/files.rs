//! The store directory's own files, handled before and after sled sees them.

use std::io;
use std::path::Path;

/// Removes `snap.*.generating` files. sled writes its snapshot under that
/// name and renames it when done; a process killed midway (or a full disk)
/// leaves the file behind, and sled 0.34 then reads it as the newest
/// snapshot and refuses the whole store as corrupt, though every write is
/// intact in its log. The previous snapshot and the log rebuild the state.
pub fn remove_unfinished_snapshots(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path())?;
            tracing::warn!(
                "removed an unfinished sled snapshot {} (left by a process stopped while opening the store)",
                entry.path().display()
            );
            removed += 1;
        }
    }
    Ok(removed)
}

/// Makes the directory's entries (a newly created file) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}
