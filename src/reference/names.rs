//! Name-component frequencies, for realistic demo data only.

use super::csv_table;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighted {
    pub value: String,
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenName {
    pub value: String,
    pub weight: u32,
    /// "male", "female" or "both".
    pub gender: String,
}

fn weighted(text: &str, column: &str) -> Vec<Weighted> {
    csv_table::rows(text)
        .into_iter()
        .filter_map(|r| {
            Some(Weighted {
                value: r.get(column).to_string(),
                weight: r.get("count").parse().ok()?,
            })
            .filter(|w| !w.value.is_empty())
        })
        .collect()
}

static SURNAMES: LazyLock<Vec<Weighted>> =
    LazyLock::new(|| weighted(include_str!("../../data/vn_surnames_freq.csv"), "surname"));
static MIDDLE: LazyLock<Vec<Weighted>> = LazyLock::new(|| {
    weighted(
        include_str!("../../data/vn_middle_names_freq.csv"),
        "middle_name",
    )
});
static GIVEN: LazyLock<Vec<GivenName>> = LazyLock::new(|| {
    csv_table::rows(include_str!("../../data/vn_given_names_freq.csv"))
        .into_iter()
        .filter_map(|r| {
            Some(GivenName {
                value: r.get("given_name").to_string(),
                weight: r.get("count").parse().ok()?,
                gender: r.get("gender_hint").to_string(),
            })
        })
        .collect()
});

pub fn surnames() -> &'static [Weighted] {
    &SURNAMES
}

pub fn middle_names() -> &'static [Weighted] {
    &MIDDLE
}

pub fn given_names() -> &'static [GivenName] {
    &GIVEN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_tables_parse() {
        assert_eq!(surnames()[0].value, "Nguyễn");
        assert!(surnames().len() > 200);
        assert!(middle_names().len() > 1000);
        assert!(given_names().len() > 700);
        assert!(given_names().iter().any(|g| g.gender == "female"));
    }
}
