//! Messages into `update`: input events, ticks and API results.

use crate::api::{
    ApiError, BackendStatus, CallerHistory, SearchResults, Stats, TicketDetail, TicketPage,
};
use crate::domain::{Dossier, Ticket, TicketId, Ts, User};
use crate::tui::action::Action;
use crate::tui::keymap::Key;
use crate::tui::state::QueueTab;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Paste(String),
    /// Left click at (column, row).
    Click(u16, u16),
    /// Wheel: positive scrolls down.
    Scroll(i8, u16, u16),
    Resize(u16, u16),
    Tick(Ts),
    /// An action from the palette or a test.
    Run(Action),
    Api(Box<ApiMsg>),
    /// The store finished opening (the terminal loop takes the API from there).
    Opened,
    /// The terminal input thread ended, and why: the session cannot go on.
    InputEnded(String),
    /// A live update from the store or the hub.
    Live(crate::api::live::LiveUpdate),
}

pub type Res<T> = Result<T, ApiError>;

#[derive(Debug, Clone)]
pub enum ApiMsg {
    Whoami(Res<User>),
    Status(Res<BackendStatus>),
    Search {
        generation: u64,
        result: Res<SearchResults>,
    },
    PreviewTicket {
        generation: u64,
        result: Res<TicketDetail>,
    },
    PreviewDossier {
        generation: u64,
        result: Res<Option<Dossier>>,
    },
    Ticket {
        id: TicketId,
        result: Res<TicketDetail>,
    },
    Created(Res<Ticket>),
    Applied {
        id: TicketId,
        result: Res<Ticket>,
    },
    Queue {
        generation: u64,
        tab: QueueTab,
        /// A further page, to append; otherwise the first, to replace.
        more: bool,
        result: Res<TicketPage>,
    },
    Stats(Res<Stats>),
    Caller {
        generation: u64,
        result: Res<CallerHistory>,
    },
    DossierCheck {
        code: String,
        known: bool,
    },
    Dossier {
        code: String,
        dossier: Res<Option<Dossier>>,
        tickets: Res<Vec<Ticket>>,
    },
    Peeked {
        id: TicketId,
        subject: Res<String>,
    },
    Users(Res<Vec<User>>),
    SlaPolicy(Res<crate::api::SlaPolicy>),
    Switched(Result<User, String>),
    DeadLetters(Res<Vec<crate::notify::DeadLetter>>),
    NotificationRetried {
        id: u64,
        result: Res<()>,
    },
    NotificationDiscarded {
        id: u64,
        result: Res<()>,
    },
}
