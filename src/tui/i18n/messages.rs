//! Messages that come from below the UI (validation, API, store, import and
//! command-line errors) in the UI's language. The code words its errors in
//! English for logs, scripts and the hub's JSON; each known wording has an
//! `err.*` catalog key whose English entry is that exact wording, with `{0}`,
//! `{1}` … where it varies. A message is matched against the English entries
//! and told again in the UI's language (English comes back unchanged); an
//! unknown one is shown as it is rather than hidden.

use super::{status_label, tr, trf, Lang};
use crate::api::ApiError;
use crate::domain::{Action, Role, Status, ValidationError};

/// The wordings a message may have, most specific first.
const KEYS: &[&str] = &[
    // Field errors (domain validation).
    "err.v.required",
    "err.v.empty",
    "err.v.phone_too_long",
    "err.v.too_long_n",
    "err.v.too_long",
    "err.v.phone_char",
    "err.v.phone_start",
    "err.v.mobile_digits",
    "err.v.landline_digits",
    "err.v.phone_kind",
    "err.v.cccd",
    "err.v.dossiers_max",
    "err.v.dossier_shape",
    "err.v.dossier_agency",
    "err.v.dossier_date_shape",
    "err.v.dossier_date",
    "err.v.dossier_seq",
    "err.v.dossier_linked",
    "err.v.dossiers_many",
    "err.v.nothing",
    "err.v.self_duplicate",
    "err.v.level",
    "err.v.ward_unknown",
    "err.v.ticket_id",
    "err.v.user_name",
    "err.v.responder_ward",
    "err.v.first_user",
    "err.v.last_admin",
    "err.v.cursor",
    "err.v.dead_letter_id",
    // Command-line arguments.
    "err.v.bad_value",
    "err.v.ward_code",
    "err.v.ward_name",
    "err.v.ward_many",
    "err.v.ward_former",
    "err.v.category",
    "err.v.no_ward",
    "err.cli.role",
    "err.cli.demo_exists",
    "err.cli.no_store_backup",
    "err.cli.no_token",
    "err.cli.cancelled",
    "err.cli.output",
    // Lifecycle and roles.
    "err.t.not_from",
    "err.t.role",
    "err.f.log",
    "err.f.work",
    "err.f.dead_letters",
    "err.f.issue_tokens",
    "err.f.revoke_tokens",
    "err.f.not_yours",
    "err.f.reports",
    "err.f.add_users",
    "err.f.import",
    "err.f.admin_comment",
    "err.f.assign",
    "err.f.link",
    "err.f.edit",
    "err.f.edit_closed",
    "err.f.not_allowed",
    "err.r.admin_assignee",
    "err.r.no_notifications",
    "err.r.kept_changing",
    // Stores.
    "err.s.missing",
    "err.s.held",
    "err.s.not_demo",
    "err.s.too_new",
    "err.s.version",
    // The hub.
    "err.h.no_token_for",
    "err.h.no_header",
    "err.h.bad_header",
    "err.h.wrong_token",
    "err.h.not_signed_in",
    "err.h.refused",
    "err.h.login_refused",
    "err.h.nothing_saved",
    "err.h.not_api",
    "err.h.not_url",
    "err.h.scheme",
    "err.h.no_host",
    "err.h.query",
    "err.h.userinfo",
    "err.h.demo",
    "err.h.served",
    "err.h.user_mismatch",
    "err.cli.server",
    "err.h.url_login",
    "err.h.timeout",
    "err.h.unreachable",
    "err.h.failed",
    // Import rows.
    "err.i.date",
    "err.i.ward_number",
    "err.i.procedure",
    "err.i.due_before",
    "err.i.status",
    "err.i.sync",
    "err.i.payment",
    "err.i.duplicate",
    "err.i.utf8",
    "err.i.json",
    "err.i.header",
    "err.i.columns",
    "err.i.row",
    "err.i.fields",
];

/// Wordings whose arguments are messages themselves, told again in turn.
const WRAPPERS: &[&str] = &[
    "err.cli.server",
    "err.h.url_login",
    "err.v.ward_many",
    "err.f.not_allowed",
    "err.h.refused",
    "err.h.login_refused",
    "err.h.nothing_saved",
    "err.storage",
];

/// The English names of missing things ("duplicate ticket PA-000001").
const WHATS: &[&str] = &[
    "err.what.duplicate",
    "err.what.ticket",
    "err.what.dossier",
    "err.what.user",
    "err.what.ward",
];

/// Any message from below the UI in `lang`; an unknown one as it is.
pub fn message(lang: Lang, text: &str) -> String {
    translate(lang, text, 0).unwrap_or_else(|| text.to_string())
}

/// A field error's message (without the field name) in `lang`.
pub fn validation(lang: Lang, e: &ValidationError) -> String {
    message(lang, &e.message)
}

