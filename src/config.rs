//! The user's configuration file (TOML). Every key is optional.

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The user the CLI and TUI act as when `--user` is not given.
    pub user: Option<String>,
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
    /// `vim` or `emacs` on top of the default keymap.
    pub keymap_preset: Option<String>,
    /// `auto` (default), `always` or `never`.
    pub color: Option<String>,
    pub mouse: Option<bool>,
    /// Store directory, as `--data`.
    pub data: Option<String>,
}

impl Config {
    /// Parses the text of a config file.
    pub fn from_toml(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// Reads the file; a missing file is the default config. Errors name the file.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }
}
