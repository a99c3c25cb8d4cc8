//! Backups: every sled tree as gzip-compressed JSON lines, and the restore
//! that checks a backup completely before it writes anything.
//!
//! File format, one JSON object a line:
//! - header `{"format":"hotline-backup","version":1,"schema_version":N,"created_at":"…"}`
//! - per key `{"tree":"…","key":"<hex>","value":"<hex>"}` (raw bytes, whatever the value codec)
//! - trailer `{"end":"hotline-backup","entries":N,"trees":{"tickets":N,…}}`, so a
//!   cut-short file is told from a complete one.
//!
//! Point in time: sled 0.34 has no snapshot, and its transactions cannot
//! iterate. Every `Store` write takes `write_gate` shared; a backup takes it
//! exclusively and copies the trees with ordinary iterators, so writers wait
//! for the copy (reads go on). Other processes cannot write meanwhile: sled
//! locks the store's files.
//!
//! Not used, for good reason: watching every tree with `watch_prefix` and
//! re-reading the keys that changed during the copy. A subscriber queues at
//! most 1024 events; past that a writer blocks inside sled's lock, while
//! polling an empty subscriber or dropping one waits for every such writer:
//! a bulk import during a backup would hang the store.

use super::{Store, StoreError, StoreResult, SCHEMA_VERSION};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use sled::Tree;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

pub const BACKUP_FORMAT: &str = "hotline-backup";
pub const BACKUP_VERSION: u32 = 1;

/// What a backup or a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub schema_version: u32,
    /// Key/value pairs per tree, every tree named (empty ones with 0).
    pub trees: BTreeMap<String, u64>,
    pub entries: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    schema_version: u32,
    created_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryLine {
    tree: String,
    key: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: String,
    entries: u64,
    trees: BTreeMap<String, u64>,
}

