//! Dossiers from the one-stop system: file import (CSV or JSON lines).

pub mod import;

pub use import::{import_dossiers, parse_dossiers, ImportReport, RowError};
