//! Changes to a ticket and the rules for applying them. Pure: the store
//! persists the result, the API layer checks visibility first.

use super::escalation::{Escalation, EscalationRequest};
use super::event::EventKind;
use super::policy::Policy;
use super::ticket::{Channel, Kind, Priority, Ticket, TicketId};
use super::transition::{next_status, Action, Status, TransitionError};
use super::user::{Role, User};
use super::validate::{self, Phone, ValidationError};
use super::{Ts, WardCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "change", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    Comment {
        text: String,
    },
    Start,
    Wait {
        note: Option<String>,
    },
    Escalate(EscalationRequest),
    Ack {
        note: Option<String>,
    },
    Return {
        note: String,
    },
    Resolve {
        note: String,
    },
    Close,
    Reopen {
        reason: String,
    },
    Cancel {
        duplicate_of: Option<TicketId>,
        note: Option<String>,
    },
    Assign {
        to: Option<String>,
    },
    LinkDossier {
        code: String,
    },
    Edit(TicketEdit),
}

/// Fields an operator may correct after logging. `None` leaves a field alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TicketEdit {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<Priority>,
    pub ward: Option<WardCode>,
    pub category: Option<String>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    /// An empty string clears it.
    #[serde(default)]
    pub caller_cccd: Option<String>,
    #[serde(default)]
    pub kind: Option<Kind>,
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The whole list of linked dossier codes, replacing the old one.
    #[serde(default)]
    pub dossiers: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("not allowed: {0}")]
    Forbidden(String),
}

impl Change {
    /// The lifecycle action this change fires, if any.
    pub fn action(&self) -> Option<Action> {
        Some(match self {
            Change::Start => Action::Start,
            Change::Wait { .. } => Action::Wait,
            Change::Escalate(_) => Action::Escalate,
            Change::Ack { .. } => Action::Ack,
            Change::Return { .. } => Action::Return,
            Change::Resolve { .. } => Action::Resolve,
            Change::Close => Action::Close,
            Change::Reopen { .. } => Action::Reopen,
            Change::Cancel { .. } => Action::Cancel,
            _ => return None,
        })
    }
}

/// Whether `user` may see `ticket` at all. Responders see only tickets
/// escalated to one of their wards; admins configure and see no tickets.
pub fn can_see(user: &User, ticket: &Ticket) -> bool {
    match user.role {
        Role::Operator | Role::Supervisor => true,
        Role::Responder => ticket
            .escalation
            .as_ref()
            .is_some_and(|e| user.covers_ward(e.ward)),
        Role::Admin => false,
    }
}

fn optional_note(field: &str, note: &Option<String>) -> Result<Option<String>, ValidationError> {
    match note {
        Some(n) => {
            let v = validate::text(field, n, validate::MAX_COMMENT, false)?;
            Ok(if v.is_empty() { None } else { Some(v) })
        }
        None => Ok(None),
    }
}

impl Ticket {
    /// Applies `change` by `actor` at `now` under the shipped SLA policy.
    pub fn apply(
        &mut self,
        change: &Change,
        actor: &User,
        now: Ts,
    ) -> Result<Vec<EventKind>, DomainError> {
        self.apply_under(&Policy::shipped(), change, actor, now)
    }

    /// Applies `change` by `actor` at `now`, with deadlines from `policy`,
    /// returning the timeline entries it produced. On error the ticket is
    /// unchanged.
    pub fn apply_under(
        &mut self,
        policy: &Policy,
        change: &Change,
        actor: &User,
        now: Ts,
    ) -> Result<Vec<EventKind>, DomainError> {
        let mut next = self.clone();
        let events = next.apply_inner(policy, change, actor, now)?;
        next.version += 1;
        next.updated_at = now;
        next.updated_by = actor.name.clone();
        *self = next;
        Ok(events)
    }

