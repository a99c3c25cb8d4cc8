//! Where hotline keeps its files: XDG directories, each overridable.

use std::path::{Path, PathBuf};

fn base(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| PathBuf::from(".")).join("hotline")
}

/// The real store: `--data`, else `HOTLINE_DATA`, else `$XDG_DATA_HOME/hotline/store`.
pub fn default_data_dir() -> PathBuf {
    base(dirs::data_dir()).join("store")
}

/// The demo store, kept apart so demo tickets never mix with real ones.
pub fn default_demo_dir() -> PathBuf {
    base(dirs::data_dir()).join("demo")
}

/// `HOTLINE_CONFIG`, else `$XDG_CONFIG_HOME/hotline/config.toml`.
pub fn config_file() -> PathBuf {
    std::env::var_os("HOTLINE_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| base(dirs::config_dir()).join("config.toml"))
}

/// Writes made while the hub could not be reached, until it answers:
/// `HOTLINE_OUTBOX`, else `$XDG_DATA_HOME/hotline/outbox`.
pub fn outbox_dir() -> PathBuf {
    std::env::var_os("HOTLINE_OUTBOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| base(dirs::data_dir()).join("outbox"))
}

/// The user's keymap overrides, beside the config file.
pub fn user_keymap_file() -> PathBuf {
    config_file().with_file_name("keymap.toml")
}

/// Webhooks of ward teams, the city centre and supervisors:
/// `HOTLINE_CONTACTS`, else `contacts.toml` beside the config file.
pub fn contacts_file() -> PathBuf {
    std::env::var_os("HOTLINE_CONTACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| config_file().with_file_name("contacts.toml"))
}

/// The hub address and sign-in token `hotline login` saved, beside the config file.
pub fn credentials_file() -> PathBuf {
    config_file().with_file_name("credentials.toml")
}

/// `HOTLINE_LOG`, else `$XDG_STATE_HOME/hotline/hotline.log`.
pub fn log_file() -> PathBuf {
    std::env::var_os("HOTLINE_LOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| base(dirs::state_dir().or_else(dirs::cache_dir)).join("hotline.log"))
}

/// `--data` wins; otherwise the demo store with `--demo`, else the real one.
pub fn data_dir(explicit: Option<&Path>, demo: bool) -> PathBuf {
    match explicit {
        Some(p) => p.to_path_buf(),
        None if demo => default_demo_dir(),
        None => default_data_dir(),
    }
}

/// The SLA policy override, beside the config file.
pub fn sla_policy_file() -> PathBuf {
    config_file().with_file_name("sla_policy.toml")
}

/// Later years' Government days off, beside the config file.
pub fn days_off_file() -> PathBuf {
    config_file().with_file_name("vn_days_off.toml")
}
