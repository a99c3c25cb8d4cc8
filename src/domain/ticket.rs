//! Tickets: what the hotline logs for every call or portal report.

use super::escalation::Escalation;
use super::policy::Policy;
use super::sla::{Sla, SlaClass};
use super::transition::Status;
use super::validate::{self, Phone, ValidationError};
use super::{Ts, WardCode};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Shown as `PA-000123` (phản ánh).
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
#[serde(transparent)]
pub struct TicketId(pub u64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PA-{:06}", self.0)
    }
}

impl FromStr for TicketId {
    type Err = ValidationError;
    /// Accepts `PA-000123`, `pa-123` or `123`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t
            .strip_prefix("PA-")
            .or_else(|| t.strip_prefix("pa-"))
            .unwrap_or(t);
        digits
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(TicketId)
            .ok_or_else(|| {
                ValidationError::new(
                    "ticket",
                    format!("'{}' is not a ticket id like PA-000123", t.escape_default()),
                )
            })
    }
}

macro_rules! slug_enum {
    ($name:ident { $($variant:ident => $slug:literal, $vi:literal, $en:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn slug(self) -> &'static str { match self { $($name::$variant => $slug),* } }
            pub fn label_vi(self) -> &'static str { match self { $($name::$variant => $vi),* } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),* } }
            pub fn from_slug(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.slug() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.slug()) }
        }
    };
}
pub(crate) use slug_enum;

slug_enum!(Kind {
    Question => "question", "Hỏi đáp", "Question";
    Complaint => "complaint", "Phản ánh", "Complaint";
    Suggestion => "suggestion", "Kiến nghị", "Suggestion";
    Fault => "fault", "Sự cố hệ thống", "System fault";
});

slug_enum!(Channel {
    Phone => "phone", "Tổng đài 1022", "Phone 1022";
    Portal => "portal", "Cổng 1022", "1022 portal";
    Zalo => "zalo", "Zalo", "Zalo";
    Email => "email", "Email", "Email";
    WalkIn => "walk-in", "Trực tiếp", "Walk-in";
});

