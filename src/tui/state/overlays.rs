//! The help and palette overlays' state; their keys are in
//! `update/overlay.rs`, their drawing in `ui/overlays.rs`.

use super::{Cursor, TextInput};

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
