//! Everything the screen shows, in one value. Only `update` changes it.

pub mod dialog;
pub mod editor;
pub mod fields;
pub mod input;
pub mod merge;
// Each screen's state lives with the screen, in `screens/<screen>/state.rs`;
// re-exported here under the old paths.
pub use crate::tui::screens::dead_letters::state as dead_letters;
pub use crate::tui::screens::form::state as form;

pub use dead_letters::DeadLettersState;
pub use dialog::{Dialog, Peek};
pub use form::{FormMode, FormState, Prefill};
pub use input::TextInput;
mod cursor;
mod overlays;
pub use crate::tui::screens::caller::state::{CallerRow, CallerState};
pub use crate::tui::screens::dashboard::state::DashboardState;
pub use crate::tui::screens::detail::state::DetailState;
pub use crate::tui::screens::dossier::state::DossierState;
pub use crate::tui::screens::queues::state::{Drill, QueueTab, QueuesState, SortKey};
pub use crate::tui::screens::search::state::{Preview, SearchState};
pub use cursor::{Cursor, Focus};
pub use overlays::{HelpState, PaletteState};

use crate::api::BackendStatus;
use crate::domain::{Role, Ts, User};
use crate::tui::i18n::Lang;
use crate::tui::keymap::{Context, Key, Keymap};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Welcome,
    Search,
    Queues,
    Dashboard,
    Caller,
    Form,
    Detail,
    Dossier,
}

impl Screen {
    pub fn label_key(self) -> &'static str {
        match self {
            Screen::Welcome => "screen.welcome",
            Screen::Search => "screen.search",
            Screen::Queues => "screen.queues",
            Screen::Dashboard => "screen.dashboard",
            Screen::Caller => "screen.caller",
            Screen::Form => "screen.form",
            Screen::Detail => "screen.detail",
            Screen::Dossier => "screen.dossier",
        }
    }
}

/// What a yes/no question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Leave the changed form (back).
    LeaveForm,
    /// Quit with a changed form open.
    QuitDirty,
    /// A field both this user and someone else changed: keep which? (the
    /// question is the first of the form's `merge.asks`).
    BothChanged,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help(HelpState),
    Palette(PaletteState),
    Dialog(Box<Dialog>),
    Confirm(Confirm),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
}

/// Settings fixed for the session.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub color: bool,
    pub mouse: bool,
    pub demo: bool,
    pub can_switch_user: bool,
    pub bell: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub lang: Lang,
    pub color: bool,
    pub mouse: bool,
    pub demo: bool,
    pub can_switch_user: bool,
    pub keymap: Arc<Keymap>,
    pub now: Ts,
    pub user: Option<User>,
    pub backend: Option<BackendStatus>,
    pub screen: Screen,
    pub history: Vec<Screen>,
    pub overlay: Option<Overlay>,
    pub search: SearchState,
    pub queues: QueuesState,
    pub caller: CallerState,
    pub dashboard: DashboardState,
    /// Notifications that gave up (supervisors, on the dashboard).
    pub dead_letters: DeadLettersState,
    pub form: Option<FormState>,
    pub detail: Option<DetailState>,
    pub dossier: Option<DossierState>,
    pub toast: Option<Toast>,
    /// Keys of a sequence typed so far (`g` of `g g`).
    pub pending: Vec<Key>,
    pub size: (u16, u16),
    pub quit: bool,
    /// Asked to suspend to the shell (ctrl-z); the terminal loop does it.
    pub suspend: bool,
    /// Names of users for the demo switcher (palette).
    pub switch_targets: Vec<String>,
    /// Live updates: the link and what arrived unseen.
    pub live: LiveState,
    /// The SLA policy clocks are shown under: the backend's (the hub's when
    /// connected to one) once fetched, this machine's configured one until then.
    pub policy: Arc<crate::domain::Policy>,
}

/// What live updates left for the screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveState {
    /// Whether the terminal bell rings for a new escalation (config `bell`).
    pub bell_enabled: bool,
    /// `Some(false)` while the hub cannot be reached; `None` until known
    /// (and always for a local store).
    pub link_up: Option<bool>,
    /// Tickets escalated into the user's queue since it was last looked at
    /// (marked in the list until opened).
    pub fresh: std::collections::BTreeSet<crate::domain::TicketId>,
    /// Set by `update` when the bell should ring; the terminal loop rings it once.
    pub ring_bell: bool,
}

impl State {
    pub fn new(settings: Settings, keymap: Arc<Keymap>, now: Ts) -> State {
        State {
            lang: settings.lang,
            color: settings.color,
            mouse: settings.mouse,
            demo: settings.demo,
            can_switch_user: settings.can_switch_user,
            keymap,
            now,
            user: None,
            backend: None,
            screen: Screen::Search,
            history: Vec::new(),
            overlay: None,
            search: SearchState::default(),
            queues: QueuesState::default(),
            caller: CallerState::default(),
            dashboard: DashboardState::default(),
            dead_letters: DeadLettersState::default(),
            form: None,
            detail: None,
            dossier: None,
            toast: None,
            pending: Vec::new(),
            size: (80, 24),
            quit: false,
            suspend: false,
            switch_targets: Vec::new(),
            live: LiveState {
                bell_enabled: settings.bell,
                ..LiveState::default()
            },
            policy: crate::domain::Policy::shipped(),
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    /// Whether typed characters go into a text field right now.
    pub fn typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Help(_)) | Some(Overlay::Palette(_)) => return true,
            Some(Overlay::Dialog(d)) => {
                return d.fields.get(d.focus).is_some_and(|f| f.takes_typing())
            }
            Some(Overlay::Confirm(_)) => return false,
            None => {}
        }
        match self.screen {
            Screen::Search => self.search.focus == Focus::Input,
            Screen::Caller => self.caller.focus == Focus::Input,
            Screen::Queues => self.queues.filtering,
            Screen::Form => self
                .form
                .as_ref()
                .and_then(|f| f.focused())
                .is_some_and(|f| f.takes_typing()),
            _ => false,
        }
    }

    /// Keymap contexts in effect, most specific first (`global` is implied).
    pub fn contexts(&self) -> Vec<Context> {
        match &self.overlay {
            Some(Overlay::Help(_)) => return vec![Context::Help],
            Some(Overlay::Palette(_)) => return vec![Context::Palette],
            Some(Overlay::Dialog(_)) => return vec![Context::Form],
            Some(Overlay::Confirm(_)) => return vec![],
            None => {}
        }
        match self.screen {
            Screen::Search if self.search.focus == Focus::Input => vec![Context::Search],
            Screen::Caller if self.caller.focus == Focus::Input => vec![Context::Search],
            Screen::Queues if self.queues.filtering => vec![Context::Search],
            Screen::Form => vec![Context::Form],
            Screen::Detail => vec![Context::Detail, Context::List],
            _ => vec![Context::List],
        }
    }

    /// The primary context (for hints and help grouping).
    pub fn context(&self) -> Context {
        self.contexts().first().copied().unwrap_or(Context::Global)
    }

    pub fn form_dirty(&self) -> bool {
        self.form.as_ref().is_some_and(|f| f.dirty)
    }

    /// Counts writes just kept in the outbox (until the next status poll says).
    pub fn queued_writes(&mut self, n: u64) {
        if let Some(b) = self.backend.as_mut() {
            b.pending_writes += n;
        }
    }

    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        self.toast = Some(Toast {
            text: crate::text::clean_line(&text.into()),
            error,
        });
    }
}
