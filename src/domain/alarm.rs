//! The alarms of a ticket: for each clock that is running, the moment it
//! warns (a share of its window has passed) and the moment it is breached,
//! and what firing one does to the ticket. Pure: the store keeps the alarms
//! in a time-ordered index, the scheduler fires them.

use super::event::EventKind;
use super::policy::Policy;
use super::sla::SlaClock;
use super::ticket::Ticket;
use super::transition::Status;
use super::Ts;

/// The reason a level is raised by itself, as stored in `LevelRaised`
/// (screens translate it; see the catalogs' `level.reason.*`).
pub const REASON_NOT_ACKNOWLEDGED: &str = "not-acknowledged";

/// The level an unacknowledged ward escalation goes to: the city's
/// digital-transformation centre.
pub const TOP_LEVEL: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Warning,
    Breach,
}

impl Stage {
    pub fn code(self) -> u8 {
        match self {
            Stage::Warning => 0,
            Stage::Breach => 1,
        }
    }

    pub fn from_code(code: u8) -> Option<Stage> {
        match code {
            0 => Some(Stage::Warning),
            1 => Some(Stage::Breach),
            _ => None,
        }
    }
}

/// Stable one-byte code of a clock, for index keys.
pub fn clock_code(clock: SlaClock) -> u8 {
    SlaClock::ALL
        .iter()
        .position(|c| *c == clock)
        .expect("every clock is in ALL") as u8
}

pub fn clock_from_code(code: u8) -> Option<SlaClock> {
    SlaClock::ALL.get(code as usize).copied()
}

/// One moment a ticket's clock is due to be noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Alarm {
    pub at: Ts,
    pub clock: SlaClock,
    pub stage: Stage,
    /// The escalation level the clock runs at; 0 for the ticket's own clocks.
    pub level: u8,
    /// Which run of the clock this is: the ticket's creation for its own
    /// clocks, the escalation's moment for an escalation's (a ticket handed
    /// back and escalated again runs its escalation clocks afresh).
    pub run: Ts,
}

/// Every alarm of `t` as it stands, fired or not. A closed, cancelled or
/// paused (waiting on the citizen) ticket has none; a clock whose work is
/// done has none.
///
/// The warning moment is the policy's share of the window in the clock's
/// working time; an escalation's window starts at `escalated_at`, which a
/// raise to the next level moves to the moment of the raise.
pub fn alarms(t: &Ticket, policy: &Policy) -> Vec<Alarm> {
    let mut out = Vec::new();
    if !t.is_open() || t.sla.paused_since.is_some() {
        return out;
    }
    let mut both = |clock: SlaClock, level: u8, run: Ts, start: Ts, deadline: Ts| {
        let (calendar, _) = policy.clock_calendar(t, clock);
        for (stage, at) in [
            (Stage::Warning, policy.warning_at(calendar, start, deadline)),
            (Stage::Breach, deadline),
        ] {
            out.push(Alarm {
                at,
                clock,
                stage,
                level,
                run,
            });
        }
    };
    if t.sla.responded_at.is_none() {
        let c = SlaClock::FirstResponse;
        both(c, 0, t.created_at, t.created_at, t.sla.respond_by);
    }
    if t.sla.resolved_at.is_none() {
        let c = SlaClock::Resolution;
        both(c, 0, t.created_at, t.created_at, t.sla.resolve_by);
    }
    if let Some(e) = &t.escalation {
        let running = match t.status {
            Status::Escalated if e.acknowledged_at.is_none() => {
                Some((SlaClock::Acknowledge, e.ack_by))
            }
            Status::Acknowledged => Some((SlaClock::EscalationResolve, e.resolve_by)),
            _ => None,
        };
        if let Some((clock, deadline)) = running {
            both(clock, e.level, e.escalated_at, e.escalated_at, deadline);
        }
    }
    out
}