/// A field error with its field (`phone: is empty`) in `lang`.
pub fn field_error(lang: Lang, e: &ValidationError) -> String {
    trf(
        lang,
        "err.field",
        &[field_label(lang, &e.field), &validation(lang, e)],
    )
}

/// A whole API error in `lang`, one line.
pub fn api_error(lang: Lang, e: &ApiError) -> String {
    crate::text::clean_line(&api_error_text(lang, e))
}

/// A whole API error in `lang`, as it is worded (the caller escapes it).
/// English is the error's own `Display`.
pub fn api_error_text(lang: Lang, e: &ApiError) -> String {
    match e {
        ApiError::NotFound { what } => trf(lang, "err.not_found", &[&what_label(lang, what)]),
        ApiError::Forbidden { message: m } => trf(lang, "err.forbidden", &[&message(lang, m)]),
        ApiError::Conflict { current } => trf(
            lang,
            "err.conflict",
            &[&current.updated_by, &current.version.to_string()],
        ),
        ApiError::Invalid { errors } => errors
            .iter()
            .map(|v| field_error(lang, v))
            .collect::<Vec<_>>()
            .join("; "),
        ApiError::Rejected { message: m } => trf(lang, "err.rejected", &[&message(lang, m)]),
        ApiError::Storage { message: m } => trf(lang, "err.storage", &[&message(lang, m)]),
        ApiError::Unauthorized { message: m } => {
            trf(lang, "err.unauthorized", &[&message(lang, m)])
        }
        ApiError::Unavailable { message: m } => trf(lang, "err.unavailable", &[&message(lang, m)]),
        ApiError::Queued { pending } => trf(lang, "err.queued", &[&pending.to_string()]),
    }
}

