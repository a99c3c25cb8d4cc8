//! UI text in Vietnamese (default) and English. Every string comes from a
//! catalog; a test keeps both catalogs' keys identical.

pub mod en;
pub mod messages;
pub mod vi;

use crate::domain::{Channel, FaultType, Kind, Priority, SlaClock, SlaState, Status};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// `vi`/`en` (also `vi-VN`, `en_US` …).
    pub fn parse(s: &str) -> Option<Lang> {
        let l = s.trim().to_ascii_lowercase();
        if l.starts_with("vi") {
            Some(Lang::Vi)
        } else if l.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

fn catalog(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static VI: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match lang {
        Lang::Vi => VI.get_or_init(|| vi::ENTRIES.iter().copied().collect()),
        Lang::En => EN.get_or_init(|| en::ENTRIES.iter().copied().collect()),
    }
}

/// A compact duration in the UI's units (`2d 3h` / `2n 3g`).
pub fn duration(lang: Lang, secs: i64) -> String {
    let units = match lang {
        Lang::Vi => ["n", "g", "p"],
        Lang::En => ["d", "h", "m"],
    };
    crate::domain::time::duration_in(secs, units)
}

/// Working time left or over, in working days of `day_secs` (a ward's
/// office day is 8 h, the hotline's 24 h), hours and minutes.
pub fn working_duration(lang: Lang, secs: i64, day_secs: i64) -> String {
    let units = match lang {
        Lang::Vi => ["n", "g", "p"],
        Lang::En => ["d", "h", "m"],
    };
    crate::domain::time::working_duration_in(secs, day_secs, units)
}

/// The text for `key`; a missing key shows as itself (tests keep that from shipping).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match catalog(lang).get(key) {
        Some(v) => v,
        None => {
            tracing::warn!(key, "missing i18n key");
            // Leaked once per missing key at most in practice; keys are static strings.
            catalog(Lang::En).get(key).copied().unwrap_or("?")
        }
    }
}

/// `tr` with `{0}`, `{1}` … replaced.
pub fn trf(lang: Lang, key: &str, args: &[&str]) -> String {
    let mut s = tr(lang, key).to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), a);
    }
    s
}

pub fn status_label(lang: Lang, s: Status) -> &'static str {
    match lang {
        Lang::Vi => s.label_vi(),
        Lang::En => s.label_en(),
    }
}

pub fn kind_label(lang: Lang, k: Kind) -> &'static str {
    match lang {
        Lang::Vi => k.label_vi(),
        Lang::En => k.label_en(),
    }
}

pub fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match lang {
        Lang::Vi => c.label_vi(),
        Lang::En => c.label_en(),
    }
}

pub fn priority_label(lang: Lang, p: Priority) -> &'static str {
    match lang {
        Lang::Vi => p.label_vi(),
        Lang::En => p.label_en(),
    }
}

pub fn fault_label(lang: Lang, f: FaultType) -> &'static str {
    match lang {
        Lang::Vi => f.label_vi(),
        Lang::En => f.label_en(),
    }
}

pub fn clock_label(lang: Lang, c: SlaClock) -> &'static str {
    tr(lang, &format!("clock.{}", c.slug()))
}

/// An escalation level as responders know it (1: ward team, 2: city centre).
pub fn level_label(lang: Lang, level: u8) -> String {
    match level {
        1 | 2 => tr(lang, &format!("level.{level}")).to_string(),
        other => other.to_string(),
    }
}

/// Why a level was raised: the scheduler's reasons in the UI language,
/// anything else as it was written.
pub fn level_reason(lang: Lang, reason: &str) -> String {
    match reason {
        crate::domain::alarm::REASON_NOT_ACKNOWLEDGED => {
            tr(lang, "level.reason.not-acknowledged").to_string()
        }
        other => crate::text::escape_controls(other),
    }
}

pub fn sla_label(lang: Lang, s: SlaState) -> &'static str {
    tr(lang, &format!("sla.{}", s.slug()))
}

#[cfg(test)]
mod tests {

    #[test]
    fn durations_speak_the_ui_language() {
        assert_eq!(duration(Lang::Vi, 2 * 86_400 + 3 * 3600), "2n 3g");
        assert_eq!(duration(Lang::Vi, -(3600 + 600)), "-1g 10p");
        assert_eq!(duration(Lang::En, 45 * 60), "45m");
        assert_eq!(duration(Lang::En, 86_400), "1d 0h");
    }

    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let vi: BTreeSet<&str> = vi::ENTRIES.iter().map(|(k, _)| *k).collect();
        let en: BTreeSet<&str> = en::ENTRIES.iter().map(|(k, _)| *k).collect();
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "only vi: {only_vi:?}; only en: {only_en:?}"
        );
        assert_eq!(vi.len(), vi::ENTRIES.len(), "duplicate key in vi");
        assert_eq!(en.len(), en::ENTRIES.len(), "duplicate key in en");
    }

    #[test]
    fn every_action_has_a_label_and_description() {
        for a in crate::tui::action::Action::ALL {
            for lang in [Lang::Vi, Lang::En] {
                assert!(
                    catalog(lang).contains_key(a.hint_key().as_str()),
                    "{a} hint {lang:?}"
                );
                assert!(
                    catalog(lang).contains_key(a.desc_key().as_str()),
                    "{a} desc {lang:?}"
                );
            }
        }
    }

    #[test]
    fn every_key_used_in_the_tui_and_cli_source_exists() {
        // Keys are written as tr(lang, "…") / trf(lang, "…"); scan the sources.
        let roots = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/tui"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/cli"),
        ];
        let mut missing = Vec::new();
        let mut stack: Vec<std::path::PathBuf> =
            roots.iter().map(std::path::PathBuf::from).collect();
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "rs")
                    && !path.ends_with("i18n/mod.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for part in text.split("tr(").skip(1).chain(text.split("trf(").skip(1)) {
                        let Some(rest) = part.split_once(", \"").map(|x| x.1) else {
                            continue;
                        };
                        let Some((key, _)) = rest.split_once('"') else {
                            continue;
                        };
                        if key.contains(' ') || key.is_empty() || part.find(", \"") > Some(12) {
                            continue;
                        }
                        if !catalog(Lang::Vi).contains_key(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing keys: {missing:#?}");
    }
}
