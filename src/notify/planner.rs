//! Which ticket changes are told to whom (the routing in README,
//! "Notifications"), made into outbox entries inside the change's transaction.

use super::contacts::{Contacts, Recipient, Target};
use super::event::{unix_ms, NotifyKind, Pending, TicketSummary, WebhookEvent};
use super::message::message;
use crate::domain::{Action, Event, EventKind, SlaClock, Status, Ticket};
use crate::store::OutboxPlanner;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// One reason to tell someone, from one timeline event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occasion {
    pub kind: NotifyKind,
    pub clock: Option<SlaClock>,
    /// `LevelRaised`'s reason.
    pub reason: Option<String>,
    pub to: Vec<Recipient>,
}

/// The occasions a change's events give, in order.
pub fn occasions(new: &Ticket, events: &[Event]) -> Vec<(usize, Occasion)> {
    let ward = new.escalation.as_ref().map(|e| Recipient::Ward(e.ward));
    let with_ward_team =
        ward.filter(|_| matches!(new.status, Status::Escalated | Status::Acknowledged));
    let occasion = |kind, to: Vec<Recipient>| Occasion {
        kind,
        clock: None,
        reason: None,
        to,
    };
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        let mut add = |o: Occasion| {
            if !o.to.is_empty() {
                out.push((i, o));
            }
        };
        match &ev.kind {
            EventKind::Escalated { ward, level, .. } => {
                add(occasion(
                    NotifyKind::Escalated,
                    vec![Recipient::Ward(*ward)],
                ));
                if *level >= 2 {
                    add(occasion(
                        NotifyKind::Level2,
                        vec![Recipient::City, Recipient::Supervisors],
                    ));
                }
            }
            EventKind::StatusChanged { action, .. } => {
                let kind = match action {
                    Action::Ack => NotifyKind::Acknowledged,
                    Action::Resolve => NotifyKind::Resolved,
                    Action::Return => NotifyKind::HandedBack,
                    _ => continue,
                };
                add(occasion(kind, ward.into_iter().collect()));
            }
            EventKind::SlaWarning { clock } => add(Occasion {
                clock: Some(*clock),
                ..occasion(
                    NotifyKind::Warning,
                    vec![with_ward_team.unwrap_or(Recipient::Supervisors)],
                )
            }),
            EventKind::SlaBreach { clock } => {
                let mut to: Vec<Recipient> = with_ward_team.into_iter().collect();
                to.push(Recipient::Supervisors);
                add(Occasion {
                    clock: Some(*clock),
                    ..occasion(NotifyKind::Breach, to)
                })
            }
            EventKind::LevelRaised { to, reason, .. } if *to >= 2 => add(Occasion {
                reason: Some(reason.clone()),
                ..occasion(
                    NotifyKind::Level2,
                    vec![Recipient::City, Recipient::Supervisors],
                )
            }),
            _ => {}
        }
    }
    out
}

