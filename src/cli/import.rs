//! `hotline import …`: stores an export and reports every rejected row.

use super::args::ImportCmd;
use super::output;
use crate::client::Target;
use crate::store::IfMissing;
use crate::sync::ImportReport;
use anyhow::{Context, Result};
use std::path::Path;

/// Every row stored (or none to store).
const ALL_STORED: i32 = 0;
/// Some rows rejected, the others stored.
const SOME_REJECTED: i32 = 1;
/// Nothing stored: every row rejected, or the import could not run.
const NONE_STORED: i32 = 2;

/// Runs an import; sets `exit_code` as `--help` documents it.
pub fn run(target: &Target, cmd: ImportCmd, json: bool, exit_code: &mut i32) -> Result<String> {
    // Until the report says otherwise, nothing was stored.
    *exit_code = NONE_STORED;
    let ImportCmd::Dossiers { file } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let rt = super::run::runtime()?;
    let opened = super::run::open_for_cli(&rt, target, IfMissing::Fail)?;
    let report = rt.block_on(opened.api().import_dossiers(bytes))?;
    *exit_code = exit_code_of(&report);
    Ok(if json {
        output::json(&report)
    } else {
        summary(&file, &report)
    })
}

fn exit_code_of(report: &ImportReport) -> i32 {
    let stored = report.added + report.updated + report.unchanged;
    if report.errors.is_empty() {
        ALL_STORED
    } else if stored > 0 {
        SOME_REJECTED
    } else {
        NONE_STORED
    }
}

fn summary(file: &Path, report: &ImportReport) -> String {
    let mut lines = vec![format!(
        "{}: {} rows, {} added, {} updated, {} unchanged, {} rejected",
        crate::text::escape_controls(&file.display().to_string()),
        report.rows,
        report.added,
        report.updated,
        report.unchanged,
        report.errors.len()
    )];
    lines.extend(
        report
            .errors
            .iter()
            .map(|e| format!("  line {}: {}", e.line, crate::text::clean_line(&e.reason))),
    );
    lines.join("\n")
}
