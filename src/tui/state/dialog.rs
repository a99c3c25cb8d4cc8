//! The detail screen's action dialogs (comment, escalate, resolve, …): a few
//! fields that become one `Change`.

use super::fields::{self, Choice, Field, FieldId, FieldKind};
use crate::domain::{Change, EscalationRequest, FaultType, Priority, Ticket, TicketId, User};
use crate::tui::action::Action;

#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub action: Action,
    pub ticket: TicketId,
    pub version: u64,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub busy: bool,
    /// The ticket typed into a ticket field, as looked up (cancel as duplicate).
    pub target: Option<(TicketId, Peek)>,
    /// The dead letter a discard gives up (its reason in the note field).
    pub letter: Option<u64>,
}

/// A looked-up ticket: its subject, or that there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peek {
    Looking,
    Found(String),
    Missing,
}

impl Dialog {
    /// The dialog for `action` on `t`, or `None` when the action needs no input.
    pub fn for_action(action: Action, t: &Ticket, users: &[User]) -> Option<Dialog> {
        let note = |required: bool| {
            let f = Field::text(FieldId::Note, "", false);
            if required {
                f.required()
            } else {
                f
            }
        };
        let fields = match action {
            Action::Comment | Action::ReturnTicket | Action::Resolve | Action::Reopen => {
                vec![note(true)]
            }
            Action::Wait => vec![note(false)],
            Action::Escalate => {
                let sev = Priority::ALL
                    .iter()
                    .position(|p| *p == t.priority)
                    .unwrap_or(2);
                let guess =
                    FaultType::guess(&format!("{} {} {}", t.subject, t.description, t.category));
                let fault = FaultType::ALL.iter().position(|f| *f == guess).unwrap_or(0);
                vec![
                    Field::ward(t.ward).required(),
                    Field::choice(FieldId::Fault, fields::fault_choices(), fault),
                    Field::choice(FieldId::Severity, fields::priority_choices(), sev),
                    Field::choice(FieldId::Level, fields::level_choices(), 0),
                    note(false),
                ]
            }
            Action::Assign => {
                let mut opts = vec![Choice::new("", "(bỏ giao)", "(unassign)")];
                opts.extend(users.iter().filter(|u| u.works_tickets()).map(|u| {
                    // The role in the dialog's language, like every other word.
                    let label = |lang| {
                        format!(
                            "{} — {} ({})",
                            u.name,
                            u.display_name,
                            crate::tui::i18n::tr(lang, &format!("role.{}", u.role.slug()))
                        )
                    };
                    Choice::new(
                        &u.name,
                        &label(crate::tui::i18n::Lang::Vi),
                        &label(crate::tui::i18n::Lang::En),
                    )
                }));
                let idx = t
                    .assignee
                    .as_ref()
                    .and_then(|a| opts.iter().position(|o| &o.value == a))
                    .unwrap_or(0);
                vec![Field::choice(FieldId::Assignee, opts, idx)]
            }
            Action::LinkDossier => vec![Field::dossiers(&[]).required()],
            Action::CancelDuplicate => vec![
                Field::text(FieldId::Ticket, "", false).required(),
                note(false),
            ],
            _ => return None,
        };
        // With every default filled in, the escalation starts on its last
        // field (the note), so enter confirms it.
        let focus = if action == Action::Escalate && t.ward.is_some() {
            fields.len() - 1
        } else {
            0
        };
        Some(Dialog {
            action,
            ticket: t.id,
            version: t.version,
            fields,
            focus,
            error: None,
            busy: false,
            target: None,
            letter: None,
        })
    }

    /// Asks why dead letter `letter` (of `ticket`) is given up.
    pub fn discard(letter: u64, ticket: TicketId) -> Dialog {
        Dialog {
            action: Action::DiscardNotification,
            ticket,
            version: 0,
            fields: vec![Field::text(FieldId::Note, "", false).required()],
            focus: 0,
            error: None,
            busy: false,
            target: None,
            letter: Some(letter),
        }
    }

    /// The reason a discard was given, or the field to fill in.
    pub fn discard_reason(&self) -> Result<String, Vec<(FieldId, &'static str)>> {
        let reason = self.text(FieldId::Note);
        if reason.is_empty() {
            Err(vec![(FieldId::Note, "form.required")])
        } else {
            Ok(reason)
        }
    }

    fn text(&self, id: FieldId) -> String {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default()
    }

    fn opt(&self, id: FieldId) -> Option<String> {
        Some(self.text(id)).filter(|s| !s.is_empty())
    }

    /// The ticket typed into the ticket field, if it reads as one.
    pub fn typed_ticket(&self) -> Option<TicketId> {
        self.fields
            .iter()
            .find(|f| f.id == FieldId::Ticket)
            .and_then(|f| f.value().parse().ok())
    }

    /// Builds the change, or the fields that need fixing (with catalog keys).
    pub fn change(&self) -> Result<Change, Vec<(FieldId, &'static str)>> {
        let mut missing = Vec::new();
        for f in &self.fields {
            let empty = match &f.kind {
                FieldKind::Ward { selected, .. } => selected.is_none(),
                _ => f.value().trim().is_empty(),
            };
            if f.required && empty {
                missing.push((f.id, "form.required"));
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let note = self.text(FieldId::Note);
        Ok(match self.action {
            Action::Comment => Change::Comment { text: note },
            Action::ReturnTicket => Change::Return { note },
            Action::Resolve => Change::Resolve { note },
            Action::Reopen => Change::Reopen { reason: note },
            Action::Wait => Change::Wait {
                note: self.opt(FieldId::Note),
            },
            Action::Escalate => {
                let ward = self
                    .fields
                    .iter()
                    .find_map(|f| f.ward_code())
                    .ok_or(vec![(FieldId::Ward, "form.required")])?;
                Change::Escalate(EscalationRequest {
                    ward,
                    fault: FaultType::from_slug(&self.text(FieldId::Fault))
                        .unwrap_or(FaultType::Other),
                    level: if self.text(FieldId::Level) == "2" {
                        2
                    } else {
                        1
                    },
                    severity: Priority::from_slug(&self.text(FieldId::Severity))
                        .unwrap_or(Priority::P3),
                    note: self.opt(FieldId::Note),
                })
            }
            Action::Assign => Change::Assign {
                to: self.opt(FieldId::Assignee),
            },
            Action::LinkDossier => {
                let codes: Vec<String> = self.fields.iter().flat_map(|f| f.codes()).collect();
                if codes.len() != 1 {
                    return Err(vec![(FieldId::Dossiers, "form.one_code")]);
                }
                Change::LinkDossier {
                    code: codes[0].clone(),
                }
            }
            Action::CancelDuplicate => {
                let dup = self
                    .text(FieldId::Ticket)
                    .parse::<TicketId>()
                    .map_err(|_| vec![(FieldId::Ticket, "form.bad_ticket_id")])?;
                // Confirmed only once the target is known to exist.
                match &self.target {
                    Some((id, Peek::Found(_))) if *id == dup => {}
                    Some((id, Peek::Missing)) if *id == dup => {
                        return Err(vec![(FieldId::Ticket, "dialog.target_missing")])
                    }
                    _ => return Err(vec![(FieldId::Ticket, "dialog.looking")]),
                }
                Change::Cancel {
                    duplicate_of: Some(dup),
                    note: self.opt(FieldId::Note),
                }
            }
            _ => return Err(vec![]),
        })
    }
}
