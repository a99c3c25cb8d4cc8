//! `hotline ticket …`: every ticket operation, through `HotlineApi`.

use super::args::{ListArgs, NewArgs, TicketCmd, Version};
use super::output;
use crate::api::{ApiError, HotlineApi, Page, TicketFilter};
use crate::domain::{
    Change, Channel, EscalationRequest, FaultType, Kind, NewTicket, Priority, Status, TicketId, Ts,
    ValidationError, WardCode,
};
use crate::tui::i18n::{self, Lang};
use anyhow::{anyhow, Result};

fn id(s: &str) -> Result<TicketId> {
    s.parse::<TicketId>().map_err(|e| anyhow!(e))
}

fn slug<T>(field: &str, v: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(v).ok_or_else(|| {
        anyhow!(ValidationError::new(
            field,
            format!("'{}' is not a valid value", crate::text::escape_controls(v))
        ))
    })
}

/// A ward given by code or by name (current or former, accents optional), as
/// the TUI's picker finds it; several matches are listed for the user to pick.
pub fn ward(s: &str) -> Result<WardCode> {
    let s = s.trim();
    if let Ok(code) = s.parse::<WardCode>() {
        return match crate::reference::ward(code) {
            Some(_) => Ok(code),
            None => Err(anyhow!(ValidationError::new(
                "ward",
                format!("no ward has the code {code}")
            ))),
        };
    }
    let found = crate::reference::find_wards(s);
    let folded = crate::text::fold(s);
    // A name typed whole picks its ward even when it is part of others' names.
    let exact: Vec<_> = found
        .iter()
        .filter(|(w, _)| {
            crate::text::fold(&w.full_name) == folded || crate::text::fold(&w.name) == folded
        })
        .collect();
    match (found.as_slice(), exact.as_slice()) {
        ([], _) => Err(anyhow!(ValidationError::new(
            "ward",
            format!("no ward is called '{}'", crate::text::escape_controls(s))
        ))),
        ([(w, _)], _) | (_, [(w, _)]) => Ok(w.code),
        (many, _) => {
            let list: Vec<String> = many
                .iter()
                .take(8)
                .map(|(w, f)| match f {
                    Some(f) => format!("{} {} (formerly {})", w.code, w.full_name, f.name),
                    None => format!("{} {}", w.code, w.full_name),
                })
                .collect();
            Err(anyhow!(ValidationError::new(
                "ward",
                format!(
                    "'{}' matches {} wards: {}{}",
                    crate::text::escape_controls(s),
                    many.len(),
                    list.join("; "),
                    if many.len() > 8 { "; …" } else { "" }
                )
            )))
        }
    }
}

/// A category from the hotline's list (as the TUI offers it), stored by its
/// Vietnamese name; empty stays empty.
pub fn category(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let folded = crate::text::fold(s);
    let all = crate::reference::categories();
    all.iter()
        .find(|c| crate::text::fold(&c.vi) == folded || crate::text::fold(&c.en) == folded)
        .map(|c| c.vi.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|c| c.vi.as_str()).collect();
            anyhow!(ValidationError::new(
                "category",
                format!(
                    "'{}' is not a category; one of: {}",
                    crate::text::escape_controls(s),
                    names.join(", ")
                )
            ))
        })
}

