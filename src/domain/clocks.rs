//! How each SLA clock of a ticket stands at a moment: for queues, the detail
//! view, the API and the CLI.

use super::policy::Policy;
use super::sla::SlaClock;
use super::ticket::Ticket;
use super::transition::Status;
use super::Ts;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClockState {
    Running,
    /// Past the policy's warning share of the window.
    Warning,
    Breached,
    /// Waiting on the citizen.
    Paused,
    /// Stopped by the deadline.
    Met,
    /// Stopped after the deadline.
    Late,
}

impl ClockState {
    pub fn slug(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Warning => "warning",
            ClockState::Breached => "breached",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Late => "late",
        }
    }

    /// Needs someone's attention now.
    pub fn is_alarm(self) -> bool {
        matches!(self, ClockState::Warning | ClockState::Breached)
    }

    /// The ticket-level state with the same meaning (for its symbol, colour
    /// and wording on screens).
    pub fn as_sla_state(self) -> super::SlaState {
        use super::SlaState;
        match self {
            ClockState::Running => SlaState::OnTrack,
            ClockState::Warning => SlaState::DueSoon,
            ClockState::Breached => SlaState::Overdue,
            ClockState::Paused => SlaState::Paused,
            ClockState::Met => SlaState::MetOnTime,
            ClockState::Late => SlaState::MetLate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClockView {
    pub clock: SlaClock,
    pub deadline: Ts,
    /// Working seconds of the clock's calendar from now (or from when the
    /// clock stopped or paused) to the deadline; negative once past it.
    pub remaining_secs: i64,
    /// The length of one working day of the clock's calendar (86 400 on the
    /// 24/7 hotline, 28 800 for standard office hours), to show
    /// `remaining_secs` in working days.
    pub working_day_secs: i64,
    pub state: ClockState,
}

/// The ticket's clocks at `now`: first response and resolution always (a
/// cancelled ticket has none), acknowledge and escalation-resolve while it
/// has an escalation that was not handed back.
pub fn clocks(ticket: &Ticket, policy: &Policy, now: Ts) -> Vec<ClockView> {
    if ticket.status == Status::Cancelled {
        return Vec::new();
    }
    let sla = &ticket.sla;
    let mut out = Vec::new();
    let mut push = |clock: SlaClock, start: Ts, deadline: Ts, stopped: Option<Ts>| {
        let (cal, _) = policy.clock_calendar(ticket, clock);
        let view = |from: Ts, state: ClockState| ClockView {
            clock,
            deadline,
            remaining_secs: cal.working_between(from, deadline),
            working_day_secs: cal.seconds_per_day(),
            state,
        };
        out.push(match stopped {
            Some(at) if at <= deadline => view(at, ClockState::Met),
            Some(at) => view(at, ClockState::Late),
            None => match sla.paused_since {
                Some(since) if matches!(clock, SlaClock::FirstResponse | SlaClock::Resolution) => {
                    view(since, ClockState::Paused)
                }
                _ if now > deadline => view(now, ClockState::Breached),
                _ if now >= policy.warning_at(cal, start, deadline) => {
                    view(now, ClockState::Warning)
                }
                _ => view(now, ClockState::Running),
            },
        });
    };
    push(
        SlaClock::FirstResponse,
        ticket.created_at,
        sla.respond_by,
        sla.responded_at,
    );
    let closed_unresolved = !ticket.is_open() && sla.resolved_at.is_none();
    push(
        SlaClock::Resolution,
        ticket.created_at,
        sla.resolve_by,
        sla.resolved_at
            .or(closed_unresolved.then_some(ticket.updated_at)),
    );
    if let Some(e) = &ticket.escalation {
        let with_ward = matches!(ticket.status, Status::Escalated | Status::Acknowledged);
        if with_ward || e.acknowledged_at.is_some() || sla.resolved_at.is_some() {
            push(
                SlaClock::Acknowledge,
                e.escalated_at,
                e.ack_by,
                e.acknowledged_at,
            );
        }
        if with_ward || sla.resolved_at.is_some() {
            push(
                SlaClock::EscalationResolve,
                e.escalated_at,
                e.resolve_by,
                sla.resolved_at,
            );
        }
    }
    out
}

/// The clock that matters most in a queue row: a breached one, else one in
/// warning, else the running clock with the nearest deadline, else the last.
pub fn headline(views: &[ClockView]) -> Option<&ClockView> {
    let rank = |v: &ClockView| match v.state {
        ClockState::Breached => 0,
        ClockState::Warning => 1,
        ClockState::Running => 2,
        ClockState::Paused => 3,
        ClockState::Late => 4,
        ClockState::Met => 5,
    };
    views.iter().min_by_key(|v| (rank(v), v.deadline))
}

/// The ticket's SLA state for screens and lists, under the policy: the
/// headline clock's state (so "due soon" means past the policy's warning
/// share in working time, everywhere); a cancelled ticket has no clocks.
pub fn sla_state(ticket: &Ticket, policy: &Policy, now: Ts) -> super::SlaState {
    state_of(&clocks(ticket, policy, now))
}

/// The SLA state shown for clocks already computed (e.g. by the hub).
pub fn state_of(views: &[ClockView]) -> super::SlaState {
    headline(views)
        .map(|v| v.state.as_sla_state())
        .unwrap_or(super::SlaState::Cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Change, Kind, NewTicket, Priority, Role, TicketId, User};
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Ts {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Ts(Ts::from_local_date(date).0 + i64::from(h) * 3600 + i64::from(min) * 60)
    }

    fn operator() -> User {
        User {
            name: "op".into(),
            display_name: "op".into(),
            role: Role::Operator,
            wards: vec![],
        }
    }

    #[test]
    fn clocks_run_warn_breach_pause_and_stop() {
        let p = Policy::shipped();
        let mut n = NewTicket::new(Kind::Fault, "Lỗi đồng bộ");
        n.priority = Priority::P1; // respond 1 h, resolve 8 h on the hotline
        let created = at(2025, 8, 18, 8, 0);
        let mut t = n
            .into_ticket_under(&p, TicketId(1), uuid::Uuid::nil(), "op", created)
            .unwrap();
        let v = clocks(&t, &p, at(2025, 8, 18, 8, 30));
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].clock, v[0].state),
            (SlaClock::FirstResponse, ClockState::Running)
        );
        assert_eq!(v[0].remaining_secs, 30 * 60);
        // 75 % of the hour: 08:45.
        let v = clocks(&t, &p, at(2025, 8, 18, 8, 45));
        assert_eq!(v[0].state, ClockState::Warning);
        let v = clocks(&t, &p, at(2025, 8, 18, 9, 10));
        assert_eq!(
            (v[0].state, v[0].remaining_secs),
            (ClockState::Breached, -10 * 60)
        );
        t.apply_under(&p, &Change::Start, &operator(), at(2025, 8, 18, 9, 20))
            .unwrap();
        t.apply_under(
            &p,
            &Change::Wait { note: None },
            &operator(),
            at(2025, 8, 18, 10, 0),
        )
        .unwrap();
        let v = clocks(&t, &p, at(2025, 8, 18, 20, 0));
        assert_eq!(
            (v[0].state, v[0].remaining_secs),
            (ClockState::Late, -20 * 60)
        );
        // Paused at 10:00 with 6 h left, whatever the hour now.
        assert_eq!(
            (v[1].state, v[1].remaining_secs),
            (ClockState::Paused, 6 * 3600)
        );
        assert_eq!(headline(&v).map(|h| h.clock), Some(SlaClock::Resolution));
    }
}
