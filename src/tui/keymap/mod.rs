//! Keymaps: one TOML table per context, layered default → preset → user file
//! → `--keymap`, key by key; `"noop"` unbinds a key.

mod key;

pub use key::{chord_to_string, parse_chord, Chord, Key, KeyName};

use crate::tui::action::Action;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DEFAULT_TOML: &str = include_str!("../../../keymaps/default.toml");
pub const VIM_TOML: &str = include_str!("../../../keymaps/vim.toml");
pub const EMACS_TOML: &str = include_str!("../../../keymaps/emacs.toml");

/// Where a binding applies. Specific contexts are looked up before `global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Search,
    List,
    Form,
    Detail,
    Palette,
    Help,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Search,
        Context::List,
        Context::Form,
        Context::Detail,
        Context::Palette,
        Context::Help,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Search => "search",
            Context::List => "list",
            Context::Form => "form",
            Context::Detail => "detail",
            Context::Palette => "palette",
            Context::Help => "help",
        }
    }

    pub fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// The result of looking up the keys typed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Action(Action),
    /// The keys start a longer binding: wait for the next key.
    Prefix,
    None,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keymap {
    tables: BTreeMap<Context, BTreeMap<Chord, Action>>,
}

/// One binding line of a keymap file.
struct Entry {
    context: Context,
    chord: Chord,
    action: Option<Action>,
}

type RawFile = BTreeMap<String, BTreeMap<String, toml::Spanned<String>>>;

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