/// Fires `alarm` on `t` at `now`: the timeline entries it makes, and for an
/// unacknowledged level-1 escalation the raise to the city centre with the
/// policy's level-2 deadlines, counted from now (the level's window starts
/// now: `escalated_at` moves here; the timeline keeps the first escalation).
/// Bumps the version like any change.
pub fn fire(t: &mut Ticket, alarm: &Alarm, now: Ts, by: &str, policy: &Policy) -> Vec<EventKind> {
    let mut events = Vec::new();
    match alarm.stage {
        Stage::Warning => events.push(EventKind::SlaWarning { clock: alarm.clock }),
        Stage::Breach => events.push(EventKind::SlaBreach { clock: alarm.clock }),
    }
    if alarm.stage == Stage::Breach && alarm.clock == SlaClock::Acknowledge {
        if let Some(e) = t.escalation.as_mut().filter(|e| e.level < TOP_LEVEL) {
            let from = e.level;
            (e.ack_by, e.resolve_by) =
                policy.escalation_deadlines(TOP_LEVEL, e.severity, e.ward, now);
            e.escalated_at = now;
            e.level = TOP_LEVEL;
            events.push(EventKind::LevelRaised {
                from,
                to: TOP_LEVEL,
                reason: REASON_NOT_ACKNOWLEDGED.into(),
            });
        }
    }
    t.version += 1;
    t.updated_at = now;
    t.updated_by = by.to_string();
    events
}

