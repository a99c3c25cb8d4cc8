//! A parsed query: words plus filters (`ward:`, `status:`, `kind:`, `overdue`,
//! `open`, `mine`, `from:`, `to:`).

use super::tokenize::{query_words, QueryWord};
use super::Scope;
use crate::domain::Ts;
use chrono::NaiveDate;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub wards: Vec<u32>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub overdue: bool,
    pub open: bool,
    /// `mine`: assigned to this user.
    pub assignee: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<QueryWord>,
    pub filters: Filters,
    pub now: i64,
    pub limit: usize,
    /// Filter words that could not be understood (shown to the user, otherwise ignored).
    pub problems: Vec<String>,
    /// The documents the user may find; `None`: all of them.
    pub scope: Option<Scope>,
}

/// `ward:` takes a GSO code, or a (current or former) ward name with `_` or `-` for spaces.
fn ward_codes(value: &str) -> Vec<u32> {
    if let Ok(code) = value.parse::<u32>() {
        return vec![code];
    }
    let name = value.replace(['_', '-'], " ");
    crate::reference::find_wards(&name)
        .into_iter()
        .map(|(w, _)| w.code)
        .collect()
}

fn date(value: &str) -> Option<i64> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .map(|d| Ts::from_local_date(d).0)
}

impl Query {
    pub fn parse(raw: &str, now: i64, me: Option<&str>, limit: usize) -> Query {
        let clean = crate::text::clean_line(&raw.chars().take(500).collect::<String>());
        let mut filters = Filters::default();
        let mut problems = Vec::new();
        let mut free = Vec::new();
        for token in clean.split_whitespace() {
            let lower = crate::text::fold(token);
            match lower.split_once(':') {
                Some(("ward" | "phuong" | "p", v)) if !v.is_empty() => {
                    let codes = ward_codes(v);
                    if codes.is_empty() {
                        problems.push(format!("ward:{v}"));
                    }
                    // An unknown ward matches nothing rather than everything.
                    filters.wards = if codes.is_empty() { vec![0] } else { codes };
                }
                Some(("status", v)) if !v.is_empty() => filters.status = Some(v.to_string()),
                Some(("kind", v)) if !v.is_empty() => filters.tag = Some(v.to_string()),
                Some(("from", v)) => match date(v) {
                    Some(d) => filters.from = Some(d),
                    None => problems.push(token.to_string()),
                },
                Some(("to", v)) => match date(v) {
                    Some(d) => filters.to = Some(d + 86_400),
                    None => problems.push(token.to_string()),
                },
                _ => match lower.as_str() {
                    "overdue" | "quahan" => filters.overdue = true,
                    "open" | "mo" => filters.open = true,
                    "mine" | "cuatoi" => filters.assignee = Some(me.unwrap_or("").to_string()),
                    _ => free.push(token),
                },
            }
        }
        // "phiếu 124" is how people say ticket PA-000124.
        let free: Vec<&str> = (0..free.len())
            .map(|i| {
                let ticket_word = crate::text::fold(free[i]) == "phieu";
                let number_follows = free
                    .get(i + 1)
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
                if ticket_word && number_follows {
                    "PA"
                } else {
                    free[i]
                }
            })
            .collect();
        Query {
            words: query_words(&free.join(" ")),
            filters,
            now,
            limit: limit.max(1),
            problems,
            scope: None,
        }
    }

    /// The same query, finding only documents in `scope` (`None`: all).
    pub fn within(self, scope: Option<Scope>) -> Query {
        Query { scope, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_taken_out_of_the_words() {
        let q = Query::parse(
            "tran van hung status:processing ward:26743 overdue mine from:2025-08-01",
            0,
            Some("lan"),
            10,
        );
        assert_eq!(q.words.len(), 3);
        assert_eq!(q.filters.status.as_deref(), Some("processing"));
        assert_eq!(q.filters.wards, vec![26743]);
        assert!(q.filters.overdue);
        assert_eq!(q.filters.assignee.as_deref(), Some("lan"));
        assert!(q.filters.from.is_some());
        let q = Query::parse("ward:ben_thanh x", 0, None, 10);
        assert_eq!(q.filters.wards, vec![26743]);
        let q = Query::parse("from:yesterday \u{1b}[2J", 0, None, 10);
        assert_eq!(q.problems, ["from:yesterday"]);
        assert!(q.words.is_empty());
    }
}