    fn apply_inner(
        &mut self,
        policy: &Policy,
        change: &Change,
        actor: &User,
        now: Ts,
    ) -> Result<Vec<EventKind>, DomainError> {
        if let Some(action) = change.action() {
            return self.transition(policy, action, change, actor, now);
        }
        let works = matches!(actor.role, Role::Operator | Role::Supervisor);
        match change {
            Change::Comment { text } => {
                if actor.role == Role::Admin {
                    return Err(DomainError::Forbidden(
                        "admins do not comment on tickets".into(),
                    ));
                }
                let text = validate::text("comment", text, validate::MAX_COMMENT, true)?;
                Ok(vec![EventKind::Commented { text }])
            }
            Change::Assign { to } => {
                let allowed = match actor.role {
                    Role::Supervisor => true,
                    Role::Operator => to.as_deref().is_none_or(|u| u == actor.name),
                    _ => false,
                };
                if !allowed {
                    return Err(DomainError::Forbidden(format!(
                        "{}s may only assign tickets to themselves",
                        actor.role
                    )));
                }
                self.assignee = to.clone();
                Ok(vec![EventKind::Assigned { to: to.clone() }])
            }
            Change::LinkDossier { code } => {
                if !works {
                    return Err(DomainError::Forbidden(format!(
                        "{}s may not link dossiers",
                        actor.role
                    )));
                }
                let code = validate::dossier_code(code)?;
                if self.dossiers.contains(&code) {
                    return Err(ValidationError::new(
                        "dossier_code",
                        format!("{code} is already linked"),
                    )
                    .into());
                }
                if self.dossiers.len() >= validate::MAX_DOSSIERS {
                    return Err(ValidationError::new("dossiers", "too many linked dossiers").into());
                }
                self.dossiers.push(code.clone());
                Ok(vec![EventKind::Linked { dossier: code }])
            }
            Change::Edit(edit) => {
                if !works {
                    return Err(DomainError::Forbidden(format!(
                        "{}s may not edit tickets",
                        actor.role
                    )));
                }
                if !self.is_open() {
                    return Err(DomainError::Forbidden(format!(
                        "a {} ticket cannot be edited",
                        self.status
                    )));
                }
                let fields = self.edit(policy, edit)?;
                if fields.is_empty() {
                    return Err(ValidationError::new("edit", "nothing to change").into());
                }
                Ok(vec![EventKind::Edited { fields }])
            }
            _ => unreachable!("lifecycle changes are handled above"),
        }
    }

    fn edit(&mut self, policy: &Policy, e: &TicketEdit) -> Result<Vec<String>, ValidationError> {
        let mut fields = Vec::new();
        if let Some(s) = &e.subject {
            self.subject = validate::line("subject", s, validate::MAX_SUBJECT, true)?;
            fields.push("subject".to_string());
        }
        if let Some(d) = &e.description {
            self.description = validate::text("description", d, validate::MAX_DESCRIPTION, false)?;
            fields.push("description".into());
        }
        if let Some(p) = e.priority {
            self.priority = p;
            fields.push("priority".into());
        }
        if let Some(w) = e.ward {
            self.ward = Some(w);
            fields.push("ward".into());
        }
        if let Some(c) = &e.category {
            self.category = validate::line("category", c, validate::MAX_CATEGORY, false)?;
            fields.push("category".into());
        }
        if let Some(n) = &e.caller_name {
            self.caller.name = validate::line("caller_name", n, validate::MAX_NAME, false)?;
            fields.push("caller_name".into());
        }
        if let Some(p) = &e.caller_phone {
            self.caller.phone = if p.trim().is_empty() {
                None
            } else {
                Some(Phone::parse(p)?)
            };
            fields.push("caller_phone".into());
        }
        if let Some(c) = &e.caller_cccd {
            self.caller.cccd = if c.trim().is_empty() {
                None
            } else {
                Some(validate::parse_cccd(c)?)
            };
            fields.push("caller_cccd".into());
        }
        if let Some(k) = e.kind {
            self.kind = k;
            fields.push("kind".into());
        }
        if let Some(c) = e.channel {
            self.channel = c;
            fields.push("channel".into());
        }
        if let Some(codes) = &e.dossiers {
            self.dossiers =
                validate::dossier_codes(codes).map_err(|mut errors| errors.remove(0))?;
            fields.push("dossiers".into());
        }
        // New kind, priority or ward (whose office hours may differ): the
        // deadlines are those of the new class, counted from when the ticket
        // was logged (waits still added).
        if e.kind.is_some() || e.priority.is_some() || e.ward.is_some() {
            self.sla.retarget(policy, self.sla_class(), self.created_at);
        }
        Ok(fields)
    }