/// The reason of the last level change in a timeline, if any.
pub fn level_reason(events: &[super::Event]) -> Option<&str> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::LevelRaised { reason, .. } => Some(reason.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::{Escalation, FaultType};
    use crate::domain::ticket::{Kind, NewTicket, Priority, TicketId};
    use crate::domain::time::HOUR;
    use uuid::Uuid;

    /// A P2 fault logged at 0: respond by 4 h, resolve by 24 h.
    fn ticket() -> Ticket {
        let mut n = NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ");
        n.priority = Priority::P2;
        n.into_ticket(TicketId(7), Uuid::nil(), "lan.nt", Ts(0))
            .unwrap()
    }

    fn escalated(t: &mut Ticket, at: Ts, severity: Priority) {
        // P2 ward escalation: acknowledge within 2 h, resolve within 24 h.
        t.status = Status::Escalated;
        t.sla.responded_at = Some(at);
        t.escalation = Some(Escalation {
            ward: 26743,
            fault: FaultType::PortalSync,
            level: 1,
            severity,
            escalated_at: at,
            escalated_by: "lan.nt".into(),
            ack_by: Ts(at.0 + 2 * HOUR),
            resolve_by: Ts(at.0 + 24 * HOUR),
            acknowledged_at: None,
            acknowledged_by: None,
        });
    }

    /// The shipped policy with every escalation counted around the clock,
    /// so the moments below are plain sums.
    fn policy() -> Policy {
        let all_day = "[escalation.level1]\nack_calendar = \"hotline\"\nresolve_calendar = \"hotline\"\n\
                       [escalation.level2]\nack_calendar = \"hotline\"\nresolve_calendar = \"hotline\"\n";
        Policy::from_texts(
            &[
                (
                    "sla_policy.toml",
                    include_str!("../../data/sla_policy.toml"),
                ),
                ("test.toml", all_day),
            ],
            &[],
        )
        .unwrap()
    }

    fn alarms(t: &Ticket) -> Vec<Alarm> {
        super::alarms(t, &policy())
    }

    fn fire(t: &mut Ticket, alarm: &Alarm, now: Ts, by: &str) -> Vec<EventKind> {
        super::fire(t, alarm, now, by, &policy())
    }

    fn moments(t: &Ticket) -> Vec<(i64, SlaClock, Stage, u8)> {
        let mut v: Vec<_> = alarms(t)
            .into_iter()
            .map(|a| (a.at.0, a.clock, a.stage, a.level))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_ticket_warns_at_three_quarters_of_each_window_and_breaches_at_its_end() {
        use SlaClock::*;
        assert_eq!(
            moments(&ticket()),
            vec![
                (3 * HOUR, FirstResponse, Stage::Warning, 0),
                (4 * HOUR, FirstResponse, Stage::Breach, 0),
                (18 * HOUR, Resolution, Stage::Warning, 0),
                (24 * HOUR, Resolution, Stage::Breach, 0),
            ]
        );
    }

    #[test]
    fn paused_closed_and_answered_clocks_have_no_alarms() {
        let mut t = ticket();
        t.sla.paused_since = Some(Ts(60));
        assert!(alarms(&t).is_empty());
        let mut t = ticket();
        t.status = Status::Resolved;
        assert!(alarms(&t).is_empty());
        let mut t = ticket();
        t.status = Status::Cancelled;
        assert!(alarms(&t).is_empty());
        let mut t = ticket();
        t.sla.responded_at = Some(Ts(60));
        assert!(alarms(&t).iter().all(|a| a.clock == SlaClock::Resolution));
    }

    #[test]
    fn an_unacknowledged_escalation_breaches_and_goes_to_the_city_centre_with_new_deadlines() {
        let mut t = ticket();
        escalated(&mut t, Ts(HOUR), Priority::P2);
        let ack: Vec<_> = alarms(&t)
            .into_iter()
            .filter(|a| a.clock == SlaClock::Acknowledge)
            .collect();
        // Window 1 h .. 3 h: warning at 2.5 h.
        assert_eq!(ack[0].at, Ts(HOUR * 5 / 2));
        let breach = ack[1];
        assert_eq!(
            (breach.at, breach.stage, breach.level),
            (Ts(3 * HOUR), Stage::Breach, 1)
        );
        let version = t.version;
        let events = fire(&mut t, &breach, Ts(3 * HOUR + 5), "hotline");
        assert_eq!(
            events,
            vec![
                EventKind::SlaBreach {
                    clock: SlaClock::Acknowledge
                },
                EventKind::LevelRaised {
                    from: 1,
                    to: 2,
                    reason: "not-acknowledged".into()
                },
            ]
        );
        let e = t.escalation.as_ref().unwrap();
        assert_eq!(e.level, 2);
        // P2 at the centre (shipped policy): 1 h to acknowledge, 16 h to
        // resolve, from the raise, which starts the level's window.
        assert_eq!(e.ack_by, Ts(4 * HOUR + 5));
        assert_eq!(e.resolve_by, Ts(19 * HOUR + 5));
        assert_eq!(e.escalated_at, Ts(3 * HOUR + 5));
        assert_eq!(t.version, version + 1);
        assert_eq!(t.updated_by, "hotline");
        // Level 2 runs its own acknowledge clock: window raise .. +1 h.
        let top: Vec<_> = alarms(&t)
            .into_iter()
            .filter(|a| a.clock == SlaClock::Acknowledge)
            .map(|a| (a.at, a.level))
            .collect();
        assert_eq!(
            top,
            vec![(Ts(3 * HOUR + 45 * 60 + 5), 2), (Ts(4 * HOUR + 5), 2)]
        );
        // A level-2 breach raises nothing further.
        let mut again = t.clone();
        let events = fire(&mut again, &alarms(&t)[3], Ts(6 * HOUR), "hotline");
        assert_eq!(events.len(), 1);
        assert_eq!(again.escalation.unwrap().level, 2);
    }

    #[test]
    fn an_acknowledged_escalation_runs_its_resolve_clock_instead() {
        let mut t = ticket();
        escalated(&mut t, Ts(HOUR), Priority::P2);
        t.status = Status::Acknowledged;
        t.escalation.as_mut().unwrap().acknowledged_at = Some(Ts(2 * HOUR));
        let clocks: Vec<_> = alarms(&t).into_iter().map(|a| a.clock).collect();
        assert!(clocks.contains(&SlaClock::EscalationResolve));
        assert!(!clocks.contains(&SlaClock::Acknowledge));
    }

    #[test]
    fn clock_codes_round_trip() {
        for c in SlaClock::ALL {
            assert_eq!(clock_from_code(clock_code(c)), Some(c));
        }
        assert_eq!(Stage::from_code(Stage::Breach.code()), Some(Stage::Breach));
        assert_eq!(clock_from_code(9), None);
    }
}