/// Parses one keymap file's text; `name` is used in error messages.
fn parse_file(name: &str, src: &str) -> Result<Vec<Entry>, Vec<String>> {
    let raw: RawFile = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
            return Err(vec![format!(
                "{name}:{line}: {}",
                e.message().trim().replace('\n', " ")
            )]);
        }
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (ctx_name, table) in raw {
        let Some(context) = Context::from_name(&ctx_name) else {
            let line = src
                .lines()
                .position(|l| l.trim() == format!("[{ctx_name}]"))
                .map(|i| i + 1)
                .unwrap_or(1);
            errors.push(format!(
                "{name}:{line}: unknown context [{ctx_name}] (known: {})",
                Context::ALL.map(|c| c.name()).join(", ")
            ));
            continue;
        };
        for (key, value) in table {
            let line = line_of(src, value.span().start);
            let chord = match parse_chord(&key) {
                Ok(c) => c,
                Err(e) => {
                    errors.push(format!("{name}:{line}: [{ctx_name}] {e}"));
                    continue;
                }
            };
            let action = value.get_ref().as_str();
            let action = if action == "noop" {
                None
            } else if let Some(a) = Action::from_name(action) {
                Some(a)
            } else {
                errors.push(format!(
                    "{name}:{line}: [{ctx_name}] unknown action '{}' for key '{key}'",
                    action.escape_default()
                ));
                continue;
            };
            entries.push(Entry {
                context,
                chord,
                action,
            });
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// The presets a config may name (`keymap_preset`).
pub const PRESETS: [&str; 3] = ["default", "vim", "emacs"];

/// The embedded text of a preset (`vim`, `emacs`; `default` is always applied first).
pub fn preset_text(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(""),
        "vim" => Some(VIM_TOML),
        "emacs" => Some(EMACS_TOML),
        _ => None,
    }
}

impl Keymap {
    /// Only the shipped defaults.
    pub fn default_keymap() -> Keymap {
        let mut k = Keymap::default();
        // The shipped files are checked by tests; a failure here would leave an empty map.
        if let Ok(entries) = parse_file("keymaps/default.toml", DEFAULT_TOML) {
            k.apply(entries);
        }
        k
    }

    /// Defaults, then the preset, then each file in order. Every problem is
    /// reported with the file and line.
    pub fn load(preset: Option<&str>, files: &[PathBuf]) -> Result<Keymap, Vec<String>> {
        let mut k = Keymap::default_keymap();
        let mut errors = Vec::new();
        if let Some(p) = preset {
            match preset_text(p) {
                Some(text) => match parse_file(&format!("keymaps/{p}.toml"), text) {
                    Ok(e) => k.apply(e),
                    Err(e) => errors.extend(e),
                },
                None => errors.push(format!(
                    "unknown keymap preset '{}' (known: {})",
                    p.escape_default(),
                    PRESETS.join(", ")
                )),
            }
        }
        for f in files {
            match k.layer_file(f) {
                Ok(()) => {}
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() {
            Ok(k)
        } else {
            Err(errors)
        }
    }

    fn layer_file(&mut self, path: &Path) -> Result<(), Vec<String>> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{name}: {e}")])?;
        let entries = parse_file(&name, &text)?;
        self.apply(entries);
        Ok(())
    }

    /// Layers text on top (used by tests and presets).
    pub fn layer_str(&mut self, name: &str, text: &str) -> Result<(), Vec<String>> {
        let entries = parse_file(name, text)?;
        self.apply(entries);
        Ok(())
    }

    fn apply(&mut self, entries: Vec<Entry>) {
        for e in entries {
            let table = self.tables.entry(e.context).or_default();
            match e.action {
                Some(a) => {
                    table.insert(e.chord, a);
                }
                None => {
                    table.remove(&e.chord);
                }
            }
        }
    }

    /// Looks up the keys typed so far in `contexts` (most specific first), then `global`.
    pub fn lookup(&self, contexts: &[Context], keys: &[Key]) -> Lookup {
        let mut prefix = false;
        for ctx in contexts.iter().chain(std::iter::once(&Context::Global)) {
            let Some(table) = self.tables.get(ctx) else {
                continue;
            };
            if let Some(a) = table.get(keys) {
                return Lookup::Action(*a);
            }
            if table
                .keys()
                .any(|c| c.len() > keys.len() && c.starts_with(keys))
            {
                prefix = true;
            }
        }
        if prefix {
            Lookup::Prefix
        } else {
            Lookup::None
        }
    }

    /// Keys bound to `action` in `context` (then global), shortest first.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<String> {
        self.keys_for_input(context, action, false)
    }

    /// As [`Keymap::keys_for`]; with `typing`, only keys that act while a text
    /// field has focus (a printable key would be typed into it instead).
    pub fn keys_for_input(&self, context: Context, action: Action, typing: bool) -> Vec<String> {
        let mut out: Vec<&Chord> = Vec::new();
        for ctx in [context, Context::Global] {
            if let Some(t) = self.tables.get(&ctx) {
                out.extend(
                    t.iter()
                        .filter(|(_, a)| **a == action)
                        .map(|(c, _)| c)
                        .filter(|c| !typing || c.iter().all(|k| k.printable().is_none())),
                );
            }
        }
        out.sort_by_key(|c| (c.len(), chord_to_string(c).len()));
        out.into_iter().map(|c| chord_to_string(c)).collect()
    }

    /// Every binding, for the help overlay and tests.
    pub fn bindings(&self) -> Vec<(Context, String, Action)> {
        let mut v = Vec::new();
        for (ctx, table) in &self.tables {
            for (chord, a) in table {
                v.push((*ctx, chord_to_string(chord), *a));
            }
        }
        v
    }

    /// Bindings that can never fire: a chord that is a prefix of another in the same context.
    pub fn conflicts(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (ctx, table) in &self.tables {
            for a in table.keys() {
                for b in table.keys() {
                    if b.len() > a.len() && b.starts_with(a) {
                        out.push(format!(
                            "[{}] '{}' hides '{}'",
                            ctx.name(),
                            chord_to_string(a),
                            chord_to_string(b)
                        ));
                    }
                }
            }
        }
        out
    }
}

/// `hotline check-config`: validates keymap files, naming file and line of each problem.
pub fn check_files(files: &[PathBuf]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match std::fs::read_to_string(f) {
            Ok(text) => {
                if let Err(e) = parse_file(&name, &text) {
                    errors.extend(e);
                }
            }
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> [(&'static str, &'static str); 3] {
        [
            ("default.toml", DEFAULT_TOML),
            ("vim.toml", VIM_TOML),
            ("emacs.toml", EMACS_TOML),
        ]
    }

    #[test]
    fn every_shipped_file_parses() {
        for (name, text) in shipped() {
            if let Err(e) = parse_file(name, text) {
                panic!("{name}: {e:?}");
            }
        }
    }

    /// Found by the keymap_parser fuzz target on default.toml: bindings as
    /// listed (help, hints) did not parse back to the same keymap.
    #[test]
    fn bindings_as_listed_parse_back_to_the_same_keymap() {
        for (name, text) in shipped() {
            let mut keymap = Keymap::default();
            keymap.layer_str(name, text).unwrap();
            let mut written = String::new();
            for context in Context::ALL {
                written.push_str(&format!("[{}]\n", context.name()));
                for (c, chord, action) in keymap.bindings() {
                    if c == context {
                        written.push_str(&format!("{chord:?} = {:?}\n", action.name()));
                    }
                }
            }
            let mut again = Keymap::default();
            again.layer_str("written.toml", &written).unwrap();
            assert_eq!(keymap, again, "{name}:\n{written}");
        }
    }

    #[test]
    fn no_conflicts_in_any_preset() {
        for p in [None, Some("vim"), Some("emacs")] {
            let k = Keymap::load(p, &[]).unwrap();
            assert_eq!(k.conflicts(), Vec::<String>::new(), "preset {p:?}");
        }
    }

    #[test]
    fn every_action_is_reachable_in_default_and_presets() {
        for p in [None, Some("vim"), Some("emacs")] {
            let k = Keymap::load(p, &[]).unwrap();
            let bound: std::collections::HashSet<Action> =
                k.bindings().into_iter().map(|(_, _, a)| a).collect();
            for a in Action::ALL {
                assert!(bound.contains(a), "{a} has no key in preset {p:?}");
            }
        }
    }

    #[test]
    fn layering_is_key_by_key_and_noop_unbinds() {
        let mut k = Keymap::default_keymap();
        assert_eq!(
            k.lookup(&[Context::List], &[Key::char('j')]),
            Lookup::Action(Action::Down)
        );
        k.layer_str("user.toml", "[list]\nj = \"noop\"\nx = \"down\"\n")
            .unwrap();
        assert_eq!(k.lookup(&[Context::List], &[Key::char('j')]), Lookup::None);
        assert_eq!(
            k.lookup(&[Context::List], &[Key::char('x')]),
            Lookup::Action(Action::Down)
        );
        // Untouched bindings survive.
        assert_eq!(
            k.lookup(&[Context::List], &[Key::char('k')]),
            Lookup::Action(Action::Up)
        );
    }

    #[test]
    fn sequences_wait_for_the_next_key() {
        let k = Keymap::default_keymap();
        let g = Key::char('g');
        assert_eq!(k.lookup(&[Context::List], &[g]), Lookup::Prefix);
        assert_eq!(
            k.lookup(&[Context::List], &[g, g]),
            Lookup::Action(Action::Top)
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse_file(
            "mine.toml",
            "[list]\nj = \"down\"\nk = \"fly\"\n[nowhere]\nx = \"up\"\n",
        )
        .err()
        .unwrap();
        assert!(
            err.iter()
                .any(|e| e.starts_with("mine.toml:3:") && e.contains("fly")),
            "{err:?}"
        );
        assert!(
            err.iter()
                .any(|e| e.starts_with("mine.toml:4:") && e.contains("nowhere")),
            "{err:?}"
        );
        let err = parse_file("bad.toml", "[list]\nctrl-bogus = \"down\"\n")
            .err()
            .unwrap();
        assert!(err[0].starts_with("bad.toml:2:"), "{err:?}");
        let err = parse_file("syntax.toml", "[list]\nj = \n").err().unwrap();
        assert!(err[0].starts_with("syntax.toml:2:"), "{err:?}");
    }
}
