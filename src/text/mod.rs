//! Vietnamese text rules used at every boundary: NFC, one tone-placement
//! comparison form, folded search keys, and removal of control characters.

mod sanitize;
mod vietnamese;

pub use sanitize::{
    clean_line, clean_text, escape_controls, escape_controls_by_line, strip_controls,
};
pub use vietnamese::{fold, fold_char, nfc, tone_key, tone_parts};
