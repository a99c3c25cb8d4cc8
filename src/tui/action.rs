//! Every user-facing action: what the keymaps bind, the `?` help and the `:`
//! palette list, and the hint bar shows. Labels come from the i18n catalog
//! under `action.<name>` (short hint) and `action.<name>.desc`.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The kebab-case name used in keymap files and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    Quit => "quit",
    Back => "back",
    BackOrQuit => "back-or-quit",
    Help => "help",
    Palette => "palette",
    Search => "search",
    NewTicket => "new-ticket",
    ViewSearch => "view-search",
    ViewQueues => "view-queues",
    ViewDashboard => "view-dashboard",
    ViewCaller => "view-caller",
    Refresh => "refresh",
    Up => "up",
    Down => "down",
    PageUp => "page-up",
    PageDown => "page-down",
    Top => "top",
    Bottom => "bottom",
    Open => "open",
    NextPane => "next-pane",
    PrevPane => "prev-pane",
    ClearInput => "clear-input",
    Sort => "sort",
    SortReverse => "sort-reverse",
    Filter => "filter",
    Save => "save",
    SaveEscalate => "save-escalate",
    NextField => "next-field",
    PrevField => "prev-field",
    ChoiceNext => "choice-next",
    ChoicePrev => "choice-prev",
    Comment => "comment",
    Start => "start",
    Wait => "wait",
    Escalate => "escalate",
    Ack => "ack",
    ReturnTicket => "return-ticket",
    Resolve => "resolve",
    CloseTicket => "close-ticket",
    Reopen => "reopen",
    Assign => "assign",
    LinkDossier => "link-dossier",
    CancelDuplicate => "cancel-duplicate",
    EditTicket => "edit-ticket",
    CallerHistory => "caller-history",
    ToggleLanguage => "toggle-language",
    Suspend => "suspend",
    SwitchUser => "switch-user",
    DiscardNotification => "discard-notification",
}

impl Action {
    pub fn from_name(s: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == s)
    }

    /// Catalog key of the short hint label.
    pub fn hint_key(self) -> String {
        format!("action.{}", self.name())
    }

    /// Catalog key of the one-line description.
    pub fn desc_key(self) -> String {
        format!("action.{}.desc", self.name())
    }

    /// The lifecycle action a ticket action fires, if it is one.
    pub fn lifecycle(self) -> Option<crate::domain::Action> {
        use crate::domain::Action as L;
        Some(match self {
            Action::Start => L::Start,
            Action::Wait => L::Wait,
            Action::Escalate => L::Escalate,
            Action::Ack => L::Ack,
            Action::ReturnTicket => L::Return,
            Action::Resolve => L::Resolve,
            Action::CloseTicket => L::Close,
            Action::Reopen => L::Reopen,
            Action::CancelDuplicate => L::Cancel,
            _ => return None,
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for a in Action::ALL {
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.name()));
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
    }
}
