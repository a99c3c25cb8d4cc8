//! The full-screen terminal application (ratatui + crossterm), Elm-style:
//! keys → `Action` (through the layered keymap) → `update(&mut State, Msg)`
//! → `Effect`s run as tokio tasks against `HotlineApi` → results come back as
//! messages. Drawing is a pure function of the state.
//!
//! Runtime: [`run`] blocks the calling thread. It uses the current tokio
//! runtime when called inside one (from a thread where blocking is allowed,
//! e.g. `spawn_blocking` or a plain `main` that entered a runtime), otherwise
//! it builds its own two-worker runtime for the session.

pub mod action;
pub mod app;
pub mod effect;
pub mod i18n;
pub mod keymap;
pub mod msg;
pub mod refdata;
pub mod screens;
pub mod state;
#[doc(hidden)]
pub mod testkit;
pub mod ui;
pub mod update;

use crate::api::HotlineApi;
use crate::domain::Clock;
pub use i18n::Lang;
use std::path::PathBuf;
use std::sync::Arc;

pub struct TuiOptions {
    pub lang: Lang,
    /// `--keymap FILE`.
    pub keymap_file: Option<PathBuf>,
    /// `<config dir>/keymap.toml` if it exists.
    pub user_keymap: Option<PathBuf>,
    /// `"vim"` | `"emacs"` from the config.
    pub preset: Option<String>,
    /// False with `--no-mouse`.
    pub mouse: bool,
    /// False with `NO_COLOR` or `--color never`.
    pub color: bool,
    /// Shows DEMO in the status bar; enables the user switcher.
    pub demo: bool,
    pub clock: Clock,
    /// The terminal bell on a new escalation into the user's queue.
    pub bell: bool,
    /// Demo only: opens the same store as another user (palette "switch user").
    #[allow(clippy::type_complexity)]
    pub switch_user: Option<Arc<dyn Fn(&str) -> anyhow::Result<Arc<dyn HotlineApi>> + Send + Sync>>,
}

/// The keymap files in layering order (user file, then `--keymap`).
fn keymap_files(opts: &TuiOptions) -> Vec<PathBuf> {
    opts.user_keymap
        .iter()
        .chain(opts.keymap_file.iter())
        .cloned()
        .collect()
}

/// Builds the initial state (also used by snapshot tests).
pub fn initial_state(opts: &TuiOptions) -> anyhow::Result<state::State> {
    let keymap =
        keymap::Keymap::load(opts.preset.as_deref(), &keymap_files(opts)).map_err(|e| {
            crate::problems::Problems(e.into_iter().map(|p| format!("keymap: {p}")).collect())
        })?;
    let settings = state::Settings {
        lang: opts.lang,
        color: opts.color,
        mouse: opts.mouse,
        demo: opts.demo,
        can_switch_user: opts.demo && opts.switch_user.is_some(),
        bell: opts.bell,
    };
    let mut state = state::State::new(settings, Arc::new(keymap), (opts.clock)());
    state.policy = crate::sla_files::load()?;
    Ok(state)
}

/// Runs the TUI until the user quits. Blocking; see the module docs for the
/// runtime. `open` runs on its own thread while the first frame is drawn.
pub fn run(open: app::Opener, opts: TuiOptions) -> anyhow::Result<()> {
    let state = initial_state(&opts)?;
    let switch = if opts.demo {
        opts.switch_user.clone()
    } else {
        None
    };
    app::run_loop(open, state, opts.clock.clone(), switch)
}

/// `hotline check-config`: validates keymap files; every error names the file
/// and line of the unknown key, action or context.
pub fn check_config(files: &[PathBuf]) -> Result<(), Vec<String>> {
    keymap::check_files(files)
}
