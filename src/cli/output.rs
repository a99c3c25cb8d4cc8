//! Readable tables and JSON for the CLI.

use crate::api::TicketDetail;
use crate::domain::{Dossier, Ticket, Ts};
use crate::text::clean_line;
use crate::tui::i18n::{self, Lang};
use serde::Serialize;

pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// A plain left-aligned table; every cell is cleaned of control characters.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clean_line(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count().min(60));
            }
        }
    }
    let line = |cells: Vec<String>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let cut: String = c.chars().take(60).collect();
            let pad = w.saturating_sub(cut.chars().count());
            out.push_str(&cut);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = vec![line(header.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}

/// Column headings from the catalog, in the language asked for.
pub fn headings(lang: Lang, keys: &[&str]) -> Vec<&'static str> {
    keys.iter()
        .map(|k| crate::tui::i18n::tr(lang, &format!("cli.col.{k}")))
        .collect()
}

/// The SLA cell of a list row: the most urgent clock's state and the
/// working time left (running clocks), or its state alone.
fn sla_cell(t: &Ticket, policy: &crate::domain::Policy, now: Ts, lang: Lang) -> String {
    use crate::domain::ClockState::{Breached, Running, Warning};
    let views = crate::domain::clocks(t, policy, now);
    match crate::domain::clocks::headline(&views) {
        Some(v) if matches!(v.state, Running | Warning | Breached) => format!(
            "{} {}",
            i18n::sla_label(lang, v.state.as_sla_state()),
            i18n::working_duration(lang, v.remaining_secs, v.working_day_secs)
        ),
        Some(v) => i18n::sla_label(lang, v.state.as_sla_state()).to_string(),
        None => i18n::sla_label(lang, crate::domain::SlaState::Cancelled).to_string(),
    }
}

pub fn ticket_rows(
    tickets: &[Ticket],
    policy: &crate::domain::Policy,
    now: Ts,
    lang: Lang,
) -> String {
    let rows: Vec<Vec<String>> = tickets
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                i18n::status_label(lang, t.status).to_string(),
                t.priority.slug().to_uppercase(),
                i18n::kind_label(lang, t.kind).to_string(),
                t.ward.map(|w| w.to_string()).unwrap_or_default(),
                t.masked_phone(),
                t.subject.clone(),
                sla_cell(t, policy, now, lang),
            ]
        })
        .collect();
    table(
        &headings(
            lang,
            &[
                "id", "status", "priority", "kind", "ward", "phone", "subject", "sla",
            ],
        ),
        &rows,
    )
}

