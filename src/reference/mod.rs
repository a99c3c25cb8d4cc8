//! Embedded reference data (wards, procedures, statuses, categories, names),
//! parsed once from the CSV files in `data/` (sources in `data/SOURCES.md`).

mod csv_table;
mod names;
mod procedures;
mod wards;

pub use names::{given_names, middle_names, surnames, GivenName, Weighted};
pub use procedures::{procedure, procedures, Procedure};
pub use wards::{find_wards, ward, wards, FormerUnit, Ward, WardKind};

use std::sync::LazyLock;

/// A 1022 report category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub vi: String,
    pub en: String,
    pub examples: Vec<String>,
}

static CATEGORIES: LazyLock<Vec<Category>> = LazyLock::new(|| {
    csv_table::rows(include_str!("../../data/feedback_1022_categories.csv"))
        .into_iter()
        .map(|r| Category {
            vi: r.get("category_vi").to_string(),
            en: r.get("category_en").to_string(),
            examples: r
                .get("examples_vi")
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        })
        .collect()
});

pub fn categories() -> &'static [Category] {
    &CATEGORIES
}

/// (code, label_vi, meaning_en) of the national portal's dossier statuses.
pub fn portal_status_rows() -> Vec<(u8, String, String)> {
    csv_table::rows(include_str!("../../data/dossier_statuses_dvcqg.csv"))
        .into_iter()
        .filter_map(|r| {
            Some((
                r.get("code").parse().ok()?,
                r.get("label_vi").to_string(),
                r.get("meaning_en").to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PortalStatus;

    #[test]
    fn portal_statuses_match_the_domain_labels() {
        let rows = portal_status_rows();
        assert_eq!(rows.len(), 10);
        for (code, label, _) in rows {
            assert_eq!(PortalStatus::new(code).unwrap().label_vi(), label);
        }
    }

    #[test]
    fn categories_parse() {
        assert!(categories().len() >= 10);
        assert_eq!(categories()[0].vi, "Hành chính công");
        assert!(categories()[0].examples.len() > 3);
    }
}
