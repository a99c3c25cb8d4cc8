//! SLA deadlines in working time, computed with the [`Policy`] and the
//! calendar each target counts in; the escalation clocks; the state shown in
//! queues.

use super::policy::Policy;
use super::ticket::{Kind, Priority};
use super::{Ts, WardCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sla {
    pub respond_by: Ts,
    pub resolve_by: Ts,
    pub responded_at: Option<Ts>,
    pub resolved_at: Option<Ts>,
    /// Set while waiting on the citizen; the clock is paused.
    pub paused_since: Option<Ts>,
    /// Time spent waiting on the citizen, in working seconds of the
    /// resolution clock's calendar (wall-clock seconds on the 24/7 hotline
    /// calendar; tickets stored before the SLA policy have wall-clock seconds).
    pub paused_secs: i64,
}

/// What a ticket's clocks depend on.
#[derive(Debug, Clone, Copy)]
pub struct SlaClass {
    pub kind: Kind,
    pub priority: Priority,
    pub ward: Option<WardCode>,
}

impl Sla {
    pub fn new(policy: &Policy, class: SlaClass, created: Ts) -> Sla {
        let mut sla = Sla {
            respond_by: created,
            resolve_by: created,
            responded_at: None,
            resolved_at: None,
            paused_since: None,
            paused_secs: 0,
        };
        sla.retarget(policy, class, created);
        sla
    }

    /// Deadlines for another kind, priority or ward, counted from the
    /// creation time; time already spent waiting on the citizen still
    /// extends the resolution deadline.
    pub fn retarget(&mut self, policy: &Policy, class: SlaClass, created: Ts) {
        let [respond, resolve] = policy.ticket_targets(class.kind, class.priority);
        let cal = policy.calendar(resolve.calendar, class.ward);
        self.resolve_by = cal.add_working(
            created,
            policy.working_secs(resolve, class.ward) + self.paused_secs,
        );
        if self.responded_at.is_none() {
            self.respond_by = policy.deadline(respond, created, class.ward);
        }
    }

    pub fn pause(&mut self, now: Ts) {
        if self.paused_since.is_none() {
            self.paused_since = Some(now);
        }
    }

    /// Ends a pause: the working time that was left on each running clock
    /// when the pause began is counted again from `now`. A deadline already
    /// missed before the pause stays where it was.
    pub fn resume(&mut self, policy: &Policy, class: SlaClass, now: Ts) {
        let Some(since) = self.paused_since.take() else {
            return;
        };
        let [respond, resolve] = policy.ticket_targets(class.kind, class.priority);
        let shift = |deadline: Ts, calendar| {
            let cal = policy.calendar(calendar, class.ward);
            if deadline <= since {
                return deadline;
            }
            cal.add_working(now.max(since), cal.working_between(since, deadline))
        };
        let cal = policy.calendar(resolve.calendar, class.ward);
        self.paused_secs += cal.working_between(since, now).max(0);
        self.resolve_by = shift(self.resolve_by, resolve.calendar);
        if self.responded_at.is_none() {
            self.respond_by = shift(self.respond_by, respond.calendar);
        }
    }

    pub fn responded(&mut self, now: Ts) {
        self.responded_at.get_or_insert(now);
    }
}

/// The clocks a ticket runs: two for the ticket (first response,
/// resolution) and two for its escalation (acknowledge, resolve).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SlaClock {
    FirstResponse,
    Resolution,
    Acknowledge,
    EscalationResolve,
}

impl SlaClock {
    pub const ALL: [SlaClock; 4] = [
        SlaClock::FirstResponse,
        SlaClock::Resolution,
        SlaClock::Acknowledge,
        SlaClock::EscalationResolve,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            SlaClock::FirstResponse => "first-response",
            SlaClock::Resolution => "resolution",
            SlaClock::Acknowledge => "acknowledge",
            SlaClock::EscalationResolve => "escalation-resolve",
        }
    }
}

/// How a ticket stands against its deadlines at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SlaState {
    OnTrack,
    /// Past the policy's warning share of a clock's window (working time).
    DueSoon,
    Overdue,
    Paused,
    MetOnTime,
    MetLate,
    /// Cancelled (a duplicate, a mistake): no verdict either way.
    Cancelled,
}

