//! Dashboard figures computed from the tickets a user may see.

use super::Stats;
use crate::domain::time::DAY;
use crate::domain::{Status, Ticket, Ts};
use chrono::Datelike;
use std::collections::BTreeMap;

/// Whether the ward team (or the centre) missed a deadline of the ticket's
/// escalation: the current level's deadlines as they stand at `now`, or an
/// escalation clock's breach in the timeline (`breach_recorded`), which a
/// raise to the next level leaves behind when it moves the deadlines.
pub fn escalation_breached(t: &Ticket, now: Ts, breach_recorded: bool) -> bool {
    let Some(e) = &t.escalation else {
        return false;
    };
    let late_ack = match e.acknowledged_at {
        Some(at) => at > e.ack_by,
        None => t.status == Status::Escalated && now > e.ack_by,
    };
    let late_fix = match t.sla.resolved_at {
        Some(at) => at > e.resolve_by,
        None => t.is_open() && now > e.resolve_by,
    };
    late_ack || late_fix || breach_recorded
}

/// Whether the timeline records a breach of an escalation clock
/// (acknowledge, escalation-resolve).
pub fn escalation_breach_recorded(events: &[crate::domain::Event]) -> bool {
    use crate::domain::{EventKind, SlaClock};
    events.iter().any(|ev| {
        matches!(
            ev.kind,
            EventKind::SlaBreach {
                clock: SlaClock::Acknowledge | SlaClock::EscalationResolve
            }
        )
    })
}

/// The dashboard's figures over `tickets`; `breach_recorded` says which of
/// them have an escalation clock's breach in their timeline.
pub fn compute_stats(
    tickets: &[Ticket],
    breach_recorded: &std::collections::BTreeSet<crate::domain::TicketId>,
    now: Ts,
) -> Stats {
    let mut open_by_status: BTreeMap<Status, usize> = BTreeMap::new();
    let mut overdue_by_ward: BTreeMap<u32, usize> = BTreeMap::new();
    let mut breaches: BTreeMap<String, usize> = BTreeMap::new();
    let today_start = Ts::from_local_date(now.local_date());
    let window = |days: i64| Ts(today_start.0 - (days - 1) * DAY);
    let (mut today, mut d7, mut d30) = ((0, 0), (0, 0), (0, 0));
    let mut per_day = vec![0usize; 30];
    let first_day = window(30);
    let mut overdue_total = 0;
    let mut open_top_level = 0;
    let mut on_time = OnTime::new(now);
    for t in tickets {
        if t.is_open() {
            *open_by_status.entry(t.status).or_default() += 1;
            open_top_level += usize::from(
                t.escalation
                    .as_ref()
                    .is_some_and(|e| e.level >= crate::domain::alarm::TOP_LEVEL),
            );
            if t.is_overdue(now) {
                overdue_total += 1;
                if let Some(w) = t.ward {
                    *overdue_by_ward.entry(w).or_default() += 1;
                }
            }
        }
        if let Some(resolved) = t.sla.resolved_at {
            let on_time = resolved <= t.sla.resolve_by;
            for (since, acc) in [
                (today_start, &mut today),
                (window(7), &mut d7),
                (window(30), &mut d30),
            ] {
                if resolved >= since {
                    acc.1 += 1;
                    acc.0 += usize::from(on_time);
                }
            }
        }
        on_time.add(t, now);
        if t.created_at >= first_day && t.created_at <= now {
            let day = ((t.created_at.0 - first_day.0) / DAY) as usize;
            if let Some(slot) = per_day.get_mut(day) {
                *slot += 1;
            }
        }
        if let Some(e) = &t.escalation {
            if escalation_breached(t, now, breach_recorded.contains(&t.id)) {
                *breaches.entry(e.fault.slug().to_string()).or_default() += 1;
            }
        }
    }
    let mut overdue_by_ward: Vec<(u32, usize)> = overdue_by_ward.into_iter().collect();
    overdue_by_ward.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    overdue_by_ward.truncate(10);
    let mut breaches_by_fault: Vec<(String, usize)> = breaches.into_iter().collect();
    breaches_by_fault.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Stats {
        now,
        open_tickets: open_by_status.values().sum(),
        open_by_status: open_by_status.into_iter().collect(),
        overdue_by_ward,
        on_time_today: today,
        on_time_7d: d7,
        on_time_30d: d30,
        new_per_day: per_day
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    Ts(first_day.0 + i as i64 * DAY)
                        .local_date()
                        .format("%m-%d")
                        .to_string(),
                    n,
                )
            })
            .collect(),
        breaches_by_fault,
        on_time_by_ward: worst_first(on_time.by_ward),
        on_time_by_fault: worst_first(on_time.by_fault),
        on_time_by_month: on_time
            .by_month
            .into_iter()
            .map(|(k, (a, b))| (k, a, b))
            .collect(),
        total_tickets: tickets.len(),
        overdue_tickets: overdue_total,
        open_top_level,
    }
}

/// The on-time rate as the city reports it: resolved by the deadline, out of
/// all resolved (cancelled tickets have no verdict). Waiting on the citizen
/// is excluded because it extends the stored deadline.
struct OnTime {
    since_30d: Ts,
    first_month: String,
    by_ward: BTreeMap<u32, (usize, usize)>,
    by_fault: BTreeMap<String, (usize, usize)>,
    by_month: BTreeMap<String, (usize, usize)>,
}

impl OnTime {
    fn new(now: Ts) -> OnTime {
        let today = now.local_date();
        let first = (0..11).fold(today.with_day(1).unwrap_or(today), |d, _| {
            d.pred_opt().and_then(|p| p.with_day(1)).unwrap_or(d)
        });
        OnTime {
            since_30d: Ts(Ts::from_local_date(today).0 - 29 * DAY),
            first_month: first.format("%Y-%m").to_string(),
            by_ward: BTreeMap::new(),
            by_fault: BTreeMap::new(),
            by_month: BTreeMap::new(),
        }
    }

    fn add(&mut self, t: &Ticket, now: Ts) {
        let Some(resolved) = t.sla.resolved_at else {
            return;
        };
        if t.status == Status::Cancelled || resolved > now {
            return;
        }
        let hit = usize::from(resolved <= t.sla.resolve_by);
        let count = |slot: &mut (usize, usize)| {
            slot.0 += hit;
            slot.1 += 1;
        };
        let month = resolved.local_date().format("%Y-%m").to_string();
        if month >= self.first_month {
            count(self.by_month.entry(month).or_default());
        }
        if resolved < self.since_30d {
            return;
        }
        let ward = t.escalation.as_ref().map(|e| e.ward).or(t.ward);
        if let Some(w) = ward {
            count(self.by_ward.entry(w).or_default());
        }
        if let Some(e) = &t.escalation {
            count(self.by_fault.entry(e.fault.slug().to_string()).or_default());
        }
    }
}

/// Lowest on-time share first (then most resolved, then key).
fn worst_first<K: Ord + Clone>(map: BTreeMap<K, (usize, usize)>) -> Vec<(K, usize, usize)> {
    let mut rows: Vec<(K, usize, usize)> = map.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
    rows.sort_by(|x, y| {
        (x.1 * y.2)
            .cmp(&(y.1 * x.2))
            .then(y.2.cmp(&x.2))
            .then(x.0.cmp(&y.0))
    });
    rows
}
