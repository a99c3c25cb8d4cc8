//! Dashboard figures computed from the tickets a user may see.

use super::Stats;
use crate::domain::time::DAY;
use crate::domain::{Status, Ticket, Ts};
use std::collections::BTreeMap;

pub fn compute_stats(tickets: &[Ticket], now: Ts) -> Stats {
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
        if t.created_at >= first_day && t.created_at <= now {
            let day = ((t.created_at.0 - first_day.0) / DAY) as usize;
            if let Some(slot) = per_day.get_mut(day) {
                *slot += 1;
            }
        }
        if let Some(e) = &t.escalation {
            let late_ack = match e.acknowledged_at {
                Some(at) => at > e.ack_by,
                None => t.status == Status::Escalated && now > e.ack_by,
            };
            let late_fix = match t.sla.resolved_at {
                Some(at) => at > e.resolve_by,
                None => t.is_open() && now > e.resolve_by,
            };
            if late_ack || late_fix {
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
        total_tickets: tickets.len(),
        overdue_tickets: overdue_total,
        open_top_level,
    }
}