impl SlaState {
    pub fn slug(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on-track",
            SlaState::DueSoon => "due-soon",
            SlaState::Overdue => "overdue",
            SlaState::Paused => "paused",
            SlaState::MetOnTime => "met",
            SlaState::MetLate => "late",
            SlaState::Cancelled => "cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::SHIPPED_POLICY;
    use chrono::NaiveDate;

    /// Local (UTC+7) wall time written out by hand.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Ts {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Ts(Ts::from_local_date(date).0 + i64::from(h) * 3600 + i64::from(min) * 60)
    }

    /// The shipped policy with a fault resolved in 6 ward-office hours.
    fn policy() -> Policy {
        Policy::from_texts(
            &[
                ("shipped", SHIPPED_POLICY),
                (
                    "test.toml",
                    "[ticket.fault]\nresolve_calendar = \"ward\"\np3 = { respond = \"2h\", resolve = \"6h\" }\n",
                ),
            ],
            &[("days-off", crate::domain::policy::SHIPPED_DAYS_OFF)],
        )
        .unwrap()
    }

    fn fault() -> SlaClass {
        SlaClass {
            kind: Kind::Fault,
            priority: Priority::P3,
            ward: None,
        }
    }

    #[test]
    fn a_ward_deadline_skips_the_weekend_and_the_lunch_break() {
        // Friday 15/8/2025 16:00: one hour on Friday, four on Monday morning,
        // one after lunch.
        let sla = Sla::new(&policy(), fault(), at(2025, 8, 15, 16, 0));
        assert_eq!(sla.resolve_by, at(2025, 8, 18, 14, 0));
        // The first response counts on the 24/7 hotline.
        assert_eq!(sla.respond_by, at(2025, 8, 15, 18, 0));
    }

    #[test]
    fn a_ward_deadline_skips_holidays_and_government_days_off() {
        // Tuesday 29/4/2025 16:00: 30/4, 1/5 holidays, 2/5 swapped off, then the
        // weekend; five more hours from Monday 5/5: 07:30–11:30, 13:00–14:00.
        let sla = Sla::new(&policy(), fault(), at(2025, 4, 29, 16, 0));
        assert_eq!(sla.resolve_by, at(2025, 5, 5, 14, 0));
        // Friday 13/2/2026 16:00: Tết Bính Ngọ 16–20/2, so Monday 23/2.
        let sla = Sla::new(&policy(), fault(), at(2026, 2, 13, 16, 0));
        assert_eq!(sla.resolve_by, at(2026, 2, 23, 14, 0));
    }

    #[test]
    fn waiting_on_the_citizen_reapplies_the_remaining_working_time() {
        let p = policy();
        // Monday 18/8/2025 08:00 → due 15:30 the same day.
        let mut sla = Sla::new(&p, fault(), at(2025, 8, 18, 8, 0));
        assert_eq!(sla.resolve_by, at(2025, 8, 18, 15, 30));
        sla.responded(at(2025, 8, 18, 8, 5));
        // Paused at 10:00 with 4 h of working time left (10:00–11:30,
        // 13:00–15:30); resumed Tuesday 09:00: 09:00–11:30, 13:00–14:30.
        sla.pause(at(2025, 8, 18, 10, 0));
        sla.resume(&p, fault(), at(2025, 8, 19, 9, 0));
        assert_eq!(sla.resolve_by, at(2025, 8, 19, 14, 30));
        // The wait was 10:00–17:00 Monday and 07:30–09:00 Tuesday of office time.
        assert_eq!(sla.paused_secs, (5 * 60 + 30 + 90) * 60);
        // A change of priority afterwards counts from creation plus the wait:
        // P1 is 8 h of ward time, + 7 h waited = 15 h from Monday 08:00:
        // Monday 7.5 h, Tuesday 07:30–11:30 and 13:00–16:30.
        let p1 = SlaClass {
            priority: Priority::P1,
            ..fault()
        };
        sla.retarget(&p, p1, at(2025, 8, 18, 8, 0));
        assert_eq!(sla.resolve_by, at(2025, 8, 19, 16, 30));
    }

    #[test]
    fn a_policy_change_gives_new_deadlines_to_a_retargeted_ticket() {
        let start = at(2025, 8, 15, 16, 0);
        let mut sla = Sla::new(&Policy::shipped(), fault(), start);
        // Shipped: a P3 fault is resolved in 72 h on the hotline.
        assert_eq!(sla.resolve_by, at(2025, 8, 18, 16, 0));
        sla.retarget(&policy(), fault(), start);
        assert_eq!(sla.resolve_by, at(2025, 8, 18, 14, 0));
    }
}