pub async fn run(
    api: &dyn HotlineApi,
    cmd: TicketCmd,
    json: bool,
    now: Ts,
    lang: Lang,
) -> Result<String> {
    let (ticket_id, version, change) = match cmd {
        TicketCmd::New(a) => return create(api, a, json, lang).await,
        TicketCmd::List(a) => return list(api, a, json, now, lang).await,
        TicketCmd::Show { id: raw } => {
            let d = api.ticket(id(&raw)?).await?;
            return Ok(if json {
                output::json(&d)
            } else {
                output::ticket_detail(&d, now, lang)
            });
        }
        TicketCmd::Comment { id, text, v } => (id, v, Change::Comment { text }),
        TicketCmd::Start { id, v } => (id, v, Change::Start),
        TicketCmd::Wait { id, note, v } => (id, v, Change::Wait { note }),
        TicketCmd::Escalate(a) => {
            let to = match a.ward.as_deref() {
                Some(w) => ward(w)?,
                // Default: the ward the ticket is about.
                None => api.ticket(id(&a.id)?).await?.ticket.ward.ok_or_else(|| {
                    anyhow!(ValidationError::new(
                        "ward",
                        "the ticket has no ward: give --ward CODE|NAME"
                    ))
                })?,
            };
            let change = Change::Escalate(EscalationRequest {
                ward: to,
                fault: slug("fault", &a.fault, FaultType::from_slug)?,
                level: a.level,
                severity: slug("severity", &a.severity, Priority::from_slug)?,
                note: a.note,
            });
            (a.id, a.v, change)
        }
        TicketCmd::Ack { id, note, v } => (id, v, Change::Ack { note }),
        TicketCmd::Return { id, note, v } => (id, v, Change::Return { note }),
        TicketCmd::Resolve { id, note, v } => (id, v, Change::Resolve { note }),
        TicketCmd::Close { id, v } => (id, v, Change::Close),
        TicketCmd::Reopen { id, reason, v } => (id, v, Change::Reopen { reason }),
        TicketCmd::Cancel {
            id: t,
            duplicate_of,
            note,
            v,
        } => {
            let dup = duplicate_of.as_deref().map(id).transpose()?;
            (
                t,
                v,
                Change::Cancel {
                    duplicate_of: dup,
                    note,
                },
            )
        }
        TicketCmd::Assign { id, to, v } => (id, v, Change::Assign { to }),
        TicketCmd::Link { id, code, v } => (id, v, Change::LinkDossier { code }),
    };
    let tid = id(&ticket_id)?;
    let Version { version } = version;
    let comment = matches!(change, Change::Comment { .. });
    let expected = match version {
        Some(v) => v,
        None => match api.ticket(tid).await {
            Ok(d) => d.ticket.version,
            // Offline, a comment still goes to the outbox; the version is
            // settled when it is sent (comments never clash with a change).
            Err(ApiError::Unavailable { .. }) if comment => 0,
            Err(e) => return Err(e.into()),
        },
    };
    let t = match api.apply(tid, expected, change).await {
        Err(ApiError::Queued { pending }) => return Ok(pending_note(pending, json, lang)),
        other => other,
    };
    let t = t.map_err(|e| match (e, version) {
        (ApiError::Conflict { current }, Some(stale)) => anyhow!(i18n::trf(
            lang,
            "cli.stale_version",
            &[
                &stale.to_string(),
                &current.id.to_string(),
                &current.version.to_string(),
                &current.updated_by
            ]
        )),
        (e, _) => e.into(),
    })?;
    Ok(if json {
        output::json(&t)
    } else {
        i18n::trf(
            lang,
            "cli.changed",
            &[
                &t.id.to_string(),
                i18n::status_label(lang, t.status),
                &t.version.to_string(),
            ],
        )
    })
}

async fn create(api: &dyn HotlineApi, a: NewArgs, json: bool, lang: Lang) -> Result<String> {
    let new = NewTicket {
        kind: slug("kind", &a.kind, Kind::from_slug)?,
        channel: slug("channel", &a.channel, Channel::from_slug)?,
        caller_name: a.caller_name,
        caller_phone: a.caller_phone,
        caller_cccd: a.caller_cccd,
        ward: a.ward.as_deref().map(ward).transpose()?,
        category: category(&a.category)?,
        dossiers: a.dossiers,
        subject: a.subject,
        description: a.description,
        priority: slug("priority", &a.priority, Priority::from_slug)?,
        parent: None,
    };
    let request_id = a.request_id.unwrap_or_else(uuid::Uuid::now_v7);
    let t = match api.create_ticket(request_id, new).await {
        Err(ApiError::Queued { pending }) => return Ok(pending_note(pending, json, lang)),
        other => other?,
    };
    Ok(if json {
        output::json(&t)
    } else {
        i18n::trf(lang, "cli.created", &[&t.id.to_string()])
    })
}

async fn list(
    api: &dyn HotlineApi,
    a: ListArgs,
    json: bool,
    now: Ts,
    lang: Lang,
) -> Result<String> {
    let me = api.whoami().await?;
    let statuses = a
        .status
        .iter()
        .map(|s| slug("status", s, Status::from_slug))
        .collect::<Result<Vec<_>>>()?;
    let filter = TicketFilter {
        statuses,
        ward: a.ward.as_deref().map(ward).transpose()?,
        phone: a.phone,
        dossier: a.dossier,
        assignee: if a.mine { Some(me.name) } else { a.assignee },
        kind: None,
        open_only: a.open,
        overdue_only: a.overdue,
        my_wards: a.my_wards,
        fault: None,
        by_due: a.by_due,
        level: a.level,
    };
    let page = api
        .list_tickets(
            filter,
            Page {
                limit: a.limit,
                after: a.after,
            },
        )
        .await?;
    if json {
        return Ok(output::json(&page));
    }
    // The clocks under the backend's policy (the hub's when connected to
    // one); this machine's configured one if the backend has none to give.
    let policy = match api.sla_policy().await.map(|p| p.policy()) {
        Ok(Ok(p)) => std::sync::Arc::new(p),
        _ => crate::sla_files::load()?,
    };
    let mut out = output::ticket_rows(&page.tickets, &policy, now, lang);
    if let Some(next) = page.next {
        out.push('\n');
        out.push_str(&i18n::trf(lang, "cli.more", &[&next]));
    }
    Ok(out)
}

/// A write kept in the outbox: not an error, it is sent when the hub answers.
fn pending_note(pending: usize, json: bool, lang: Lang) -> String {
    if json {
        output::json(&serde_json::json!({ "pending": pending }))
    } else {
        i18n::trf(lang, "cli.pending", &[&pending.to_string()])
    }
}
