//! `credentials.toml`: the hub `hotline login` signed in to and its token,
//! in a file only its owner may read. `HOTLINE_TOKEN` overrides the token.

use crate::api::remote::{display_url, parse_hub_url};
use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const TOKEN_ENV: &str = "HOTLINE_TOKEN";

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub url: String,
    pub token: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The saved sign-in; `None` when nobody has logged in.
    pub fn load(path: &Path) -> Result<Option<Credentials>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow!("{}: {e}", path.display())),
        };
        let creds: Credentials = toml::from_str(&text).map_err(|e| {
            anyhow!(
                "{}: {} (run `hotline login URL` again to rewrite it)",
                path.display(),
                e.message().trim()
            )
        })?;
        Ok(Some(creds))
    }

    /// Writes the file 0600 (its directory 0700), replacing it whole.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string(self).context("encoding the credentials")?;
        crate::private_files::write_atomically(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Whether these are for the hub at `url` (trailing slashes aside).
    pub fn is_for(&self, url: &str) -> bool {
        same_hub(&self.url, url)
    }
}

/// Whether two hub addresses name the same hub.
pub fn same_hub(a: &str, b: &str) -> bool {
    match (parse_hub_url(a), parse_hub_url(b)) {
        (Ok(a), Ok(b)) => display_url(&a) == display_url(&b),
        _ => false,
    }
}

/// The token to present to the hub at `url`: `HOTLINE_TOKEN` when set,
/// else the one saved by `hotline login` for that hub.
pub fn token_for(url: &str, credentials_file: &Path) -> Result<Option<String>> {
    if let Some(token) = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(Some(token.trim().to_string()));
    }
    Ok(Credentials::load(credentials_file)?
        .filter(|c| c.is_for(url))
        .map(|c| c.token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_credentials_are_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conf/credentials.toml");
        assert_eq!(Credentials::load(&path).unwrap(), None);
        let creds = Credentials {
            url: "http://127.0.0.1:7000".into(),
            token: "hl_abc".into(),
        };
        creds.save(&path).unwrap();
        assert_eq!(Credentials::load(&path).unwrap(), Some(creds.clone()));
        assert_eq!(crate::private_files::looser_than_private(&path), None);
        assert!(creds.is_for("http://127.0.0.1:7000/"));
        assert!(!creds.is_for("http://127.0.0.1:7001"));
        assert!(!format!("{creds:?}").contains("hl_abc"));
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        std::fs::write(&path, "url = 3\n").unwrap();
        let e = Credentials::load(&path).unwrap_err().to_string();
        assert!(e.starts_with(&path.display().to_string()), "{e}");
        assert!(e.contains("hotline login"), "{e}");
    }
}