    fn transition(
        &mut self,
        policy: &Policy,
        action: Action,
        change: &Change,
        actor: &User,
        now: Ts,
    ) -> Result<Vec<EventKind>, DomainError> {
        let from = self.status;
        let to = next_status(from, action, actor.role)?;
        let mut events = Vec::new();
        let note = match change {
            Change::Wait { note } | Change::Ack { note } => optional_note("note", note)?,
            Change::Return { note } => {
                Some(validate::text("note", note, validate::MAX_COMMENT, true)?)
            }
            Change::Resolve { note } => Some(validate::text(
                "resolution",
                note,
                validate::MAX_COMMENT,
                true,
            )?),
            Change::Reopen { reason } => Some(validate::text(
                "reason",
                reason,
                validate::MAX_COMMENT,
                true,
            )?),
            Change::Cancel { note, .. } => optional_note("note", note)?,
            Change::Escalate(req) => optional_note("note", &req.note)?,
            _ => None,
        };
        if from == Status::WaitingOnCitizen {
            self.sla.resume(policy, self.sla_class(), now);
        }
        match change {
            Change::Wait { .. } => self.sla.pause(now),
            Change::Escalate(req) => {
                if !(1..=2).contains(&req.level) {
                    return Err(ValidationError::new(
                        "level",
                        "must be 1 (ward team) or 2 (city centre)",
                    )
                    .into());
                }
                let (ack_by, resolve_by) =
                    policy.escalation_deadlines(req.level, req.severity, req.ward, now);
                self.escalation = Some(Escalation {
                    ward: req.ward,
                    fault: req.fault,
                    level: req.level,
                    severity: req.severity,
                    escalated_at: now,
                    escalated_by: actor.name.clone(),
                    ack_by,
                    resolve_by,
                    acknowledged_at: None,
                    acknowledged_by: None,
                });
                if self.ward.is_none() {
                    self.ward = Some(req.ward);
                }
                events.push(EventKind::Escalated {
                    ward: req.ward,
                    fault: req.fault,
                    level: req.level,
                });
            }
            Change::Ack { .. } => {
                if let Some(e) = self.escalation.as_mut() {
                    e.acknowledged_at = Some(now);
                    e.acknowledged_by = Some(actor.name.clone());
                }
                // The responder who acknowledges takes the ticket.
                self.assignee = Some(actor.name.clone());
            }
            // Handed back: the operator who escalated has it again.
            Change::Return { .. } => {
                self.assignee = self.escalation.as_ref().map(|e| e.escalated_by.clone());
            }
            Change::Resolve { .. } => self.sla.resolved_at = Some(now),
            Change::Reopen { .. } => self.sla.resolved_at = None,
            Change::Cancel { duplicate_of, .. } => {
                if *duplicate_of == Some(self.id) {
                    return Err(ValidationError::new(
                        "duplicate_of",
                        "a ticket cannot duplicate itself",
                    )
                    .into());
                }
                self.merged_into = *duplicate_of;
            }
            _ => {}
        }
        if from == Status::New {
            self.sla.responded(now);
        }
        self.status = to;
        events.insert(
            0,
            EventKind::StatusChanged {
                action,
                from,
                to,
                note,
            },
        );
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::FaultType;
    use crate::domain::ticket::{Kind, NewTicket};
    use uuid::Uuid;

    fn user(role: Role, wards: &[u32]) -> User {
        User {
            name: role.slug().into(),
            display_name: role.slug().into(),
            role,
            wards: wards.to_vec(),
        }
    }

    fn ticket() -> Ticket {
        NewTicket::new(Kind::Fault, "Hồ sơ kẹt đồng bộ")
            .into_ticket(TicketId(1), Uuid::nil(), "operator", Ts(0))
            .unwrap()
    }

    #[test]
    fn wait_pauses_and_resume_moves_the_deadline() {
        let op = user(Role::Operator, &[]);
        let mut t = ticket();
        let due = t.sla.resolve_by;
        t.apply(&Change::Start, &op, Ts(10)).unwrap();
        t.apply(&Change::Wait { note: None }, &op, Ts(100)).unwrap();
        assert!(
            !t.is_overdue(Ts(due.0 + 10_000)),
            "paused tickets are not overdue"
        );
        t.apply(&Change::Start, &op, Ts(1100)).unwrap();
        assert_eq!(t.sla.resolve_by, Ts(due.0 + 1000));
        assert_eq!(t.version, 4);
    }

    #[test]
    fn editing_kind_or_priority_moves_the_deadlines_and_every_field_is_editable() {
        let op = user(Role::Operator, &[]);
        let mut t = ticket(); // fault, P3, logged at 0: resolve in 72 h
        assert_eq!(t.sla.resolve_by, Ts(72 * 3600));
        t.apply(&Change::Start, &op, Ts(10)).unwrap();
        t.apply(&Change::Wait { note: None }, &op, Ts(100)).unwrap();
        t.apply(&Change::Start, &op, Ts(700)).unwrap(); // waited 600 s
        let edit = TicketEdit {
            priority: Some(Priority::P1),
            kind: Some(Kind::Complaint),
            channel: Some(crate::domain::Channel::Zalo),
            caller_cccd: Some("079 123 456 789".into()),
            dossiers: Some(vec![
                "000.00.01.h29-250812-0042".into(),
                "000.00.01.H29-250812-0042".into(),
            ]),
            ..Default::default()
        };
        let ev = t.apply(&Change::Edit(edit), &op, Ts(800)).unwrap();
        // A complaint: 5 working days of the ward's office hours from the
        // start, plus the 600 s waited. Ts(0) is Thursday 1970-01-01 07:00 in
        // HCMC; the office opens at 07:30, so Thu, Fri, Mon, Tue, Wed are
        // the five days (ending Wed 17:00) and the wait runs into Thursday
        // 1970-01-08 07:40, i.e. 7 days + 40 minutes after Ts(0).
        assert_eq!(t.sla.resolve_by, Ts(7 * 86_400 + 40 * 60));
        assert_eq!(t.kind, Kind::Complaint);
        assert_eq!(t.channel, crate::domain::Channel::Zalo);
        assert_eq!(t.caller.cccd.as_deref(), Some("079123456789"));
        assert_eq!(t.dossiers, ["000.00.01.H29-250812-0042"]);
        let EventKind::Edited { fields } = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            fields,
            &["priority", "caller_cccd", "kind", "channel", "dossiers"]
        );
        // A bad value anywhere changes nothing.
        let before = t.clone();
        let bad = TicketEdit {
            subject: Some("Mới".into()),
            caller_cccd: Some("12".into()),
            ..Default::default()
        };
        assert!(t.apply(&Change::Edit(bad), &op, Ts(900)).is_err());
        assert_eq!(t, before);
    }