slug_enum!(Priority {
    P1 => "p1", "P1 khẩn", "P1 urgent";
    P2 => "p2", "P2 cao", "P2 high";
    P3 => "p3", "P3 thường", "P3 normal";
    P4 => "p4", "P4 thấp", "P4 low";
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Caller {
    pub name: String,
    pub phone: Option<Phone>,
    pub cccd: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    pub request_id: Uuid,
    pub kind: Kind,
    pub channel: Channel,
    pub caller: Caller,
    pub ward: Option<WardCode>,
    pub category: String,
    pub dossiers: Vec<String>,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<String>,
    pub escalation: Option<Escalation>,
    pub sla: Sla,
    /// An outage groups many citizen tickets under one parent.
    pub parent: Option<TicketId>,
    /// Set when cancelled as a duplicate.
    pub merged_into: Option<TicketId>,
    pub created_at: Ts,
    pub created_by: String,
    pub updated_at: Ts,
    pub updated_by: String,
    /// Bumped on every change; updates carry the version they were based on.
    pub version: u64,
    /// Number of timeline events (the next event's sequence number).
    pub events: u32,
}

impl Ticket {
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    /// What the ticket's own deadlines depend on.
    pub fn sla_class(&self) -> SlaClass {
        SlaClass {
            kind: self.kind,
            priority: self.priority,
            ward: self.ward,
        }
    }

    /// Who has the ticket now: its assignee; otherwise, while the operators
    /// work it (not escalated to a ward, not closed), whoever logged it. The
    /// "mine" queue and the detail view both read this.
    pub fn owner(&self) -> Option<&str> {
        match self.status {
            // Escalated: the ward team has it until someone there acknowledges.
            Status::Escalated => None,
            Status::New | Status::InProgress | Status::WaitingOnCitizen => {
                Some(self.assignee.as_deref().unwrap_or(&self.created_by))
            }
            _ => self.assignee.as_deref(),
        }
    }

    /// The deadline that matters now: the escalation's while a ward team has it,
    /// otherwise the ticket's own.
    pub fn due(&self) -> Ts {
        match (&self.escalation, self.status) {
            (Some(e), Status::Escalated) => e.ack_by,
            (Some(e), Status::Acknowledged) => e.resolve_by,
            _ => self.sla.resolve_by,
        }
    }

    pub fn is_overdue(&self, now: Ts) -> bool {
        self.is_open() && self.sla.paused_since.is_none() && now > self.due()
    }

    /// Everything the search index and lists show about the caller, masked.
    pub fn masked_phone(&self) -> String {
        self.caller
            .phone
            .as_ref()
            .map(|p| p.masked())
            .unwrap_or_default()
    }
}

/// A ticket as the operator enters it, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub kind: Kind,
    pub channel: Channel,
    #[serde(default)]
    pub caller_name: String,
    #[serde(default)]
    pub caller_phone: String,
    #[serde(default)]
    pub caller_cccd: String,
    #[serde(default)]
    pub ward: Option<WardCode>,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub dossiers: Vec<String>,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    pub priority: Priority,
    #[serde(default)]
    pub parent: Option<TicketId>,
}

impl NewTicket {
    pub fn new(kind: Kind, subject: &str) -> NewTicket {
        NewTicket {
            kind,
            channel: Channel::Phone,
            caller_name: String::new(),
            caller_phone: String::new(),
            caller_cccd: String::new(),
            ward: None,
            category: String::new(),
            dossiers: Vec::new(),
            subject: subject.to_string(),
            description: String::new(),
            priority: Priority::P3,
            parent: None,
        }
    }

    /// Validates every field and builds the ticket. All field errors are
    /// returned together so a form can show each next to its field.
    pub fn into_ticket(
        self,
        id: TicketId,
        request_id: Uuid,
        by: &str,
        now: Ts,
    ) -> Result<Ticket, Vec<ValidationError>> {
        self.into_ticket_under(&Policy::shipped(), id, request_id, by, now)
    }

    /// [`NewTicket::into_ticket`] with the deadlines of `policy`.
    pub fn into_ticket_under(
        self,
        policy: &Policy,
        id: TicketId,
        request_id: Uuid,
        by: &str,
        now: Ts,
    ) -> Result<Ticket, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut ok = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = ok(validate::line(
            "caller_name",
            &self.caller_name,
            validate::MAX_NAME,
            false,
        ));
        let subject = ok(validate::line(
            "subject",
            &self.subject,
            validate::MAX_SUBJECT,
            true,
        ));
        let description = ok(validate::text(
            "description",
            &self.description,
            validate::MAX_DESCRIPTION,
            false,
        ));
        let category = ok(validate::line(
            "category",
            &self.category,
            validate::MAX_CATEGORY,
            false,
        ));
        let phone = if self.caller_phone.trim().is_empty() {
            None
        } else {
            match Phone::parse(&self.caller_phone) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let cccd = if self.caller_cccd.trim().is_empty() {
            None
        } else {
            match validate::parse_cccd(&self.caller_cccd) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let dossiers = validate::dossier_codes(&self.dossiers).unwrap_or_else(|e| {
            errors.extend(e);
            Vec::new()
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Ticket {
            id,
            request_id,
            kind: self.kind,
            channel: self.channel,
            caller: Caller { name, phone, cccd },
            ward: self.ward,
            category,
            dossiers,
            subject,
            description,
            priority: self.priority,
            status: Status::New,
            assignee: None,
            escalation: None,
            sla: Sla::new(
                policy,
                SlaClass {
                    kind: self.kind,
                    priority: self.priority,
                    ward: self.ward,
                },
                now,
            ),
            parent: self.parent,
            merged_into: None,
            created_at: now,
            created_by: by.to_string(),
            updated_at: now,
            updated_by: by.to_string(),
            version: 1,
            events: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_round_trip() {
        assert_eq!(TicketId(123).to_string(), "PA-000123");
        assert_eq!("PA-000123".parse::<TicketId>().unwrap(), TicketId(123));
        assert_eq!("pa-7".parse::<TicketId>().unwrap(), TicketId(7));
        assert!("PA-".parse::<TicketId>().is_err());
        assert!("0".parse::<TicketId>().is_err());
    }

    #[test]
    fn new_ticket_reports_every_bad_field() {
        let mut n = NewTicket::new(Kind::Complaint, "  ");
        n.caller_phone = "0912".into();
        n.caller_cccd = "123".into();
        n.dossiers = vec!["nonsense".into()];
        let errs = n
            .into_ticket(TicketId(1), Uuid::nil(), "op", Ts(0))
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "phone", "cccd", "dossier_code"]);
    }

    #[test]
    fn names_are_cleaned_and_nfc() {
        let mut n = NewTicket::new(Kind::Question, "Hỏi\u{1b}[2J thủ tục");
        n.caller_name = "Nguye\u{0302}\u{0303}n  Văn A".into();
        let t = n
            .into_ticket(TicketId(1), Uuid::nil(), "op", Ts(0))
            .unwrap();
        assert_eq!(t.caller.name, "Nguyễn Văn A");
        assert_eq!(t.subject, "Hỏi thủ tục");
    }
}
