//! The SLA policy: targets per ticket kind × priority (first response,
//! resolution) and per escalation level × severity (acknowledge, resolve),
//! the warning threshold, and the calendars each target counts in.
//!
//! The shipped default is `data/sla_policy.toml`; a `sla_policy.toml` in the
//! config directory overrides it key by key (see `crate::sla_files`).

use super::calendar::{Calendar, OfficeHours};
use super::holidays::{self, YearDecision};
use super::policy_toml::{parse_days_off, parse_policy, PolicyPart};
use super::sla::SlaClock;
use super::ticket::{Kind, Priority, Ticket};
use super::{Ts, WardCode};
use crate::problems::Problems;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

pub const SHIPPED_POLICY: &str = include_str!("../../data/sla_policy.toml");
pub const SHIPPED_DAYS_OFF: &str = include_str!("../../data/vn_days_off.toml");

/// Public holidays are computed for these years.
const HOLIDAY_YEARS: (i32, i32) = (2000, 2100);

/// Which calendar a target counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CalendarKind {
    /// The 1022 hotline: around the clock.
    Hotline,
    /// The ticket's (or escalation's) ward team: its office hours.
    Ward,
    /// The city's digital-transformation centre: office hours.
    City,
}

/// A target: working days of its calendar plus seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub days: i64,
    pub secs: i64,
    pub calendar: CalendarKind,
}

/// One file a policy was read from: the name its errors cite and its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PolicyFile {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub warning_percent: u8,
    /// The policy files and the days-off files it was read from, in order
    /// (what a hub serves, so its clients read the same policy).
    sources: Arc<(Vec<PolicyFile>, Vec<PolicyFile>)>,
    ticket: BTreeMap<(Kind, Priority), [Target; 2]>,
    escalation: BTreeMap<(u8, Priority), [Target; 2]>,
    ward: Calendar,
    ward_overrides: BTreeMap<WardCode, Calendar>,
    city: Calendar,
}

static SHIPPED: LazyLock<Arc<Policy>> = LazyLock::new(|| {
    Arc::new(
        Policy::from_texts(
            &[("data/sla_policy.toml", SHIPPED_POLICY)],
            &[("data/vn_days_off.toml", SHIPPED_DAYS_OFF)],
        )
        .expect("the shipped SLA policy is valid (a unit test checks it)"),
    )
});

impl Policy {
    /// The shipped default with the shipped days off.
    pub fn shipped() -> Arc<Policy> {
        SHIPPED.clone()
    }

