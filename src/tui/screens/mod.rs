//! One folder per screen, holding everything that screen does:
//!
//! - `screens/<screen>/state.rs`: the screen's part of [`State`](crate::tui::state::State);
//! - `screens/<screen>/update.rs`: how it handles actions and keys (called from
//!   the dispatcher in [`update`](crate::tui::update));
//! - `screens/<screen>/view.rs`: how it is drawn (called from [`ui::draw`](crate::tui::ui::draw)).
//!
//! The dashboard handles the dead letters' keys, so `dead_letters` has no
//! `update.rs`; `welcome` is drawing only. Pieces several screens share stay
//! where they were: the top-level dispatcher, fields, dialogs, overlays, input,
//! cursor, mouse hit-testing and API results under `update/` and `state/`;
//! layout, theme, widgets and overlays under `ui/`. The old paths
//! (`state::search`, `update::search`, `ui::screens::search`, …) re-export these
//! modules.

pub mod caller;
pub mod dashboard;
pub mod dead_letters;
pub mod detail;
pub mod dossier;
pub mod form;
pub mod queues;
pub mod search;
pub mod welcome;