/// A key fixed for one notification to one endpoint: every attempt, and
/// every restart of the sender, sends it again under the same key.
pub fn idempotency_key(t: &Ticket, seq: u32, kind: NotifyKind, target: &Target) -> String {
    let mut h = Sha256::new();
    for part in [
        t.request_id.to_string().as_str(),
        &seq.to_string(),
        kind.slug(),
        &target.to.to_string(),
        target.format.slug(),
        &target.fingerprint,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The outbox entries for a change: one per occasion and endpoint.
pub fn plan(contacts: &Contacts, new: &Ticket, events: &[Event]) -> Vec<Pending> {
    let mut out = Vec::new();
    for (i, occasion) in occasions(new, events) {
        let ev = &events[i];
        let text = message(new, &occasion, &ev.by);
        for to in &occasion.to {
            for endpoint in contacts.of(*to) {
                let target = endpoint.target.clone();
                let key = idempotency_key(new, ev.seq, occasion.kind, &target);
                out.push(Pending {
                    event: WebhookEvent {
                        id: key,
                        kind: occasion.kind,
                        at: ev.at.rfc3339(),
                        to: to.to_string(),
                        ticket: TicketSummary::of(new),
                        clock: occasion.clock,
                        by: ev.by.clone(),
                        text: text.clone(),
                    },
                    target,
                    attempts: 0,
                    next_at_ms: 0,
                    last_error: None,
                    created_at_ms: unix_ms(ev.at),
                    ticket: new.id.0,
                });
            }
        }
    }
    out
}

/// The planner the store is given.
pub struct Planner(pub Arc<Contacts>);

impl OutboxPlanner for Planner {
    fn plan(&self, _old: Option<&Ticket>, new: &Ticket, events: &[Event]) -> Vec<Vec<u8>> {
        if self.0.endpoints.is_empty() {
            return Vec::new();
        }
        plan(&self.0, new, events)
            .iter()
            .map(Pending::encode)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Change, EscalationRequest, FaultType, Kind, NewTicket, Priority, Role, Ts, User,
    };
    use Recipient::{City, Supervisors, Ward};

    const WARD: u32 = 26743;
    const NOW: Ts = Ts(1_763_600_000);

    fn user(name: &str, role: Role) -> User {
        User {
            name: name.into(),
            display_name: name.into(),
            role,
            wards: vec![WARD],
        }
    }

    fn ticket() -> Ticket {
        NewTicket::new(Kind::Fault, "Lỗi đồng bộ")
            .into_ticket(crate::domain::TicketId(1), uuid::Uuid::nil(), "op", NOW)
            .unwrap()
    }

    /// Applies `change` and returns the ticket and its new events.
    fn apply(t: &mut Ticket, change: Change, by: &User) -> Vec<Event> {
        let kinds = t.apply(&change, by, NOW).unwrap();
        kinds
            .into_iter()
            .map(|kind| Event {
                seq: 0,
                at: NOW,
                by: by.name.clone(),
                kind,
            })
            .collect()
    }

    fn routes(t: &Ticket, events: &[Event]) -> Vec<(NotifyKind, Vec<Recipient>)> {
        occasions(t, events)
            .into_iter()
            .map(|(_, o)| (o.kind, o.to))
            .collect()
    }

    fn event(kind: EventKind) -> Vec<Event> {
        vec![Event {
            seq: 0,
            at: NOW,
            by: "hotline".into(),
            kind,
        }]
    }

    #[test]
    fn each_change_goes_to_whom_the_readme_says() {
        let (op, bt) = (user("op", Role::Operator), user("bt", Role::Responder));
        let mut t = ticket();
        // Unescalated: warnings and breaches go to the supervisors only.
        let warning = event(EventKind::SlaWarning {
            clock: SlaClock::FirstResponse,
        });
        assert_eq!(
            routes(&t, &warning),
            vec![(NotifyKind::Warning, vec![Supervisors])]
        );
        let breach = event(EventKind::SlaBreach {
            clock: SlaClock::Resolution,
        });
        assert_eq!(
            routes(&t, &breach),
            vec![(NotifyKind::Breach, vec![Supervisors])]
        );
        let escalate = |level| {
            Change::Escalate(EscalationRequest {
                ward: WARD,
                fault: FaultType::PortalSync,
                level,
                severity: Priority::P2,
                note: None,
            })
        };
        let ev = apply(&mut t, escalate(1), &op);
        assert_eq!(
            routes(&t, &ev),
            vec![(NotifyKind::Escalated, vec![Ward(WARD)])]
        );
        // With the ward team: warnings to the team, breaches to the team and supervisors.
        assert_eq!(
            routes(&t, &warning),
            vec![(NotifyKind::Warning, vec![Ward(WARD)])]
        );
        assert_eq!(
            routes(&t, &breach),
            vec![(NotifyKind::Breach, vec![Ward(WARD), Supervisors])]
        );
        let raised = event(EventKind::LevelRaised {
            from: 1,
            to: 2,
            reason: "not acknowledged in time".into(),
        });
        assert_eq!(
            routes(&t, &raised),
            vec![(NotifyKind::Level2, vec![City, Supervisors])]
        );
        let ev = apply(&mut t, Change::Ack { note: None }, &bt);
        assert_eq!(
            routes(&t, &ev),
            vec![(NotifyKind::Acknowledged, vec![Ward(WARD)])]
        );
        let ev = apply(
            &mut t,
            Change::Return {
                note: "không thuộc phường".into(),
            },
            &bt,
        );
        assert_eq!(
            routes(&t, &ev),
            vec![(NotifyKind::HandedBack, vec![Ward(WARD)])]
        );
        // Back with the hotline: the ward team no longer gets warnings.
        assert_eq!(
            routes(&t, &warning),
            vec![(NotifyKind::Warning, vec![Supervisors])]
        );
        let ev = apply(&mut t, escalate(2), &op);
        assert_eq!(
            routes(&t, &ev),
            vec![
                (NotifyKind::Escalated, vec![Ward(WARD)]),
                (NotifyKind::Level2, vec![City, Supervisors]),
            ]
        );
        let ev = apply(&mut t, Change::Ack { note: None }, &bt);
        assert_eq!(ev.len(), 1);
        let ev = apply(
            &mut t,
            Change::Resolve {
                note: "đã đồng bộ lại".into(),
            },
            &bt,
        );
        assert_eq!(
            routes(&t, &ev),
            vec![(NotifyKind::Resolved, vec![Ward(WARD)])]
        );
        // Comments, assignments, edits tell nobody.
        let ev = apply(
            &mut t,
            Change::Comment {
                text: "ghi chú".into(),
            },
            &op,
        );
        assert_eq!(routes(&t, &ev), vec![]);
    }
}
