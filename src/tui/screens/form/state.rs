//! The ticket form (new and edit): fields, dirty tracking and inline validation
//! with the domain's own rules (`NewTicket::into_ticket`).

use crate::domain::{Channel, Kind, NewTicket, Priority, Ticket, TicketEdit, TicketId, Ts};
use crate::tui::state::fields::{self, DossierCheck, Field, FieldId, FieldKind};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum FormMode {
    New,
    Edit(Box<Ticket>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormState {
    pub mode: FormMode,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// Set after the first save attempt: every field shows its error.
    pub submitted: bool,
    pub saving: bool,
    /// Saved with "save and escalate": the new ticket opens with its escalation dialog.
    pub escalate_after_save: bool,
    /// Kept for the life of the form so a retried save cannot log twice.
    pub request_id: Uuid,
    /// A whole-form error (e.g. from the server).
    pub error: Option<String>,
    /// After a save met someone else's newer version: what was merged and
    /// what is still to be decided.
    pub merge: Option<crate::tui::state::merge::Merge>,
    /// The ward of the dossier the ticket was started from.
    pub dossier_ward: Option<crate::domain::WardCode>,
}

/// Values to start a new ticket with (from the caller screen or a search).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub phone: String,
    pub name: String,
    pub dossier: Option<String>,
    pub ward: Option<crate::domain::WardCode>,
    /// The linked dossier's ward: a ticket in another ward gets a warning.
    pub dossier_ward: Option<crate::domain::WardCode>,
}

fn index_of<T: Copy + PartialEq>(all: &[T], v: T) -> usize {
    all.iter().position(|x| *x == v).unwrap_or(0)
}

impl FormState {
    pub fn new_ticket(prefill: &Prefill) -> FormState {
        let f = vec![
            Field::choice(FieldId::Kind, fields::kind_choices(), 1),
            Field::choice(FieldId::Channel, fields::channel_choices(), 0),
            Field::text(FieldId::CallerName, &prefill.name, false),
            Field::text(FieldId::CallerPhone, &prefill.phone, false),
            Field::text(FieldId::CallerCccd, "", false),
            Field::ward(prefill.ward),
            Field::choice(FieldId::Category, fields::category_choices(), 0),
            Field::dossiers(prefill.dossier.as_slice()),
            Field::text(FieldId::Subject, "", false).required(),
            Field::text(FieldId::Description, "", true),
            Field::choice(
                FieldId::Priority,
                fields::priority_choices(),
                index_of(Priority::ALL, Priority::P3),
            ),
        ];
        FormState::fresh(FormMode::New, f, prefill.dossier_ward)
    }

    /// A form not yet touched, with a new request id (its saves' idempotency key).
    fn fresh(
        mode: FormMode,
        fields: Vec<Field>,
        dossier_ward: Option<crate::domain::WardCode>,
    ) -> FormState {
        FormState {
            dossier_ward,
            mode,
            fields,
            focus: 0,
            dirty: false,
            submitted: false,
            saving: false,
            escalate_after_save: false,
            request_id: Uuid::now_v7(),
            error: None,
            merge: None,
        }
    }

    pub fn edit(t: &Ticket) -> FormState {
        let cats = fields::category_choices();
        let cat = cats.iter().position(|c| c.value == t.category).unwrap_or(0);
        let mut category = Field::choice(FieldId::Category, cats, cat);
        if cat == 0 && !t.category.is_empty() {
            // A category not in the list stays selectable as it was.
            if let FieldKind::Choice { options, index, .. } = &mut category.kind {
                options.push(fields::Choice::new(&t.category, &t.category, &t.category));
                *index = options.len() - 1;
            }
        }
        let f = vec![
            Field::choice(
                FieldId::Kind,
                fields::kind_choices(),
                index_of(Kind::ALL, t.kind),
            ),
            Field::choice(
                FieldId::Channel,
                fields::channel_choices(),
                index_of(Channel::ALL, t.channel),
            ),
            Field::text(FieldId::CallerName, &t.caller.name, false),
            Field::text(
                FieldId::CallerPhone,
                t.caller.phone.as_ref().map(|p| p.as_str()).unwrap_or(""),
                false,
            ),
            Field::text(
                FieldId::CallerCccd,
                t.caller.cccd.as_deref().unwrap_or(""),
                false,
            ),
            Field::ward(t.ward),
            category,
            Field::dossiers(&t.dossiers),
            Field::text(FieldId::Subject, &t.subject, false).required(),
            Field::text(FieldId::Description, &t.description, true),
            Field::choice(
                FieldId::Priority,
                fields::priority_choices(),
                index_of(Priority::ALL, t.priority),
            ),
        ];
        FormState::fresh(FormMode::Edit(Box::new(t.clone())), f, None)
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn field_mut(&mut self, id: FieldId) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    fn text(&self, id: FieldId) -> String {
        self.field(id).map(|f| f.value()).unwrap_or_default()
    }

    pub fn to_new_ticket(&self) -> NewTicket {
        let kind = Kind::from_slug(&self.text(FieldId::Kind)).unwrap_or(Kind::Complaint);
        let mut n = NewTicket::new(kind, &self.text(FieldId::Subject));
        n.channel = Channel::from_slug(&self.text(FieldId::Channel)).unwrap_or(Channel::Phone);
        n.caller_name = self.text(FieldId::CallerName);
        n.caller_phone = self.text(FieldId::CallerPhone);
        n.caller_cccd = self.text(FieldId::CallerCccd);
        n.ward = self.field(FieldId::Ward).and_then(|f| f.ward_code());
        n.category = self.text(FieldId::Category);
        n.dossiers = self
            .field(FieldId::Dossiers)
            .map(|f| f.codes())
            .unwrap_or_default();
        n.description = self.text(FieldId::Description);
        n.priority = Priority::from_slug(&self.text(FieldId::Priority)).unwrap_or(Priority::P3);
        n
    }

    /// Only the fields that changed.
    pub fn to_edit(&self, original: &Ticket) -> TicketEdit {
        let n = self.to_new_ticket();
        let changed = |a: &str, b: &str| (a.trim() != b.trim()).then(|| a.to_string());
        TicketEdit {
            subject: changed(&n.subject, &original.subject),
            description: changed(&n.description, &original.description),
            priority: (n.priority != original.priority).then_some(n.priority),
            ward: if n.ward != original.ward {
                n.ward
            } else {
                None
            },
            category: changed(&n.category, &original.category),
            caller_name: changed(&n.caller_name, &original.caller.name),
            caller_phone: changed(
                &n.caller_phone,
                original
                    .caller
                    .phone
                    .as_ref()
                    .map(|p| p.as_str())
                    .unwrap_or(""),
            ),
            caller_cccd: changed(
                &n.caller_cccd,
                original.caller.cccd.as_deref().unwrap_or(""),
            ),
            kind: (n.kind != original.kind).then_some(n.kind),
            channel: (n.channel != original.channel).then_some(n.channel),
            dossiers: (n.dossiers != original.dossiers).then(|| n.dossiers.clone()),
        }
    }

    /// Runs the domain validation and puts each error next to its field (only
    /// fields already touched, or all after a save attempt). Returns whether valid.
    pub fn validate(&mut self, now: Ts, lang: crate::tui::i18n::Lang) -> bool {
        let unknown_dossier_msg = crate::tui::i18n::tr(lang, "form.unknown_dossier");
        let pick_ward_msg = crate::tui::i18n::tr(lang, "form.pick_ward");
        let errors = match self
            .to_new_ticket()
            .into_ticket(TicketId(1), Uuid::nil(), "-", now)
        {
            Ok(_) => Vec::new(),
            Err(e) => e,
        };
        let submitted = self.submitted;
        let mut ok = errors.is_empty();
        for f in &mut self.fields {
            f.error = None;
        }
        for e in errors {
            let Some(id) = FieldId::from_validation(&e.field) else {
                continue;
            };
            if let Some(f) = self.fields.iter_mut().find(|f| f.id == id) {
                if (f.touched || submitted) && f.error.is_none() {
                    f.error = Some(crate::tui::i18n::messages::validation(lang, &e));
                }
            } else {
                // An error for a field this form does not show (edit mode): still invalid.
                ok = false;
            }
        }
        // A typed ward name must be resolved to a unit from the list.
        if let Some(f) = self.fields.iter_mut().find(|f| f.id == FieldId::Ward) {
            if let FieldKind::Ward {
                input,
                selected: None,
                ..
            } = &f.kind
            {
                if !input.text().trim().is_empty() && (f.touched || submitted) {
                    f.error = Some(pick_ward_msg.to_string());
                    ok = false;
                }
            }
        }
        // A ward other than the linked dossier's is flagged but does not block saving.
        let dossier_ward = self.dossier_ward;
        if let Some(f) = self.field_mut(FieldId::Ward) {
            if let (Some(theirs), Some(ours), None) = (dossier_ward, f.ward_code(), &f.error) {
                if theirs != ours {
                    f.error = Some(crate::tui::i18n::trf(
                        lang,
                        "form.ward_differs",
                        &[&crate::tui::refdata::ward_label(theirs)],
                    ));
                }
            }
        }
        // Unknown dossier codes are flagged but do not block saving.
        if let Some(f) = self.field_mut(FieldId::Dossiers) {
            if f.error.is_none() {
                if let FieldKind::Dossiers { checks, .. } = &f.kind {
                    let unknown: Vec<&str> = checks
                        .iter()
                        .filter(|(_, c)| **c == DossierCheck::Unknown)
                        .map(|(k, _)| k.as_str())
                        .filter(|k| f.codes().iter().any(|c| c == k))
                        .collect();
                    if !unknown.is_empty() {
                        f.error = Some(format!("{unknown_dossier_msg}: {}", unknown.join(", ")));
                    }
                }
            }
        }
        ok
    }

    pub fn is_new(&self) -> bool {
        matches!(self.mode, FormMode::New)
    }
}
