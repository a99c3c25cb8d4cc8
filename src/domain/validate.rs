//! Input validation: phone numbers, CCCD, required fields and length limits.
//! Every error names the field it is about.

use crate::text::{clean_line, clean_text};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, thiserror::Error,
)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

pub const MAX_NAME: usize = 100;
pub const MAX_SUBJECT: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_COMMENT: usize = 5_000;
pub const MAX_CATEGORY: usize = 100;
pub const MAX_DOSSIERS: usize = 20;
pub const MAX_DOSSIER_CODE: usize = 40;

/// A Vietnamese phone number in its national form `0xxxxxxxxx`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Accepts `+84 912 345 678`, `0912.345.678`, `84912345678`, `(028) 3823 4567` …
    /// Mobiles are 10 digits starting 03/05/07/08/09; landlines 11 digits starting 02.
    pub fn parse(raw: &str) -> Result<Phone, ValidationError> {
        let err = |m: &str| ValidationError::new("phone", m);
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(err("is empty"));
        }
        if trimmed.chars().count() > 30 {
            return Err(err("is too long for a phone number"));
        }
        let mut digits = String::new();
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() => {}
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => {
                    return Err(err(&format!(
                        "contains '{}'; use digits, spaces, dots or a leading +84",
                        c.escape_default()
                    )))
                }
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("84") {
            if trimmed.contains('+') || rest.len() >= 9 {
                format!("0{rest}")
            } else {
                digits.clone()
            }
        } else {
            digits.clone()
        };
        if !national.starts_with('0') {
            return Err(err("must start with 0 or +84"));
        }
        let second = national.as_bytes().get(1).copied().unwrap_or(b'0');
        match (second, national.len()) {
            (b'3' | b'5' | b'7' | b'8' | b'9', 10) => Ok(Phone(national)),
            (b'2', 11) => Ok(Phone(national)),
            (b'3' | b'5' | b'7' | b'8' | b'9', n) => Err(err(&format!(
                "a mobile number has 10 digits (0xxxxxxxxx), this one has {n}"
            ))),
            (b'2', n) => Err(err(&format!(
                "a landline has 11 digits (02xxxxxxxxx), this one has {n}"
            ))),
            _ => Err(err(
                "is not a Vietnamese mobile (03/05/07/08/09) or landline (02) number",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `0912***678` for lists; the full number only in the detail view.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }

    /// The number as lists carry it, middle digits hidden (`0912***678`). It
    /// displays like a phone but never parses as one, so it cannot be looked
    /// up or stored in place of the real number by mistake.
    pub fn hidden(&self) -> Phone {
        Phone(self.masked())
    }

    /// Whether this is a list's masked copy rather than a number.
    pub fn is_masked(&self) -> bool {
        self.0.contains('*')
    }
}

/// Masks the middle digits of a phone number string.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    if n < 7 {
        return "*".repeat(n);
    }
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i >= 4 && i < n - 3 { '*' } else { c })
        .collect()
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A citizen identity card number (CCCD): exactly 12 digits.
pub fn parse_cccd(raw: &str) -> Result<String, ValidationError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ValidationError::new(
            "cccd",
            format!(
                "must be exactly 12 digits, got {} characters",
                digits.chars().count()
            ),
        ));
    }
    Ok(digits)
}

/// Masks all but the last 3 digits of a CCCD.
pub fn mask_cccd(cccd: &str) -> String {
    let n = cccd.chars().count();
    cccd.chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '*' } else { c })
        .collect()
}

/// Cleaning only removes characters, but escape sequences and spaces may
/// make a valid text longer than `max` before it; past this many times
/// `max` the raw text is refused without cleaning it (a 10 MB paste).
const RAW_SLACK: usize = 4;

/// Cleans a one-line field and checks it is within `max` characters.
pub fn line(field: &str, raw: &str, max: usize, required: bool) -> Result<String, ValidationError> {
    refuse_absurd(field, raw, max)?;
    let v = clean_line(raw);
    if required && v.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    check_len(field, &v, max)?;
    Ok(v)
}

/// Cleans a multi-line field and checks it is within `max` characters.
pub fn text(field: &str, raw: &str, max: usize, required: bool) -> Result<String, ValidationError> {
    refuse_absurd(field, raw, max)?;
    let v = clean_text(raw);
    if required && v.trim().is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    check_len(field, &v, max)?;
    Ok(v)
}

fn check_len(field: &str, v: &str, max: usize) -> Result<(), ValidationError> {
    // At least one byte per character: a short text needs no counting.
    if v.len() <= max {
        return Ok(());
    }
    let length = v.chars().count();
    if length > max {
        return Err(too_long(field, length, max));
    }
    Ok(())
}

/// Refuses raw input too long to be worth cleaning. The message states the
/// field's real limit, never the slack allowed before cleaning.
fn refuse_absurd(field: &str, raw: &str, max: usize) -> Result<(), ValidationError> {
    if raw.len() <= max * RAW_SLACK {
        return Ok(());
    }
    let length = raw.chars().count();
    if length > max * RAW_SLACK {
        return Err(too_long(field, length, max));
    }
    Ok(())
}

