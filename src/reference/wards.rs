//! The 168 commune-level units of Ho Chi Minh City since 1 July 2025, with
//! the former wards merged into each (callers still say the old names).

use super::csv_table;
use crate::text::fold;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WardKind {
    Phuong,
    Xa,
    DacKhu,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerUnit {
    /// "Phường 7"
    pub name: String,
    /// "Quận 3"
    pub district: String,
    /// Only part of it went into this unit.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ward {
    pub code: u32,
    /// "Bến Thành"
    pub name: String,
    /// "Phường Bến Thành"
    pub full_name: String,
    pub kind: WardKind,
    pub former_area: String,
    pub former_units: Vec<FormerUnit>,
    pub name_en: String,
}

static WARDS: LazyLock<Vec<Ward>> = LazyLock::new(|| {
    let mut former: HashMap<u32, Vec<FormerUnit>> = HashMap::new();
    for r in csv_table::rows(include_str!("../../data/hcmc_wards_2025_old_to_new.csv")) {
        if let Ok(code) = r.get("new_code").parse() {
            former.entry(code).or_default().push(FormerUnit {
                name: r.get("old_ward_name").to_string(),
                district: r.get("old_district_name").to_string(),
                partial: r.get("merge_type") == "partial",
            });
        }
    }
    csv_table::rows(include_str!("../../data/hcmc_wards_2025.csv"))
        .into_iter()
        .filter_map(|r| {
            let code: u32 = r.get("code").parse().ok()?;
            Some(Ward {
                code,
                name: r.get("name").to_string(),
                full_name: r.get("full_name").to_string(),
                kind: match r.get("type") {
                    "xã" => WardKind::Xa,
                    "đặc khu" => WardKind::DacKhu,
                    _ => WardKind::Phuong,
                },
                former_area: r.get("former_area").to_string(),
                former_units: former.remove(&code).unwrap_or_default(),
                name_en: r.get("name_en").to_string(),
            })
        })
        .collect()
});

pub fn wards() -> &'static [Ward] {
    &WARDS
}

pub fn ward(code: u32) -> Option<&'static Ward> {
    WARDS.iter().find(|w| w.code == code)
}

fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every query word matches a word of `target`: numbers whole, other words by prefix
/// (so "phuong 1 quan 1" does not find Phường 10 of Quận 10).
fn all_match(query: &[String], target: &[String]) -> bool {
    query
        .iter()
        .all(|q| target.iter().any(|t| word_matches(q, t)))
}

fn word_matches(q: &str, t: &str) -> bool {
    if q.chars().all(|c| c.is_ascii_digit()) {
        t == q
    } else {
        t.starts_with(q)
    }
}

/// The query words match `target` in order ("phuong 4 quan 3" is not Phường 3, Quận 4).
fn in_order(query: &[String], target: &[String]) -> bool {
    let mut rest = target.iter();
    query.iter().all(|q| rest.any(|t| word_matches(q, t)))
}

/// Units whose current name, or one of whose former wards (with its old
/// district), matches `query` — accents, case and tone placement ignored.
/// Current-name matches come first; a former match names the old unit.
pub fn find_wards(query: &str) -> Vec<(&'static Ward, Option<&'static FormerUnit>)> {
    let q = words(query);
    if q.is_empty() {
        return Vec::new();
    }
    let mut current = Vec::new();
    let mut old = Vec::new();
    for (w, searched) in wards().iter().zip(WARD_WORDS.iter()) {
        if all_match(&q, &searched.own) {
            current.push((w, None));
            continue;
        }
        if let Some((f, _)) =
            w.former_units
                .iter()
                .zip(&searched.former)
                .find(|(_, [name_first, district_first])| {
                    in_order(&q, name_first) || in_order(&q, district_first)
                })
        {
            old.push((w, Some(f)));
        }
    }
    current.extend(old);
    current
}

/// A ward's names as `find_wards` compares them, folded once: folding every
/// name on every call cost milliseconds per `ward:` filter in a search.
struct WardWords {
    /// Full name, English name and code.
    own: Vec<String>,
    /// Per former unit: "name district" and "district name".
    former: Vec<[Vec<String>; 2]>,
}

static WARD_WORDS: LazyLock<Vec<WardWords>> = LazyLock::new(|| {
    WARDS
        .iter()
        .map(|w| {
            let mut own = words(&w.full_name);
            own.extend(words(&w.name_en));
            own.push(w.code.to_string());
            let former = w
                .former_units
                .iter()
                .map(|f| {
                    [
                        words(&format!("{} {}", f.name, f.district)),
                        words(&format!("{} {}", f.district, f.name)),
                    ]
                })
                .collect();
            WardWords { own, former }
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn there_are_168_units_with_unique_codes() {
        assert_eq!(wards().len(), 168);
        let mut codes: Vec<u32> = wards().iter().map(|w| w.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 168);
        assert_eq!(
            wards().iter().filter(|w| w.kind == WardKind::Xa).count(),
            54
        );
        assert_eq!(ward(26732).unwrap().kind, WardKind::DacKhu);
        let mapped: usize = wards().iter().map(|w| w.former_units.len()).sum();
        assert_eq!(mapped, 493, "every old-to-new row belongs to a unit");
    }

    #[test]
    fn old_ward_names_find_the_unit_they_merged_into() {
        // Phường 7 of Quận 3 had already become Võ Thị Sáu in 2020; Phường 12 went whole into Nhiêu Lộc.
        let hits = find_wards("phuong 12 quan 3");
        assert_eq!(hits.len(), 1, "{hits:?}");
        let (w, f) = hits[0];
        assert_eq!(w.full_name, "Phường Nhiêu Lộc");
        assert_eq!(f.unwrap().district, "Quận 3");
        let nfd: String = "Phường 12, Quận 3".nfd().collect();
        assert_eq!(find_wards(&nfd)[0].0.code, w.code);
        let split: Vec<&str> = find_wards("phuong 4 quan 3")
            .iter()
            .map(|(w, _)| w.name.as_str())
            .collect();
        assert_eq!(
            split,
            ["Xuân Hòa", "Bàn Cờ"],
            "a partly merged ward names both units"
        );
        assert_eq!(find_wards("vo thi sau")[0].0.full_name, "Phường Xuân Hòa");
    }

    #[test]
    fn current_names_match_without_diacritics() {
        assert_eq!(find_wards("ben thanh")[0].0.code, 26743);
        assert_eq!(find_wards("Bến Thành")[0].0.code, 26743);
        assert_eq!(find_wards("26740")[0].0.full_name, "Phường Sài Gòn");
        assert!(find_wards("").is_empty());
        assert!(find_wards("\u{1b}[2J").is_empty());
    }
}