    /// Policy files in order (shipped first, overrides after: later keys win)
    /// and days-off files (an entry for a year replaces an earlier one).
    /// Each text comes with the file name its errors cite.
    pub fn from_texts(
        policies: &[(&str, &str)],
        days_off: &[(&str, &str)],
    ) -> Result<Policy, Problems> {
        let mut problems = Vec::new();
        let mut part = PolicyPart::default();
        for (name, text) in policies {
            match parse_policy(name, text) {
                Ok(p) => part.merge(p),
                Err(e) => problems.extend(e.0),
            }
        }
        let mut decisions: BTreeMap<i32, YearDecision> = BTreeMap::new();
        for (name, text) in days_off {
            match parse_days_off(name, text) {
                Ok(years) => decisions.extend(years.into_iter().map(|y| (y.year, y))),
                Err(e) => problems.extend(e.0),
            }
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        let decisions: Vec<YearDecision> = decisions.into_values().collect();
        let files = |texts: &[(&str, &str)]| -> Vec<PolicyFile> {
            texts
                .iter()
                .map(|(name, text)| PolicyFile {
                    name: name.to_string(),
                    text: text.to_string(),
                })
                .collect()
        };
        let sources = Arc::new((files(policies), files(days_off)));
        Policy::build(part, &decisions, sources).map_err(|missing| {
            Problems(vec![format!(
                "{}: {missing} is missing",
                policies.first().map(|p| p.0).unwrap_or("sla policy")
            )])
        })
    }

    /// The files this policy was read from (the same texts give the same
    /// policy on another machine).
    pub fn policy_files(&self) -> &[PolicyFile] {
        &self.sources.0
    }

    /// The days-off files this policy was read from.
    pub fn days_off_files(&self) -> &[PolicyFile] {
        &self.sources.1
    }

    /// The policy read again from its own files (what a client of a hub does
    /// with the files the hub serves).
    pub fn from_files(
        policies: &[PolicyFile],
        days_off: &[PolicyFile],
    ) -> Result<Policy, Problems> {
        fn pairs(files: &[PolicyFile]) -> Vec<(&str, &str)> {
            files
                .iter()
                .map(|f| (f.name.as_str(), f.text.as_str()))
                .collect()
        }
        Policy::from_texts(&pairs(policies), &pairs(days_off))
    }

    fn build(
        part: PolicyPart,
        decisions: &[YearDecision],
        sources: Arc<(Vec<PolicyFile>, Vec<PolicyFile>)>,
    ) -> Result<Policy, String> {
        let (off, on) = holidays::days_off(HOLIDAY_YEARS.0, HOLIDAY_YEARS.1, decisions);
        let office = |hours: OfficeHours| {
            Calendar::Office(OfficeHours {
                days_off: off.clone(),
                days_on: on.clone(),
                ..hours
            })
        };
        let mut ticket = BTreeMap::new();
        for &kind in Kind::ALL {
            for &p in Priority::ALL {
                let amounts = part.ticket_targets.get(&(kind, p));
                let pair = [0u8, 1].map(|i| {
                    PolicyPart::target(amounts, part.ticket_calendars.get(&(kind, i)), i as usize)
                });
                match pair {
                    [Some(a), Some(b)] => ticket.insert((kind, p), [a, b]),
                    _ => return Err(format!("the ticket.{kind} {p} target or calendar")),
                };
            }
        }
        let mut escalation = BTreeMap::new();
        for level in [1u8, 2] {
            for &p in Priority::ALL {
                let amounts = part.escalation_targets.get(&(level, p));
                let pair = [0u8, 1].map(|i| {
                    PolicyPart::target(
                        amounts,
                        part.escalation_calendars.get(&(level, i)),
                        i as usize,
                    )
                });
                match pair {
                    [Some(a), Some(b)] => escalation.insert((level, p), [a, b]),
                    _ => {
                        return Err(format!(
                            "the escalation.level{level} {p} target or calendar"
                        ))
                    }
                };
            }
        }
        Ok(Policy {
            warning_percent: part.warning_percent.unwrap_or(75),
            sources,
            ticket,
            escalation,
            ward: office(part.ward_hours.unwrap_or_else(OfficeHours::standard)),
            city: office(part.city_hours.unwrap_or_else(OfficeHours::standard)),
            ward_overrides: part
                .ward_overrides
                .into_iter()
                .map(|(w, h)| (w, office(h)))
                .collect(),
        })
    }

    /// First-response and resolution targets of a ticket class.
    pub fn ticket_targets(&self, kind: Kind, priority: Priority) -> [Target; 2] {
        self.ticket[&(kind, priority)]
    }

    /// Acknowledge and resolve targets of an escalation at `level` (1: the
    /// ward team, 2: the city's digital-transformation centre). Levels above
    /// 2 count as 2.
    ///
    /// The scheduler raises an escalation from level 1 to 2 when the ward
    /// misses its acknowledgement; it calls this (through
    /// [`Policy::escalation_deadlines`]) for the level-2 deadlines.
    pub fn escalation_targets(&self, level: u8, severity: Priority) -> [Target; 2] {
        self.escalation[&(level.clamp(1, 2), severity)]
    }

    /// The acknowledge and resolve deadlines of an escalation at `level`
    /// raised at `from` for `ward`.
    pub fn escalation_deadlines(
        &self,
        level: u8,
        severity: Priority,
        ward: WardCode,
        from: Ts,
    ) -> (Ts, Ts) {
        let [ack, resolve] = self.escalation_targets(level, severity);
        (
            self.deadline(ack, from, Some(ward)),
            self.deadline(resolve, from, Some(ward)),
        )
    }

    /// The calendar of `kind` for a ticket or escalation in `ward`.
    pub fn calendar(&self, kind: CalendarKind, ward: Option<WardCode>) -> &Calendar {
        static ALWAYS: Calendar = Calendar::Always;
        match kind {
            CalendarKind::Hotline => &ALWAYS,
            CalendarKind::City => &self.city,
            CalendarKind::Ward => ward
                .and_then(|w| self.ward_overrides.get(&w))
                .unwrap_or(&self.ward),
        }
    }

    /// The target in working seconds of its calendar.
    pub fn working_secs(&self, target: Target, ward: Option<WardCode>) -> i64 {
        let cal = self.calendar(target.calendar, ward);
        target.days * cal.seconds_per_day() + target.secs
    }

    /// `target` counted from `from` in its calendar.
    pub fn deadline(&self, target: Target, from: Ts, ward: Option<WardCode>) -> Ts {
        self.calendar(target.calendar, ward)
            .add_working(from, self.working_secs(target, ward))
    }

    /// The calendar a clock of `ticket` counts in, and the ward it counts for.
    pub fn clock_calendar(
        &self,
        ticket: &Ticket,
        clock: SlaClock,
    ) -> (&Calendar, Option<WardCode>) {
        let (kind, ward) = match clock {
            SlaClock::FirstResponse | SlaClock::Resolution => {
                let [respond, resolve] = self.ticket_targets(ticket.kind, ticket.priority);
                let t = if clock == SlaClock::FirstResponse {
                    respond
                } else {
                    resolve
                };
                (t.calendar, ticket.ward)
            }
            SlaClock::Acknowledge | SlaClock::EscalationResolve => {
                let Some(e) = &ticket.escalation else {
                    return (self.calendar(CalendarKind::Hotline, None), ticket.ward);
                };
                let [ack, resolve] = self.escalation_targets(e.level, e.severity);
                let t = if clock == SlaClock::Acknowledge {
                    ack
                } else {
                    resolve
                };
                (t.calendar, Some(e.ward))
            }
        };
        (self.calendar(kind, ward), ward)
    }

    /// When a clock running from `start` to `deadline` in `calendar` passes
    /// the warning threshold: that share of its window, in working time.
    pub fn warning_at(&self, calendar: &Calendar, start: Ts, deadline: Ts) -> Ts {
        let window = calendar.working_between(start, deadline).max(0);
        calendar.add_working(start, window * i64::from(self.warning_percent) / 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policy_is_complete_and_keeps_the_city_rule() {
        let p = Policy::shipped();
        assert_eq!(p.warning_percent, 75);
        let [respond, resolve] = p.ticket_targets(Kind::Complaint, Priority::P3);
        assert_eq!(
            (respond.secs, respond.calendar),
            (8 * 3600, CalendarKind::Hotline)
        );
        assert_eq!((resolve.days, resolve.calendar), (5, CalendarKind::Ward));
        // Five working days of eight hours.
        assert_eq!(p.working_secs(resolve, None), 40 * 3600);
        let [ack, _] = p.escalation_targets(2, Priority::P1);
        assert_eq!((ack.secs, ack.calendar), (30 * 60, CalendarKind::City));
    }

    #[test]
    fn an_override_changes_only_its_keys() {
        let p = Policy::from_texts(
            &[
                ("shipped", SHIPPED_POLICY),
                ("mine.toml", "warning_percent = 80\n[ticket.fault]\np1 = { respond = \"30m\", resolve = \"4h\" }\n"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(p.warning_percent, 80);
        let [respond, _] = p.ticket_targets(Kind::Fault, Priority::P1);
        assert_eq!(respond.secs, 30 * 60);
        let [respond, _] = p.ticket_targets(Kind::Fault, Priority::P2);
        assert_eq!(respond.secs, 4 * 3600);
    }

    #[test]
    fn an_incomplete_policy_is_refused() {
        let err = Policy::from_texts(&[("only.toml", "warning_percent = 50\n")], &[]).unwrap_err();
        assert_eq!(
            err.0,
            ["only.toml: the ticket.question p1 target or calendar is missing"]
        );
    }
}
