//! The screens' drawing, re-exported from [`crate::tui::screens`] (each
//! screen's `view`) under their old paths.

pub use crate::tui::screens::caller::view as caller;
pub use crate::tui::screens::dashboard::view as dashboard;
pub use crate::tui::screens::dead_letters::view as dead_letters;
pub use crate::tui::screens::detail::view as detail;
pub use crate::tui::screens::dossier::view as dossier;
pub use crate::tui::screens::form::view as form;
pub use crate::tui::screens::queues::view as queues;
pub use crate::tui::screens::search::view as search;
pub use crate::tui::screens::welcome::view as welcome;
