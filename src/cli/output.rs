//! Readable tables and JSON for the CLI.

use crate::api::TicketDetail;
use crate::domain::{Dossier, Ticket, Ts};
use crate::text::clean_line;
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
pub fn headings(lang: crate::tui::i18n::Lang, keys: &[&str]) -> Vec<&'static str> {
    keys.iter()
        .map(|k| crate::tui::i18n::tr(lang, &format!("cli.col.{k}")))
        .collect()
}

/// The SLA cell of a list row: the most urgent clock's state and the
/// working time left (running clocks) or its state alone.
fn sla_cell(t: &Ticket, policy: &crate::domain::Policy, now: Ts) -> String {
    use crate::domain::ClockState::{Breached, Running, Warning};
    let views = crate::domain::clocks(t, policy, now);
    match crate::domain::clocks::headline(&views) {
        Some(v) if matches!(v.state, Running | Warning | Breached) => format!(
            "{} {}",
            v.state.slug(),
            crate::domain::time::working_duration_in(
                v.remaining_secs,
                v.working_day_secs,
                ["d", "h", "m"]
            )
        ),
        Some(v) => v.state.slug().to_string(),
        None => t.sla_state(now).slug().to_string(),
    }
}

pub fn ticket_rows(
    tickets: &[Ticket],
    policy: &crate::domain::Policy,
    now: Ts,
    lang: crate::tui::i18n::Lang,
) -> String {
    let rows: Vec<Vec<String>> = tickets
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.status.slug().to_string(),
                t.priority.slug().to_uppercase(),
                t.kind.slug().to_string(),
                t.ward.map(|w| w.to_string()).unwrap_or_default(),
                t.masked_phone(),
                t.subject.clone(),
                sla_cell(t, policy, now),
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
pub fn ticket_detail(d: &TicketDetail, now: Ts) -> String {
    let t = &d.ticket;
    let ward = |code: Option<u32>| match code {
        Some(c) => crate::reference::ward(c)
            .map(|w| format!("{} ({c})", w.full_name))
            .unwrap_or_else(|| c.to_string()),
        None => "-".into(),
    };
    let mut out = vec![
        format!("{}  {}", t.id, clean_line(&t.subject)),
        format!("status      {} (version {})", t.status.slug(), t.version),
        format!(
            "kind        {} · channel {} · priority {}",
            t.kind.slug(),
            t.channel.slug(),
            t.priority.slug().to_uppercase()
        ),
        format!("caller      {}", clean_line(&t.caller.name)),
        format!(
            "phone       {}",
            t.caller
                .phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into())
        ),
        format!(
            "cccd        {}",
            t.caller.cccd.clone().unwrap_or_else(|| "-".into())
        ),
        format!("ward        {}", ward(t.ward)),
        format!("category    {}", clean_line(&t.category)),
        format!(
            "assignee    {}",
            t.assignee.clone().unwrap_or_else(|| "-".into())
        ),
        format!("created     {} by {}", t.created_at, t.created_by),
        format!(
            "sla         {} · respond by {} · resolve by {}",
            t.sla_state(now).slug(),
            t.sla.respond_by,
            t.sla.resolve_by
        ),
    ];
    for c in &d.clocks {
        out.push(format!(
            "clock       {:<18} {:<8} by {} · {} working time {}",
            c.clock.slug(),
            c.state.slug(),
            c.deadline,
            crate::domain::time::working_duration_in(
                c.remaining_secs.abs(),
                c.working_day_secs,
                ["d", "h", "m"]
            ),
            if c.remaining_secs < 0 { "over" } else { "left" }
        ));
    }
    if let Some(e) = &t.escalation {
        out.push(format!(
            "escalation  {} · {} · level {} · ack by {} · resolve by {}{}",
            ward(Some(e.ward)),
            e.fault.slug(),
            e.level,
            e.ack_by,
            e.resolve_by,
            e.acknowledged_at
                .map(|a| format!(" · acknowledged {a}"))
                .unwrap_or_default()
        ));
    }
    if let Some(m) = t.merged_into {
        out.push(format!("duplicate of {m}"));
    }
    for code in &t.dossiers {
        match d.dossiers.iter().find(|x| &x.code == code) {
            Some(x) => out.push(format!("dossier     {}", dossier_line(x, now))),
            None => out.push(format!("dossier     {code} (not in the store)")),
        }
    }
    if !t.description.is_empty() {
        out.push(String::new());
        out.push(crate::text::clean_text(&t.description));
    }
    out.push(String::new());
    out.push("timeline".into());
    for e in &d.events {
        out.push(format!(
            "  {}  {:<12} {}",
            e.at,
            e.by,
            clean_line(&e.kind.describe())
        ));
    }
    out.join("\n")
}

pub fn dossier_line(d: &Dossier, now: Ts) -> String {
    format!(
        "{} · {} · {} · {}{}",
        d.code,
        d.procedure_name,
        d.status.label_vi(),
        d.sync.slug(),
        if d.is_overdue(now) { " · overdue" } else { "" }
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
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, on_time, resolved)| {
            vec![
                k.clone(),
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
