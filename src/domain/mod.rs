//! The pure domain model: tickets and their lifecycle, events, escalations,
//! dossiers, wards, users and roles, SLA deadlines and input validation.
//! No IO, no async.

pub mod alarm;
pub mod calendar;
pub mod change;
pub mod clocks;
pub mod dossier;
pub mod escalation;
pub mod event;
pub mod holidays;
pub mod lunar;
mod masking;
pub mod policy;
mod policy_toml;
pub mod sla;
pub mod ticket;
pub mod time;
pub mod transition;
pub mod user;
pub mod validate;

pub use change::{can_see, Change, DomainError, TicketEdit};
pub use clocks::{clocks, ClockState, ClockView};
pub use dossier::{Dossier, PaymentState, PortalStatus, SyncState};
pub use escalation::{Escalation, EscalationRequest, FaultType};
pub use event::{Event, EventKind};
pub use policy::{Policy, PolicyFile};
pub use sla::{Sla, SlaClass, SlaClock, SlaState};
pub use ticket::{Caller, Channel, Kind, NewTicket, Priority, Ticket, TicketId};
pub use time::{fixed_clock, system_clock, Clock, ManualClock, Ts};
pub use transition::{Action, Status};
pub use user::{Role, User};
pub use validate::{Phone, ValidationError};

/// GSO code of one of the 168 commune-level units.
pub type WardCode = u32;