/// The detail view: the only place phone and CCCD are shown in full.
pub fn ticket_detail(d: &TicketDetail, now: Ts, lang: Lang) -> String {
    let t = &d.ticket;
    let tr = |key: &str| i18n::tr(lang, key);
    let trf = |key: &str, args: &[&str]| i18n::trf(lang, key, args);
    let ward = |code: Option<u32>| match code {
        Some(c) => crate::reference::ward(c)
            .map(|w| format!("{} ({c})", w.full_name))
            .unwrap_or_else(|| c.to_string()),
        None => "-".into(),
    };
    let mut fields: Vec<(&str, String)> = vec![
        (
            "status",
            format!(
                "{} ({})",
                i18n::status_label(lang, t.status),
                trf("cli.show.version", &[&t.version.to_string()])
            ),
        ),
        (
            "kind",
            format!(
                "{} · {} {} · {} {}",
                i18n::kind_label(lang, t.kind),
                tr("cli.show.channel"),
                i18n::channel_label(lang, t.channel),
                tr("cli.show.priority"),
                t.priority.slug().to_uppercase()
            ),
        ),
        ("caller", clean_line(&t.caller.name)),
        (
            "phone",
            t.caller
                .phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        ("cccd", t.caller.cccd.clone().unwrap_or_else(|| "-".into())),
        ("ward", ward(t.ward)),
        ("category", category(&t.category, lang)),
        ("assignee", t.assignee.clone().unwrap_or_else(|| "-".into())),
        (
            "created",
            trf(
                "cli.show.created_by",
                &[&t.created_at.to_string(), &t.created_by],
            ),
        ),
        (
            "sla",
            trf(
                "cli.show.sla_value",
                &[
                    i18n::sla_label(lang, crate::domain::clocks::state_of(&d.clocks)),
                    &t.sla.respond_by.to_string(),
                    &t.sla.resolve_by.to_string(),
                ],
            ),
        ),
    ];
    for c in &d.clocks {
        let left = i18n::working_duration(lang, c.remaining_secs.abs(), c.working_day_secs);
        let left = if c.remaining_secs < 0 {
            trf("cli.show.over", &[&left])
        } else {
            trf("cli.show.left", &[&left])
        };
        fields.push((
            "clock",
            trf(
                "cli.show.clock_value",
                &[
                    i18n::clock_label(lang, c.clock),
                    i18n::sla_label(lang, c.state.as_sla_state()),
                    &c.deadline.to_string(),
                    &left,
                ],
            ),
        ));
    }
    if let Some(e) = &t.escalation {
        let mut value = trf(
            "cli.show.escalation_value",
            &[
                &ward(Some(e.ward)),
                i18n::fault_label(lang, e.fault),
                &e.level.to_string(),
                &e.ack_by.to_string(),
                &e.resolve_by.to_string(),
            ],
        );
        if let Some(a) = e.acknowledged_at {
            value.push_str(&trf("cli.show.acknowledged", &[&a.to_string()]));
        }
        fields.push(("escalation", value));
    }
    if let Some(m) = t.merged_into {
        fields.push(("duplicate_of", m.to_string()));
    }
    for code in &t.dossiers {
        let value = match d.dossiers.iter().find(|x| &x.code == code) {
            Some(x) => dossier_line(x, now, lang),
            None => trf("cli.show.dossier_missing", &[code]),
        };
        fields.push(("dossier", value));
    }
    let labels: Vec<(&str, String)> = fields
        .into_iter()
        .map(|(key, value)| (tr(&format!("cli.show.{key}")), value))
        .collect();
    let width = labels
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = vec![format!("{}  {}", t.id, clean_line(&t.subject))];
    for (label, value) in labels {
        let pad = width - label.chars().count();
        out.push(format!("{label}{}{value}", " ".repeat(pad)));
    }
    if !t.description.is_empty() {
        out.push(String::new());
        out.push(crate::text::clean_text(&t.description));
    }
    out.push(String::new());
    out.push(tr("cli.show.timeline").into());
    for e in &d.events {
        out.push(format!(
            "  {}  {:<12} {}",
            e.at,
            e.by,
            clean_line(&crate::tui::ui::screens::detail::describe(lang, &e.kind))
        ));
    }
    out.join("\n")
}

/// A category of the hotline's list in `lang` (stored by its Vietnamese
/// name); one from outside the list as it was stored.
fn category(stored: &str, lang: Lang) -> String {
    let listed = crate::reference::categories()
        .iter()
        .find(|c| c.vi == stored)
        .map(|c| match lang {
            Lang::Vi => c.vi.as_str(),
            Lang::En => c.en.as_str(),
        });
    clean_line(listed.unwrap_or(stored))
}

pub fn dossier_line(d: &Dossier, now: Ts, lang: Lang) -> String {
    let (status, sync) = match lang {
        Lang::Vi => (d.status.label_vi(), d.sync.label_vi()),
        Lang::En => (d.status.label_en(), d.sync.label_en()),
    };
    let overdue = if d.is_overdue(now) {
        format!(" · {}", i18n::tr(lang, "dossier.late"))
    } else {
        String::new()
    };
    format!(
        "{} · {} · {status} · {sync}{overdue}",
        d.code, d.procedure_name
    )
}

/// `hotline report on-time`: one row per ward, fault type or month.
pub fn on_time(
    stats: &crate::api::Stats,
    by: super::args::OnTimeBy,
    json_out: bool,
    lang: crate::tui::i18n::Lang,
) -> String {
    use super::args::OnTimeBy;
    let (key, rows): (&str, Vec<(String, usize, usize)>) = match by {
        OnTimeBy::Ward => (
            "ward",
            stats
                .on_time_by_ward
                .iter()
                .map(|(w, a, b)| {
                    let name = crate::reference::ward(*w)
                        .map(|x| format!("{} ({w})", x.full_name))
                        .unwrap_or_else(|| w.to_string());
                    (name, *a, *b)
                })
                .collect(),
        ),
        OnTimeBy::Fault => ("fault", stats.on_time_by_fault.clone()),
        OnTimeBy::Month => ("month", stats.on_time_by_month.clone()),
    };
    if json_out {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|(k, on_time, resolved)| {
                serde_json::json!({ key: k, "on_time": on_time, "resolved": resolved })
            })
            .collect();
        return json(&rows);
    }
    // Scripts read the slugs (`--json`); people read the fault's name.
    let label = |k: &String| match (by, crate::domain::FaultType::from_slug(k)) {
        (OnTimeBy::Fault, Some(f)) => crate::tui::i18n::fault_label(lang, f).to_string(),
        _ => k.clone(),
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, on_time, resolved)| {
            vec![
                label(k),
                on_time.to_string(),
                resolved.to_string(),
                (on_time * 100)
                    .checked_div(*resolved)
                    .map(|p| format!("{p}%"))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        &headings(lang, &[key, "on_time", "resolved", "rate"]),
        &cells,
    )
}