/// An error on its way to the user, each cause in turn (`outer: inner`).
pub fn error_chain(lang: Lang, e: &anyhow::Error) -> String {
    e.chain()
        .map(|link| {
            if let Some(a) = link.downcast_ref::<ApiError>() {
                api_error_text(lang, a)
            } else if let Some(v) = link.downcast_ref::<ValidationError>() {
                field_error(lang, v)
            } else if let Some(crate::store::StoreError::Invalid(errors)) = link.downcast_ref() {
                errors
                    .iter()
                    .map(|v| field_error(lang, v))
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                message(lang, &link.to_string())
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn translate(lang: Lang, text: &str, depth: u8) -> Option<String> {
    if depth > 4 {
        return None;
    }
    // `field: message`, as a field error's `Display` words it.
    if let Some((field, rest)) = text.split_once(": ") {
        if !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            if let Some(rest) = translate(lang, rest, depth + 1) {
                return Some(trf(lang, "err.field", &[field_label(lang, field), &rest]));
            }
        }
    }
    for key in KEYS.iter().chain(&["err.storage"]) {
        let Some(args) = parse(tr(Lang::En, key), text) else {
            continue;
        };
        let args: Vec<String> = args
            .into_iter()
            .map(|a| {
                if WRAPPERS.contains(key) {
                    // A message, or a list of them (`a; b`).
                    if a.contains("; ") {
                        a.split("; ")
                            .map(|part| message(lang, part))
                            .collect::<Vec<_>>()
                            .join("; ")
                    } else {
                        translate(lang, &a, depth + 1).unwrap_or(a)
                    }
                } else if names_terms(key) {
                    term(lang, &a)
                } else {
                    a
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        return Some(trf(lang, key, &args));
    }
    None
}

/// The arguments of `text` if it has the shape of `template`, in the
/// template's numbering. Every argument is non-empty.
fn parse(template: &str, text: &str) -> Option<Vec<String>> {
    let mut literals = Vec::new();
    let mut numbers = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        let n: usize = rest[open + 1..close].parse().ok()?;
        literals.push(&rest[..open]);
        numbers.push(n);
        rest = &rest[close + 1..];
    }
    literals.push(rest);
    let mut at = text.strip_prefix(literals[0])?;
    if numbers.is_empty() {
        return at.is_empty().then(Vec::new);
    }
    let mut args = vec![String::new(); numbers.len()];
    for (i, n) in numbers.iter().enumerate() {
        let next = literals[i + 1];
        let end = if i + 1 == numbers.len() {
            at.strip_suffix(next)?.len()
        } else if next.is_empty() {
            return None;
        } else {
            at.find(next)?
        };
        if end == 0 {
            return None;
        }
        *args.get_mut(*n)? = at[..end].to_string();
        at = &at[end + next.len()..];
    }
    Some(args)
}

/// Whether a wording's arguments are lifecycle or role slugs (the others
/// are names, codes and numbers, kept as they are).
fn names_terms(key: &str) -> bool {
    key.starts_with("err.t.") || key.starts_with("err.f.") || key == "err.v.first_user"
}

/// A lifecycle status, action or role the English wording names by its slug.
fn term(lang: Lang, arg: &str) -> String {
    if lang == Lang::En {
        return arg.to_string();
    }
    if let Some(s) = Status::from_slug(arg) {
        status_label(lang, s).to_string()
    } else if let Some(a) = Action::from_slug(arg) {
        tr(lang, &format!("err.verb.{}", a.slug())).to_string()
    } else if let Some(r) = Role::from_slug(arg) {
        tr(lang, &format!("role.{}", r.slug())).to_string()
    } else {
        arg.to_string()
    }
}

/// The API's English name of a missing thing, in `lang`.
fn what_label(lang: Lang, what: &str) -> String {
    WHATS
        .iter()
        .find_map(|key| {
            let args = parse(tr(Lang::En, key), what)?;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            Some(trf(lang, key, &args))
        })
        .unwrap_or_else(|| what.to_string())
}

/// A field's name in `lang` (English keeps the field's own name).
fn field_label(lang: Lang, field: &str) -> &str {
    const FIELDS: &[&str] = &[
        "phone",
        "caller_phone",
        "caller_name",
        "name",
        "cccd",
        "subject",
        "description",
        "category",
        "ward",
        "dossiers",
        "dossier_code",
        "note",
        "reason",
        "comment",
        "text",
        "duplicate_of",
        "ticket",
        "level",
        "role",
        "fault",
        "severity",
        "edit",
        "cursor",
        "id",
        "applicant_name",
        "applicant_phone",
        "procedure_code",
        "procedure_name",
    ];
    match FIELDS.iter().find(|f| **f == field) {
        Some(f) if lang == Lang::Vi => tr(lang, &format!("err.field_name.{f}")),
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{validate, Kind, NewTicket, Phone, TicketId, Ts};

    /// Each wording is found as itself (no earlier one shadows it), comes
    /// back unchanged in English and is told otherwise in Vietnamese.
    #[test]
    fn every_wording_is_found_and_told_again() {
        for key in KEYS {
            let template = tr(Lang::En, key);
            let mut text = template.to_string();
            for n in 0..4 {
                text = text.replace(&format!("{{{n}}}"), &format!("x{n}y"));
            }
            let first = KEYS
                .iter()
                .find(|k| parse(tr(Lang::En, k), &text).is_some());
            assert_eq!(first, Some(key), "{text:?}");
            assert_eq!(message(Lang::En, &text), text, "{key}");
            if tr(Lang::Vi, key) != template {
                assert_ne!(message(Lang::Vi, &text), text, "{key}");
            }
        }
        assert_eq!(
            message(Lang::Vi, "operators may not cancel a ticket that is new"),
            "tổng đài viên không được huỷ phiếu đang ở trạng thái «Mới»"
        );
        assert_eq!(
            message(Lang::Vi, "role: admin is the last admin and must stay one; make another user an admin first"),
            "vai trò: admin là quản trị cuối cùng và phải giữ vai trò đó; hãy cho người khác làm quản trị trước"
        );
        assert_eq!(message(Lang::Vi, "something else"), "something else");
    }

    /// Every error the domain gives for bad form input has a Vietnamese wording.
    #[test]
    fn domain_validation_errors_are_translated() {
        let mut errors = Vec::new();
        for raw in [
            "",
            "0912",
            "091234567890",
            "02838",
            "12345",
            "09x",
            "1234567890123456789012345678901",
        ] {
            errors.extend(Phone::parse(raw).err());
        }
        errors.extend(validate::parse_cccd("123").err());
        for code in [
            "",
            "abc",
            "000.00.01.H29-2508-0001",
            "000.00.01.H29-251340-0001",
            "x-250812-0001",
            "000.00.01.H29-250812-01",
            &"A".repeat(41),
        ] {
            errors.extend(validate::dossier_code(code).err());
        }
        errors.extend(validate::line("subject", "", 10, true).err());
        errors.extend(validate::line("subject", &"a".repeat(11), 10, true).err());
        let mut n = NewTicket::new(Kind::Complaint, "");
        n.caller_phone = "0912".into();
        n.caller_cccd = "1".into();
        n.dossiers = vec!["nope".into(); 21];
        errors.extend(
            n.into_ticket(TicketId(1), uuid::Uuid::nil(), "x", Ts(0))
                .err()
                .unwrap_or_default(),
        );
        assert!(errors.len() > 15, "{errors:?}");
        let too_long = validate::line("subject", &"a".repeat(11), 10, true).unwrap_err();
        assert_eq!(
            validation(Lang::Vi, &too_long),
            "quá dài (11 ký tự, tối đa 10)"
        );
        for e in &errors {
            let vi = validation(Lang::Vi, e);
            assert_ne!(vi, e.message, "untranslated: {}", e.message);
            assert_eq!(validation(Lang::En, e), e.message);
        }
    }
}
