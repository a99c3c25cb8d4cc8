//! The reference data the TUI's pickers need (wards with their former names,
//! categories), behind one small adapter over `crate::reference`.

use crate::domain::WardCode;
use crate::reference;

/// One ward picker suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardChoice {
    pub code: WardCode,
    pub name: String,
    /// The former unit the query matched, when the caller used an old name.
    pub former: Option<String>,
}

/// The current name of a ward, if known.
pub fn ward_name(code: WardCode) -> Option<String> {
    reference::ward(code).map(|w| w.full_name.clone())
}

/// A ward label for display: name, or the bare code when unknown.
pub fn ward_label(code: WardCode) -> String {
    ward_name(code).unwrap_or_else(|| format!("#{code}"))
}

/// Wards whose current or former name (or code) matches `query`, accents and
/// case ignored. Current-name matches come first.
pub fn find_wards(query: &str, limit: usize) -> Vec<WardChoice> {
    reference::find_wards(query)
        .into_iter()
        .take(limit)
        .map(|(w, f)| WardChoice {
            code: w.code,
            name: w.full_name.clone(),
            former: f.map(|f| {
                if f.district.is_empty() {
                    f.name.clone()
                } else {
                    format!("{}, {}", f.name, f.district)
                }
            }),
        })
        .collect()
}

/// Ticket categories for the form's picker: (stored value, Vietnamese,
/// English, examples the picker's filter also matches).
pub fn categories() -> Vec<(String, String, String, String)> {
    reference::categories()
        .iter()
        .map(|c| {
            (
                c.vi.clone(),
                c.vi.clone(),
                c.en.clone(),
                c.examples.join("; "),
            )
        })
        .collect()
}