    #[test]
    fn responder_sees_only_own_wards_escalations() {
        let op = user(Role::Operator, &[]);
        let r = user(Role::Responder, &[26734]);
        let other = user(Role::Responder, &[25747]);
        let mut t = ticket();
        assert!(!can_see(&r, &t));
        t.apply(
            &Change::Escalate(EscalationRequest {
                ward: 26734,
                fault: FaultType::PortalSync,
                level: 1,
                severity: Priority::P2,
                note: None,
            }),
            &op,
            Ts(5),
        )
        .unwrap();
        assert!(can_see(&r, &t));
        assert!(!can_see(&other, &t));
        assert!(!can_see(&user(Role::Admin, &[]), &t));
        assert_eq!(t.ward, Some(26734));
        let before = t.clone();
        let err = t
            .apply(&Change::Resolve { note: "  ".into() }, &r, Ts(6))
            .unwrap_err();
        assert!(matches!(err, DomainError::Transition(_)), "{err}");
        assert_eq!(t, before, "a rejected change leaves the ticket alone");
        t.apply(&Change::Ack { note: None }, &r, Ts(7)).unwrap();
        let err = t
            .apply(&Change::Resolve { note: "".into() }, &r, Ts(8))
            .unwrap_err();
        assert_eq!(err.to_string(), "resolution: is required");
        let ev = t
            .apply(
                &Change::Resolve {
                    note: "Đã đồng bộ lại".into(),
                },
                &r,
                Ts(9),
            )
            .unwrap();
        assert_eq!(t.status, Status::Resolved);
        assert!(matches!(
            ev[0],
            EventKind::StatusChanged {
                to: Status::Resolved,
                ..
            }
        ));
    }

    #[test]
    fn operators_only_assign_themselves() {
        let op = user(Role::Operator, &[]);
        let mut t = ticket();
        assert!(t
            .apply(
                &Change::Assign {
                    to: Some("someone".into())
                },
                &op,
                Ts(1)
            )
            .is_err());
        t.apply(
            &Change::Assign {
                to: Some("operator".into()),
            },
            &op,
            Ts(1),
        )
        .unwrap();
        assert_eq!(t.assignee.as_deref(), Some("operator"));
        t.apply(
            &Change::Assign {
                to: Some("x".into()),
            },
            &user(Role::Supervisor, &[]),
            Ts(2),
        )
        .unwrap();
        assert_eq!(t.assignee.as_deref(), Some("x"));
    }
}
