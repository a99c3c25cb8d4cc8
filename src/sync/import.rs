//! Import of the one-stop system's dossier export: CSV with a header row, or
//! JSON lines. Valid rows are stored; every bad row is reported with its line
//! number and reason; a re-import of the same file changes nothing.

use crate::domain::time::hcmc;
use crate::domain::{validate, Dossier, PaymentState, Phone, PortalStatus, SyncState, Ts};
use crate::store::{PutOutcome, Store, StoreResult};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// One row as exported, every field text (so a bad field is a reported error, not a parse failure).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawRow {
    code: String,
    procedure_code: String,
    procedure_name: String,
    applicant_name: String,
    applicant_phone: String,
    ward_code: String,
    received_at: String,
    due_at: String,
    finished_at: String,
    status: String,
    sync: String,
    payment: String,
}

const COLUMNS: [&str; 12] = [
    "code",
    "procedure_code",
    "procedure_name",
    "applicant_name",
    "applicant_phone",
    "ward_code",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "sync",
    "payment",
];

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Dates as the exports write them: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`,
/// the portal's `yyyyMMddHHmmss`, or RFC 3339. Local dates are HCMC time.
fn parse_date(field: &str, raw: &str) -> Result<Ts, String> {
    let s = raw.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Ts(dt.timestamp()));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y%m%d%H%M%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match naive.and_then(|n| hcmc().from_local_datetime(&n).single()) {
        Some(dt) => Ok(Ts(dt.timestamp())),
        None => Err(format!(
            "{field} '{}' is not a date (YYYY-MM-DD[ HH:MM])",
            s.escape_default()
        )),
    }
}

fn parse_row(raw: RawRow) -> Result<Dossier, String> {
    let code = validate::dossier_code(&raw.code).map_err(|e| e.to_string())?;
    let ward: u32 = raw.ward_code.trim().parse().map_err(|_| {
        format!(
            "ward_code '{}' is not a number",
            raw.ward_code.escape_default()
        )
    })?;
    if crate::reference::ward(ward).is_none() {
        return Err(format!("ward_code {ward} is not one of the 168 HCMC wards"));
    }
    let procedure_code = validate::line("procedure_code", &raw.procedure_code, 30, true)
        .map_err(|e| e.to_string())?;
    let procedure_name = match validate::line("procedure_name", &raw.procedure_name, 300, false)
        .map_err(|e| e.to_string())?
    {
        name if name.is_empty() => crate::reference::procedure(&procedure_code)
            .map(|p| p.name.clone())
            .ok_or_else(|| {
                format!("procedure_name is empty and {procedure_code} is not a known procedure")
            })?,
        name => name,
    };
    let applicant_name = validate::line(
        "applicant_name",
        &raw.applicant_name,
        validate::MAX_NAME,
        true,
    )
    .map_err(|e| e.to_string())?;
    let applicant_phone = match raw.applicant_phone.trim() {
        "" => None,
        p => Some(Phone::parse(p).map_err(|e| e.to_string())?),
    };
    let received_at = parse_date("received_at", &raw.received_at)?;
    let due_at = parse_date("due_at", &raw.due_at)?;
    if due_at < received_at {
        return Err("due_at is before received_at".into());
    }
    let finished_at = match raw.finished_at.trim() {
        "" => None,
        f => Some(parse_date("finished_at", f)?),
    };
    let status = raw
        .status
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(PortalStatus::new)
        .ok_or_else(|| {
            format!(
                "status '{}' is not a portal status code 1-10",
                raw.status.escape_default()
            )
        })?;
    let sync = match raw.sync.trim() {
        "" => SyncState::Synced,
        s => SyncState::from_slug(s).ok_or_else(|| {
            format!(
                "sync '{}' is not synced, pending or error",
                s.escape_default()
            )
        })?,
    };
    let payment = match raw.payment.trim() {
        "" => PaymentState::NotRequired,
        s => PaymentState::from_slug(s).ok_or_else(|| {
            format!(
                "payment '{}' is not none, unpaid, paid or failed",
                s.escape_default()
            )
        })?,
    };
    Ok(Dossier {
        code,
        procedure_code,
        procedure_name,
        applicant_name,
        applicant_phone,
        ward,
        received_at,
        due_at,
        finished_at,
        status,
        sync,
        payment,
    })
}

/// Parses a whole export. Returns the good dossiers (first occurrence of a
/// code wins; later duplicates are errors) and the bad rows.
pub fn parse_dossiers(bytes: &[u8]) -> (Vec<Dossier>, Vec<RowError>, usize) {
    // Spreadsheet programs and Windows tools start UTF-8 files with a byte-order mark.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let rows = if first == Some(b'{') {
        json_rows(bytes)
    } else {
        csv_rows(bytes)
    };
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let total = rows.len();
    for (line, row) in rows {
        match row.and_then(parse_row) {
            Ok(d) => match seen.get(&d.code) {
                Some(first) => errors.push(RowError {
                    line,
                    reason: format!("duplicate code {} (first on line {first})", d.code),
                }),
                None => {
                    seen.insert(d.code.clone(), line);
                    good.push(d);
                }
            },
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    (good, errors, total)
}

fn json_rows(bytes: &[u8]) -> Vec<(usize, Result<RawRow, String>)> {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| {
            let row = std::str::from_utf8(l)
                .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))
                .and_then(|s| {
                    serde_json::from_str::<RawRow>(s).map_err(|e| format!("bad JSON: {e}"))
                });
            (i + 1, row)
        })
        .collect()
}

fn csv_rows(bytes: &[u8]) -> Vec<(usize, Result<RawRow, String>)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect(),
        Err(e) => return vec![(1, Err(format!("unreadable header: {e}")))],
    };
    let missing: Vec<&str> = ["code", "ward_code", "received_at", "due_at", "status"]
        .into_iter()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return vec![(
            1,
            Err(format!(
                "header lacks column(s) {}; expected {}",
                missing.join(", "),
                COLUMNS.join(",")
            )),
        )];
    }
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line() as usize).unwrap_or(line);
                out.push((line, raw_from_record(&header, &record)));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
                out.push((line, Err(format!("unreadable row: {e}"))));
            }
        }
    }
    out
}

fn raw_from_record(header: &[String], record: &csv::ByteRecord) -> Result<RawRow, String> {
    if record.len() != header.len() {
        return Err(format!(
            "has {} fields, the header has {} (broken quoting?)",
            record.len(),
            header.len()
        ));
    }
    let mut row = RawRow::default();
    for (name, bytes) in header.iter().zip(record.iter()) {
        let value = std::str::from_utf8(bytes)
            .map_err(|e| format!("{name}: invalid UTF-8 at byte {}", e.valid_up_to()))?
            .to_string();
        let slot = match name.as_str() {
            "code" => &mut row.code,
            "procedure_code" => &mut row.procedure_code,
            "procedure_name" => &mut row.procedure_name,
            "applicant_name" => &mut row.applicant_name,
            "applicant_phone" => &mut row.applicant_phone,
            "ward_code" => &mut row.ward_code,
            "received_at" => &mut row.received_at,
            "due_at" => &mut row.due_at,
            "finished_at" => &mut row.finished_at,
            "status" => &mut row.status,
            "sync" => &mut row.sync,
            "payment" => &mut row.payment,
            _ => continue,
        };
        *slot = value;
    }
    Ok(row)
}

/// Parses and stores an export. Store errors abort; row errors are reported.
pub fn import_dossiers(store: &Store, bytes: &[u8]) -> StoreResult<(ImportReport, Vec<Dossier>)> {
    let (good, errors, rows) = parse_dossiers(bytes);
    let mut outcome = PutOutcome::default();
    for chunk in good.chunks(10_000) {
        let o = store.put_dossiers(chunk)?;
        outcome.added += o.added;
        outcome.updated += o.updated;
        outcome.unchanged += o.unchanged;
    }
    Ok((
        ImportReport {
            rows,
            added: outcome.added,
            updated: outcome.updated,
            unchanged: outcome.unchanged,
            errors,
        },
        good,
    ))
}