fn backup_error(path: &Path, message: impl std::fmt::Display) -> StoreError {
    StoreError::Backup {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// `FILE` → `FILE.tmp` (a name beside it, so the rename stays on one filesystem).
fn temp_name(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes backup lines into a gzip file, counting entries per tree.
struct LineWriter {
    path: PathBuf,
    out: GzEncoder<BufWriter<File>>,
    trees: BTreeMap<String, u64>,
    entries: u64,
}

impl LineWriter {
    fn create(path: &Path, header: &Header, tree_names: &[String]) -> StoreResult<LineWriter> {
        // A backup holds citizens' data: only its owner may read it.
        let file = crate::private_files::create(path).map_err(|e| backup_error(path, e))?;
        let mut w = LineWriter {
            path: path.to_path_buf(),
            out: GzEncoder::new(BufWriter::new(file), Compression::default()),
            trees: tree_names.iter().map(|n| (n.clone(), 0)).collect(),
            entries: 0,
        };
        w.line(header)?;
        Ok(w)
    }

    fn line<T: Serialize>(&mut self, value: &T) -> StoreResult<()> {
        let mut text = serde_json::to_string(value).map_err(|e| backup_error(&self.path, e))?;
        text.push('\n');
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| backup_error(&self.path, e))
    }

    fn entry(&mut self, tree: &str, key: &[u8], value: &[u8]) -> StoreResult<()> {
        self.line(&EntryLine {
            tree: tree.to_string(),
            key: hex(key),
            value: hex(value),
        })?;
        *self.trees.entry(tree.to_string()).or_default() += 1;
        self.entries += 1;
        Ok(())
    }

    /// Writes the trailer and makes the file durable.
    fn finish(mut self) -> StoreResult<(BTreeMap<String, u64>, u64)> {
        let trailer = Trailer {
            end: BACKUP_FORMAT.into(),
            entries: self.entries,
            trees: self.trees.clone(),
        };
        self.line(&trailer)?;
        let path = self.path.clone();
        let file = self
            .out
            .finish()
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .map_err(|e| backup_error(&path, e))?;
        file.sync_all().map_err(|e| backup_error(&path, e))?;
        Ok((self.trees, self.entries))
    }
}

/// (tree name, tree) for every tree of the database, by name.
fn all_trees(db: &sled::Db) -> StoreResult<Vec<(String, Tree)>> {
    let mut out = Vec::new();
    for name in db.tree_names() {
        let text = String::from_utf8(name.to_vec())
            .map_err(|_| StoreError::Corrupt(format!("tree name {} is not UTF-8", hex(&name))))?;
        out.push((text, db.open_tree(&name)?));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

impl Store {
    /// Writes a point-in-time copy of every tree to `path` (through
    /// `path.tmp`, fsynced and renamed, so `path` is never a partial backup).
    /// Writers wait until the copy is taken; readers do not.
    pub fn backup_to(&self, path: &Path) -> StoreResult<BackupSummary> {
        let tmp = temp_name(path, ".tmp");
        let written = self.copy_trees(&tmp);
        let summary = match written {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, path).map_err(|e| backup_error(path, e))?;
        sync_parent(path);
        Ok(BackupSummary {
            path: path.to_path_buf(),
            ..summary
        })
    }

    fn copy_trees(&self, tmp: &Path) -> StoreResult<BackupSummary> {
        let _frozen = self.write_gate.write().unwrap_or_else(|e| e.into_inner());
        let named = all_trees(&self.db)?;
        let names: Vec<String> = named.iter().map(|(n, _)| n.clone()).collect();
        let schema_version = self.schema_version()?;
        let header = Header {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            schema_version,
            created_at: chrono::Utc::now().to_rfc3339(),
        };
        let mut out = LineWriter::create(tmp, &header, &names)?;
        for (name, tree) in &named {
            for item in tree.iter() {
                let (k, v) = item?;
                out.entry(name, &k, &v)?;
            }
        }
        let (trees, entries) = out.finish()?;
        Ok(BackupSummary {
            path: tmp.to_path_buf(),
            schema_version,
            trees,
            entries,
        })
    }

    /// Restores the backup at `path` into `dir`, which must be empty or
    /// absent. The whole file is read and checked first; nothing is written
    /// to `dir` unless it is complete, and a failure while writing removes
    /// what was written.
    pub fn restore_from(path: &Path, dir: &Path) -> StoreResult<BackupSummary> {
        if let Ok(mut entries) = std::fs::read_dir(dir) {
            if entries.next().is_some() {
                return Err(backup_error(
                    path,
                    format!(
                        "will not restore into {}: the directory is not empty",
                        dir.display()
                    ),
                ));
            }
        }
        let checked = read_backup(path, |_, _, _| Ok(()))?;
        if checked.schema_version > SCHEMA_VERSION {
            return Err(backup_error(
                path,
                format!(
                    "the backup's schema version {} is newer than this program's {}; upgrade hotline",
                    checked.schema_version, SCHEMA_VERSION
                ),
            ));
        }
        let existed = dir.exists();
        let written = write_store(path, dir, &checked);
        if written.is_err() {
            let _ = std::fs::remove_dir_all(dir);
            if existed {
                let _ = std::fs::create_dir_all(dir);
            }
        }
        written?;
        Ok(BackupSummary {
            path: dir.to_path_buf(),
            schema_version: checked.schema_version,
            trees: checked.trees,
            entries: checked.entries,
        })
    }
}

/// Writes every tree of a checked backup into a new sled database at `dir`.
fn write_store(path: &Path, dir: &Path, checked: &Checked) -> StoreResult<()> {
    let private = |e: std::io::Error| StoreError::Open {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    crate::private_files::create_dir_all(dir).map_err(private)?;
    let db = sled::Config::new()
        .path(dir)
        .open()
        .map_err(|e| StoreError::Open {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
    let mut open: BTreeMap<String, (Tree, sled::Batch, usize)> = BTreeMap::new();
    for name in checked.trees.keys() {
        open.insert(
            name.clone(),
            (db.open_tree(name)?, sled::Batch::default(), 0),
        );
    }
    read_backup(path, |tree, key, value| {
        let (t, batch, pending) = open
            .get_mut(tree)
            .ok_or_else(|| format!("tree {tree} is not in the trailer"))?;
        batch.insert(key, value);
        *pending += 1;
        if *pending == 10_000 {
            t.apply_batch(std::mem::take(batch))
                .map_err(|e| e.to_string())?;
            *pending = 0;
        }
        Ok(())
    })?;
    for (tree, batch, _) in open.into_values() {
        tree.apply_batch(batch)?;
    }
    // sled's flush stops short of the disk (see commit.rs); a restored store
    // is acknowledged as written, so it must be on it, large values too.
    super::commit::GroupCommit::new(db, dir)
        .make_durable()
        .map_err(StoreError::Durability)?;
    super::files::sync_dir(dir).map_err(private)?;
    crate::private_files::tighten(dir).map_err(private)?;
    Ok(())
}

/// What reading a whole backup found.
struct Checked {
    schema_version: u32,
    trees: BTreeMap<String, u64>,
    entries: u64,
}

/// Reads and checks a backup line by line, handing each entry to `each`.
/// Errors name the file and line.
fn read_backup(
    path: &Path,
    mut each: impl FnMut(&str, Vec<u8>, Vec<u8>) -> Result<(), String>,
) -> StoreResult<Checked> {
    let file = File::open(path).map_err(|e| backup_error(path, e))?;
    let mut reader = BufReader::new(GzDecoder::new(BufReader::new(file)));
    let at = |line: usize, message: String| backup_error(path, format!("line {line}: {message}"));
    let mut text = String::new();
    let mut line = 0;
    let mut next_line = |text: &mut String| -> Result<bool, String> {
        text.clear();
        match reader.read_line(text) {
            Ok(0) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => Err(format!(
                "cannot read the compressed data ({e}); the file is truncated or corrupt"
            )),
        }
    };

    line += 1;
    match next_line(&mut text) {
        Ok(true) => {}
        Ok(false) => return Err(at(line, "the file is empty, not a hotline backup".into())),
        Err(e) => return Err(at(line, e)),
    }
    let header: Header = serde_json::from_str(&text)
        .map_err(|e| at(line, format!("not a hotline backup header ({e})")))?;
    if header.format != BACKUP_FORMAT {
        return Err(at(
            line,
            format!("format is '{}', not '{BACKUP_FORMAT}'", header.format),
        ));
    }
    if header.version != BACKUP_VERSION {
        return Err(at(
            line,
            format!(
                "backup format version {} is not the version this program reads ({BACKUP_VERSION})",
                header.version
            ),
        ));
    }

    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut entries = 0u64;
    let trailer = loop {
        line += 1;
        match next_line(&mut text) {
            Ok(true) => {}
            Ok(false) => {
                return Err(at(
                    line,
                    "the backup ends without its trailer: it is truncated".into(),
                ))
            }
            Err(e) => return Err(at(line, e)),
        }
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| at(line, format!("bad JSON ({e})")))?;
        if value.get("end").is_some() {
            break serde_json::from_value::<Trailer>(value)
                .map_err(|e| at(line, format!("bad trailer ({e})")))?;
        }
        let entry: EntryLine =
            serde_json::from_value(value).map_err(|e| at(line, format!("bad entry ({e})")))?;
        let key = unhex(&entry.key).ok_or_else(|| at(line, "key is not hex".into()))?;
        let value = unhex(&entry.value).ok_or_else(|| at(line, "value is not hex".into()))?;
        each(&entry.tree, key, value).map_err(|e| at(line, e))?;
        *counts.entry(entry.tree).or_default() += 1;
        entries += 1;
    };
    let trailer_line = line;

    line += 1;
    match next_line(&mut text) {
        Ok(false) => {}
        Ok(true) => return Err(at(line, "text after the trailer".into())),
        Err(e) => return Err(at(line, e)),
    }
    if trailer.end != BACKUP_FORMAT {
        return Err(at(
            trailer_line,
            format!("trailer end is '{}', not '{BACKUP_FORMAT}'", trailer.end),
        ));
    }
    if trailer.entries != entries {
        return Err(at(
            trailer_line,
            format!(
                "the trailer counts {} entries, the file holds {entries}",
                trailer.entries
            ),
        ));
    }
    for (tree, &n) in &counts {
        let expected = trailer.trees.get(tree).copied().unwrap_or(0);
        if expected != n {
            return Err(at(
                trailer_line,
                format!("the trailer counts {expected} entries in tree {tree}, the file holds {n}"),
            ));
        }
    }
    for (tree, &n) in &trailer.trees {
        if n > 0 && !counts.contains_key(tree) {
            return Err(at(
                trailer_line,
                format!("the trailer counts {n} entries in tree {tree}, the file holds none"),
            ));
        }
    }
    Ok(Checked {
        schema_version: header.schema_version,
        trees: trailer.trees,
        entries,
    })
}

/// Makes the rename durable; best effort, as not every filesystem allows it.
fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex; a backup writes every byte of the store through this.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_DIGITS[usize::from(b >> 4)] as char);
        out.push(HEX_DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_every_byte_and_rejects_non_hex() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&all)), Some(all));
        assert_eq!(hex(b"\x00\xffz"), "00ff7a");
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("+1"), None);
    }
}
