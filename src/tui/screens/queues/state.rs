//! The queue screen's state; its keys and loading are in
//! `update/queues.rs`, its drawing in `ui/screens/queues.rs`.

use crate::domain::Ticket;
use crate::tui::state::{Cursor, TextInput};

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