fn too_long(field: &str, length: usize, max: usize) -> ValidationError {
    ValidationError::new(
        field,
        format!("is too long ({length} characters, at most {max})"),
    )
}

/// A ticket's linked dossier codes: each checked, duplicates dropped, at most
/// [`MAX_DOSSIERS`]. Every bad one is reported.
pub fn dossier_codes(raw: &[String]) -> Result<Vec<String>, Vec<ValidationError>> {
    let mut errors = Vec::new();
    if raw.len() > MAX_DOSSIERS {
        errors.push(ValidationError::new(
            "dossiers",
            format!("at most {MAX_DOSSIERS} linked dossiers"),
        ));
    }
    let mut codes: Vec<String> = Vec::new();
    for r in raw.iter().take(MAX_DOSSIERS) {
        match dossier_code(r) {
            Ok(c) if !codes.contains(&c) => codes.push(c),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(codes)
    } else {
        Err(errors)
    }
}

/// A dossier code `<agency>-<YYMMDD>-<NNNN>`, e.g. `000.00.01.H29-250812-0042`.
pub fn dossier_code(raw: &str) -> Result<String, ValidationError> {
    let err = |m: String| ValidationError::new("dossier_code", m);
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(err("is empty".into()));
    }
    if code.len() > MAX_DOSSIER_CODE {
        return Err(too_long(
            "dossier_code",
            code.chars().count(),
            MAX_DOSSIER_CODE,
        ));
    }
    let parts: Vec<&str> = code.rsplitn(3, '-').collect();
    if parts.len() != 3 {
        return Err(err(format!(
            "'{}' is not <agency>-<YYMMDD>-<NNNN>",
            raw.escape_default()
        )));
    }
    let (seq, date, agency) = (parts[0], parts[1], parts[2]);
    let groups: Vec<&str> = agency.split('.').collect();
    let agency_ok = (3..=4).contains(&groups.len())
        && groups
            .iter()
            .all(|g| (2..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_alphanumeric()));
    if !agency_ok {
        return Err(err(format!(
            "agency part '{agency}' is not like 000.00.01.H29"
        )));
    }
    if date.len() != 6 || !date.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(format!("date part '{date}' is not YYMMDD")));
    }
    let (mm, dd): (u32, u32) = (
        date[2..4].parse().unwrap_or(0),
        date[4..6].parse().unwrap_or(0),
    );
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) {
        return Err(err(format!("date part '{date}' is not a valid date")));
    }
    if seq.len() < 4 || seq.len() > 6 || !seq.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(format!("sequence part '{seq}' is not 4-6 digits")));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise() {
        for raw in [
            "+84 912 345 678",
            "0912.345.678",
            "84912345678",
            "0912345678",
            "(+84) 912-345-678",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "0912345678", "{raw}");
        }
        assert_eq!(
            Phone::parse("028 3823 4567").unwrap().as_str(),
            "02838234567"
        );
        assert_eq!(
            Phone::parse("+84 28 3823 4567").unwrap().as_str(),
            "02838234567"
        );
        for bad in [
            "",
            "12345",
            "0912 345 67",
            "09123456789",
            "0112345678",
            "abc",
            "0912x345678",
            "+84",
        ] {
            let e = Phone::parse(bad).unwrap_err();
            assert_eq!(e.field, "phone", "{bad}");
        }
        assert_eq!(Phone::parse("0912345678").unwrap().masked(), "0912***678");
    }

    #[test]
    fn cccd_is_twelve_digits() {
        assert_eq!(parse_cccd("079 203 001 234").unwrap(), "079203001234");
        assert!(parse_cccd("07920300123").is_err());
        assert!(parse_cccd("07920300123a").is_err());
        assert_eq!(mask_cccd("079203001234"), "*********234");
    }

    #[test]
    fn dossier_codes() {
        assert_eq!(
            dossier_code("000.00.01.h29-250812-0042").unwrap(),
            "000.00.01.H29-250812-0042"
        );
        assert!(dossier_code("38.98.H29-210519-0013").is_ok());
        assert!(dossier_code("H29-250812").is_err());
        assert!(dossier_code("000.00.01.H29-251312-0042").is_err());
    }

    #[test]
    fn huge_fields_are_rejected_with_the_field_name() {
        let big = "a".repeat(10 * 1024 * 1024);
        let e = text("description", &big, MAX_DESCRIPTION, true).unwrap_err();
        assert_eq!(e.field, "description");
        assert_eq!(
            e.message,
            "is too long (10485760 characters, at most 10000)"
        );
        let e = line("subject", &"ế".repeat(1000), MAX_SUBJECT, true).unwrap_err();
        assert_eq!(e.message, "is too long (1000 characters, at most 200)");
        let e = text("note", &"x".repeat(5001), MAX_COMMENT, true).unwrap_err();
        assert_eq!(e.message, "is too long (5001 characters, at most 5000)");
        assert!(line("subject", "   ", MAX_SUBJECT, true).is_err());
    }
}
