//! Per-screen state: search, queues, caller, dashboard, detail, help, palette.

use super::input::TextInput;
use crate::api::{CallerHistory, SearchResults, Stats, TicketDetail};
use crate::domain::{Dossier, Ticket, TicketId, User};
use crate::search::DocKind;

/// A scrollable selection over `len` rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
}

impl Cursor {
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let s = self.selected as isize + delta;
        self.selected = s.clamp(0, len as isize - 1) as usize;
    }

    /// First row to draw so the selection is visible in `height` rows.
    pub fn offset(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        self.selected.saturating_sub(height - 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Input,
    Results,
}

/// What the preview pane shows for the selected search result.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    Loading,
    Ticket(Box<TicketDetail>),
    Dossier(Box<Dossier>),
    /// Wards and procedures: the hit itself is enough.
    Plain,
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchState {
    pub input: TextInput,
    pub focus: Focus,
    /// Bumped on every keystroke; results of older generations are dropped.
    pub generation: u64,
    /// The generation `results` belong to.
    pub shown_generation: u64,
    pub results: Option<SearchResults>,
    pub cursor: Cursor,
    pub searching: bool,
    pub error: Option<String>,
    pub preview: Option<(DocKind, String, Preview)>,
    pub preview_generation: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueTab {
    Mine,
    MyWards,
    AllOpen,
    Overdue,
    /// The tickets behind a dashboard row (`QueuesState::drill`).
    Drill,
}

/// A dashboard row opened as a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Drill {
    /// Open tickets in a status.
    Status(crate::domain::Status),
    /// Overdue open tickets of a ward.
    Ward(crate::domain::WardCode),
    /// Tickets escalated with a fault type.
    Fault(crate::domain::FaultType),
    /// Open tickets raised to the city centre (level 2).
    TopLevel,
}

impl QueueTab {
    pub const ALL: [QueueTab; 4] = [
        QueueTab::Mine,
        QueueTab::MyWards,
        QueueTab::AllOpen,
        QueueTab::Overdue,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            QueueTab::Mine => "queue.mine",
            QueueTab::MyWards => "queue.my_wards",
            QueueTab::AllOpen => "queue.all_open",
            QueueTab::Overdue => "queue.overdue",
            QueueTab::Drill => "queue.drill",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Soonest deadline first.
    #[default]
    Due,
    /// Oldest first.
    Age,
    Priority,
    Status,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Due => SortKey::Age,
            SortKey::Age => SortKey::Priority,
            SortKey::Priority => SortKey::Status,
            SortKey::Status => SortKey::Due,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SortKey::Due => "sort.due",
            SortKey::Age => "sort.age",
            SortKey::Priority => "sort.priority",
            SortKey::Status => "sort.status",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueuesState {
    pub tab: Option<QueueTab>,
    /// What the drill-down tab shows, once a dashboard row was opened.
    pub drill: Option<Drill>,
    pub tickets: Vec<Ticket>,
    /// Each ticket's folded text for the typed filter, by the same index:
    /// made once as its page arrives, not on every key and frame.
    pub filter_keys: Vec<String>,
    /// Where the next page starts, while the queue has more than is loaded.
    pub next: Option<String>,
    pub cursor: Cursor,
    pub sort: SortKey,
    /// Sorted the other way round (latest due, newest, lowest priority first).
    pub reverse: bool,
    pub filter: TextInput,
    pub filtering: bool,
    pub loading: bool,
    pub generation: u64,
    pub error: Option<String>,
}

/// One row of the caller screen: a ticket or a dossier, newest first.
#[derive(Debug, Clone, PartialEq)]
pub enum CallerRow {
    Ticket(Box<Ticket>),
    Dossier(Box<Dossier>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallerState {
    pub input: TextInput,
    pub focus: Focus,
    pub generation: u64,
    pub history: Option<CallerHistory>,
    pub rows: Vec<CallerRow>,
    pub cursor: Cursor,
    pub loading: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashboardState {
    pub stats: Option<Stats>,
    /// The selected row over the drillable panels (status, ward, fault type, in that order).
    pub cursor: usize,
    pub loading: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub id: TicketId,
    pub detail: Option<TicketDetail>,
    pub loading: bool,
    pub error: Option<String>,
    /// Timeline scroll (rows from the newest event).
    pub scroll: usize,
    pub users: Vec<User>,
    /// Open the escalation dialog once the ticket is loaded ("save and escalate").
    pub escalate_on_load: bool,
    /// The subject of the ticket this one duplicates (or why it is not known).
    pub duplicate_subject: Option<Result<String, String>>,
}

impl DetailState {
    pub fn new(id: TicketId) -> DetailState {
        DetailState {
            id,
            detail: None,
            loading: true,
            error: None,
            scroll: 0,
            users: Vec::new(),
            escalate_on_load: false,
            duplicate_subject: None,
        }
    }
}

/// The dossier screen: one dossier from the one-stop system and every
/// ticket that links it.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierState {
    pub code: String,
    pub dossier: Option<Dossier>,
    pub tickets: Vec<Ticket>,
    pub cursor: Cursor,
    pub loading: bool,
    pub error: Option<String>,
}

impl DossierState {
    pub fn new(code: &str) -> DossierState {
        DossierState {
            code: code.to_string(),
            dossier: None,
            tickets: Vec::new(),
            cursor: Cursor::default(),
            loading: true,
            error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HelpState {
    pub filter: TextInput,
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaletteState {
    pub input: TextInput,
    pub cursor: Cursor,
}
