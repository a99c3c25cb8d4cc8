//! Demo data: deterministic, valid, and a consistent result of real lifecycle changes.

use hotline::demo::{demo_users, dossiers, tickets, DemoConfig};
use hotline::domain::{validate, EventKind, Role, Status};
use std::collections::HashSet;

fn cfg() -> DemoConfig {
    DemoConfig {
        dossiers: 20_000,
        tickets: 1_500,
        ..DemoConfig::default()
    }
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a: Vec<_> = dossiers(&cfg()).take(2000).collect();
    let b: Vec<_> = dossiers(&cfg()).take(2000).collect();
    assert_eq!(a, b);
    assert_eq!(tickets(&cfg()), tickets(&cfg()));
    let other = DemoConfig { seed: 7, ..cfg() };
    assert_ne!(dossiers(&other).next(), dossiers(&cfg()).next());
}

#[test]
fn dossiers_are_valid_unique_and_realistic() {
    let c = cfg();
    let all: Vec<_> = dossiers(&c).collect();
    let codes: HashSet<&str> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    let mut overdue = 0;
    let mut sync_errors = 0;
    for d in &all {
        assert_eq!(validate::dossier_code(&d.code).unwrap(), d.code);
        assert!(hotline::reference::ward(d.ward).is_some());
        assert!(hotline::reference::procedure(&d.procedure_code).is_some());
        assert_eq!(hotline::text::nfc(&d.applicant_name), d.applicant_name);
        assert!(
            d.applicant_name.split(' ').count() >= 3,
            "{}",
            d.applicant_name
        );
        assert!(d.due_at > d.received_at && d.received_at < c.now);
        if let Some(p) = &d.applicant_phone {
            assert_eq!(validate::Phone::parse(p.as_str()).unwrap(), *p);
        }
        overdue += usize::from(d.is_overdue(c.now));
        sync_errors += usize::from(d.sync == hotline::domain::SyncState::Error);
    }
    let share = |n: usize| n as f64 / all.len() as f64;
    assert!(
        (0.04..0.25).contains(&share(overdue)),
        "overdue share {}",
        share(overdue)
    );
    assert!(
        (0.01..0.06).contains(&share(sync_errors)),
        "sync error share {}",
        share(sync_errors)
    );
    let first = all
        .iter()
        .filter(|d| d.applicant_name.starts_with("Nguyễn "))
        .count();
    assert!(
        (0.2..0.45).contains(&share(first)),
        "Nguyễn share {}",
        share(first)
    );
}

#[test]
fn tickets_replay_to_their_status_and_cover_every_status() {
    let c = cfg();
    let all = tickets(&c);
    assert_eq!(all.len(), c.tickets);
    let mut statuses = HashSet::new();
    let mut escalated_wards = HashSet::new();
    for (t, events) in &all {
        assert_eq!(t.events as usize, events.len());
        assert!(matches!(events[0].kind, EventKind::Created));
        let mut status = Status::New;
        let mut last = t.created_at;
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.seq as usize, i);
            assert!(
                e.at >= last && e.at <= c.now,
                "events in order, never after now"
            );
            last = e.at;
            if let EventKind::StatusChanged { from, to, .. } = &e.kind {
                assert_eq!(*from, status, "{}", t.id);
                status = *to;
            }
            if let EventKind::Escalated { ward, .. } = &e.kind {
                escalated_wards.insert(*ward);
            }
        }
        assert_eq!(status, t.status, "{}", t.id);
        statuses.insert(t.status);
    }
    for s in Status::ALL {
        assert!(statuses.contains(&s), "no demo ticket is {s}");
    }
    assert!(
        escalated_wards.len() > 20,
        "escalations spread across wards"
    );
}

#[test]
fn demo_users_cover_every_role() {
    let users = demo_users();
    for role in Role::ALL {
        assert!(users.iter().any(|u| u.role == role), "{role}");
    }
    assert!(users
        .iter()
        .filter(|u| u.role == Role::Responder)
        .all(|u| !u.wards.is_empty()));
}
