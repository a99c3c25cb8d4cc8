//! `hotline import …`: stores an export and reports every rejected row.

use super::args::ImportCmd;
use super::output;
use crate::client::Target;
use crate::store::IfMissing;
use crate::sync::ImportReport;
use crate::tui::i18n::{messages, trf, Lang};
use anyhow::{Context, Result};
use std::path::Path;

/// Every row stored (or none to store).
const ALL_STORED: i32 = 0;
/// Some rows rejected, the others stored.
const SOME_REJECTED: i32 = 1;
/// Nothing stored: every row rejected, or the import could not run.
const NONE_STORED: i32 = 2;

/// Runs an import; sets `exit_code` as `--help` documents it.
pub fn run(
    target: &Target,
    cmd: ImportCmd,
    json: bool,
    exit_code: &mut i32,
    lang: Lang,
) -> Result<String> {
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
        summary(&file, &report, lang)
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

fn summary(file: &Path, report: &ImportReport, lang: Lang) -> String {
    let mut lines = vec![trf(
        lang,
        "cli.import",
        &[
            &crate::text::escape_controls(&file.display().to_string()),
            &report.rows.to_string(),
            &report.added.to_string(),
            &report.updated.to_string(),
            &report.unchanged.to_string(),
            &report.errors.len().to_string(),
        ],
    )];
    lines.extend(report.errors.iter().map(|e| {
        trf(
            lang,
            "cli.import_line",
            &[
                &e.line.to_string(),
                &crate::text::clean_line(&messages::message(lang, &e.reason)),
            ],
        )
    }));
    lines.join("\n")
}
