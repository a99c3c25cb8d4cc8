//! The user's configuration file (TOML). Every key is optional; every value
//! is checked when the file is read, so `check-config`, the CLI and the TUI
//! refuse the same files with the same message.

use crate::problems::Problems;
use crate::text::escape_controls;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The user the CLI and TUI act as when `--user` is not given.
    pub user: Option<String>,
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
    /// `default`, `vim` or `emacs` on top of the default keymap.
    pub keymap_preset: Option<String>,
    /// `auto` (default), `always` or `never`.
    pub color: Option<String>,
    pub mouse: Option<bool>,
    /// Store directory, as `--data`.
    pub data: Option<String>,
    /// The hub to work through, as `--server`.
    pub server: Option<String>,
    /// The terminal bell on a new escalation into the user's queue (default on).
    pub bell: Option<bool>,
}

pub const LANGS: [&str; 2] = ["vi", "en"];
pub const COLORS: [&str; 3] = ["auto", "always", "never"];

/// The file as written, with where each value is, for error messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    user: Option<Spanned<String>>,
    lang: Option<Spanned<String>>,
    keymap_preset: Option<Spanned<String>>,
    color: Option<Spanned<String>>,
    mouse: Option<bool>,
    data: Option<Spanned<String>>,
    server: Option<Spanned<String>>,
    bell: Option<bool>,
}

impl Config {
    /// Reads the file; a missing file is the default config. Every error
    /// names the file and the line of the bad key or value.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Config::parse(&path.display().to_string(), &text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }

    /// Parses and checks the text of the file called `name`.
    pub fn parse(name: &str, text: &str) -> Result<Config, Problems> {
        let at = |offset: usize| format!("{name}:{}", line_of(text, offset));
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let place = e.span().map(|s| at(s.start)).unwrap_or_else(|| name.into());
            Problems(vec![format!("{place}: {}", e.message().trim())])
        })?;
        let mut problems = Vec::new();
        let mut check = |key: &str,
                         value: &Option<Spanned<String>>,
                         rule: &dyn Fn(&str) -> Result<(), String>| {
            if let Some(v) = value {
                if let Err(why) = rule(v.get_ref()) {
                    problems.push(format!(
                        "{}: {key} = '{}': {why}",
                        at(v.span().start),
                        escape_controls(v.get_ref())
                    ));
                }
            }
        };
        check("lang", &raw.lang, &|v| one_of(v, &LANGS));
        check("keymap_preset", &raw.keymap_preset, &|v| {
            one_of(v, &crate::tui::keymap::PRESETS)
        });
        check("color", &raw.color, &|v| one_of(v, &COLORS));
        check("user", &raw.user, &|v| {
            crate::domain::User::checked(v, v, crate::domain::Role::Operator, Vec::new())
                .map(|_| ())
                .map_err(|e| format!("not a user name ({})", e.message))
        });
        check("data", &raw.data, &|v| {
            if v.trim().is_empty() {
                Err("is empty; leave the key out for the default store".into())
            } else {
                Ok(())
            }
        });
        check("server", &raw.server, &|v| {
            crate::api::remote::parse_hub_url(v).map(|_| ())
        });
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        let value = |v: Option<Spanned<String>>| v.map(Spanned::into_inner);
        Ok(Config {
            user: value(raw.user),
            lang: value(raw.lang),
            keymap_preset: value(raw.keymap_preset),
            color: value(raw.color),
            mouse: raw.mouse,
            data: value(raw.data),
            server: value(raw.server),
            bell: raw.bell,
        })
    }
}

fn one_of(value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let (last, rest) = allowed.split_last().unwrap_or((&"", &[]));
    Err(format!("expected {} or {last}", rest.join(", ")))
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_values_are_kept() {
        let c = Config::parse(
            "c.toml",
            "user = \"lan.nt\"\nlang = \"en\"\nkeymap_preset = \"vim\"\ncolor = \"never\"\nmouse = false\nserver = \"https://hub.example:8443\"\nbell = false\n",
        )
        .unwrap();
        assert_eq!(c.bell, Some(false));
        assert_eq!(c.server.as_deref(), Some("https://hub.example:8443"));
        assert_eq!(c.keymap_preset.as_deref(), Some("vim"));
        assert_eq!(c.mouse, Some(false));
    }

    #[test]
    fn every_bad_value_is_named_with_its_line() {
        let e = Config::parse(
            "c.toml",
            "lang = \"fr\"\n\nkeymap_preset = \"nano\"\ncolor = \"sometimes\"\nuser = \"Lan NT\"\ndata = \" \"\nserver = \"hub:8080\"\n",
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            vec![
                "c.toml:1: lang = 'fr': expected vi or en",
                "c.toml:3: keymap_preset = 'nano': expected default, vim or emacs",
                "c.toml:4: color = 'sometimes': expected auto, always or never",
                "c.toml:5: user = 'Lan NT': not a user name (use 1-40 lowercase letters, digits, '.', '_' or '-')",
                "c.toml:6: data = ' ': is empty; leave the key out for the default store",
                "c.toml:7: server = 'hub:8080': expected an http:// or https:// URL, not hub://",
            ]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_have_lines_too() {
        let e = Config::parse("c.toml", "lang = \"vi\"\nkeymap = \"vim\"\n").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(
            e.0[0].starts_with("c.toml:2: unknown field `keymap`"),
            "{e}"
        );
        let e = Config::parse("c.toml", "\nmouse = \"yes\"\n").unwrap_err();
        assert!(e.0[0].starts_with("c.toml:2: "), "{e}");
    }
}
