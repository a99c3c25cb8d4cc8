//! Files only their owner may read: the store, the log and the config hold
//! citizens' names, phone numbers and CCCD numbers, so what hotline creates
//! is 0700 (directories) and 0600 (files) whatever the umask.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` and any missing parents, each 0700.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// Opens `path` for appending, creating it 0600 (and its directory 0700).
pub fn open_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)
}

/// Creates (or truncates) `path` for writing, 0600. The mode given at
/// creation does not apply to a file already there (a temporary file left
/// by an older hotline or made by hand), so that one is narrowed too.
pub fn create(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Writes `bytes` to `path` through a 0600 temporary file, synced and then
/// renamed, so a crash leaves the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Narrows every file directly in `dir` to 0600 and every directory to 0700
/// (sled creates its files with the umask's permissions).
pub fn tighten(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let mode = if entry.file_type()?.is_dir() {
                0o700
            } else {
                0o600
            };
            match std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The mode of `path` when others than its owner may read, write or enter
/// it; `None` when it is private (or not there).
pub fn looser_than_private(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The warning for a store, log or config directory others may read.
pub fn permission_warning(what: &str, path: &Path) -> Option<String> {
    looser_than_private(path).map(|mode| {
        format!(
            "warning: the {what} {} is readable by other users (mode {mode:o}); \
             it holds citizens' personal data: run `chmod -R go-rwx {}`",
            path.display(),
            path.display()
        )
    })
}
