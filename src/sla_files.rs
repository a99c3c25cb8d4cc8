//! The SLA policy as configured: the shipped default and days off, with the
//! override files in the config directory on top. The CLI, the TUI and the
//! hub all load it here, so they refuse a bad file with the same message.

use crate::domain::policy::{Policy, SHIPPED_DAYS_OFF, SHIPPED_POLICY};
use crate::problems::Problems;
use std::path::Path;
use std::sync::Arc;

fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
    }
}

/// The policy from `policy_file` and `days_off_file` (each optional) over the shipped ones.
pub fn load_from(policy_file: &Path, days_off_file: &Path) -> anyhow::Result<Policy> {
    let policy_text = read_optional(policy_file)?;
    let days_text = read_optional(days_off_file)?;
    let policy_name = policy_file.display().to_string();
    let days_name = days_off_file.display().to_string();
    let mut policies = vec![("data/sla_policy.toml", SHIPPED_POLICY)];
    if let Some(text) = &policy_text {
        policies.push((&policy_name, text));
    }
    let mut days = vec![("data/vn_days_off.toml", SHIPPED_DAYS_OFF)];
    if let Some(text) = &days_text {
        days.push((&days_name, text));
    }
    Policy::from_texts(&policies, &days).map_err(|e: Problems| e.into())
}

/// The configured policy (`sla_policy.toml` and `vn_days_off.toml` beside the config file).
pub fn load() -> anyhow::Result<Arc<Policy>> {
    Ok(Arc::new(load_from(
        &crate::paths::sla_policy_file(),
        &crate::paths::days_off_file(),
    )?))
}
