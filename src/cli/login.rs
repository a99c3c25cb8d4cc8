//! `hotline login URL`: checks a token against the hub and saves both for
//! later commands, in a file only the user may read.

use super::output;
use crate::api::remote::{display_url, parse_hub_url};
use crate::api::{ApiError, RemoteApi};
use crate::client::Credentials;
use crate::tui::i18n::{tr, trf, Lang};
use anyhow::{anyhow, bail, Result};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub fn run(
    url: &str,
    token: Option<String>,
    credentials_file: &Path,
    json: bool,
    lang: Lang,
) -> Result<String> {
    let url = parse_hub_url(url)
        .map(|u| display_url(&u))
        .map_err(|why| anyhow!("'{}': {why}", crate::text::escape_controls(url)))?;
    let token = match token {
        Some(t) => t,
        None => read_token(&url)?,
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        bail!("no token given: pass --token TOKEN or type it when asked (an admin makes one with `hotline user token NAME`)");
    }
    let api = super::run::runtime()?
        .block_on(RemoteApi::connect(&url, &token))
        .map_err(|e| match e {
            ApiError::Unauthorized { message } => {
                anyhow!("the hub at {url} refused the token ({message}); nothing was saved")
            }
            other => anyhow!("{other}; nothing was saved"),
        })?;
    Credentials {
        url: url.clone(),
        token,
    }
    .save(credentials_file)?;
    let user = api.user();
    Ok(if json {
        output::json(&serde_json::json!({
            "url": url,
            "user": user,
            "credentials": credentials_file,
        }))
    } else {
        trf(
            lang,
            "cli.signed_in",
            &[
                &url,
                &user.name,
                tr(lang, &format!("role.{}", user.role.slug())),
                &credentials_file.display().to_string(),
            ],
        )
    })
}

/// The token from standard input: typed without echo at a terminal, else
/// the first line of what was piped in.
fn read_token(url: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line);
    }
    let mut err = std::io::stderr();
    write!(err, "sign-in token for {url} (not shown): ")?;
    err.flush()?;
    let token = read_hidden_line();
    let _ = writeln!(err);
    token
}

/// Reads one line with the terminal's echo off; raw mode is left however
/// the read ends.
fn read_hidden_line() -> Result<String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    struct RawMode;
    impl Drop for RawMode {
        fn drop(&mut self) {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
    crossterm::terminal::enable_raw_mode()?;
    let _raw = RawMode;
    let mut line = String::new();
    loop {
        let key = match event::read()? {
            Event::Key(key) => key,
            Event::Paste(text) => {
                line.push_str(&text);
                continue;
            }
            _ => continue,
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        match key.code {
            KeyCode::Enter => return Ok(line),
            KeyCode::Char('c' | 'd') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                bail!("login cancelled")
            }
            KeyCode::Esc => bail!("login cancelled"),
            KeyCode::Backspace => {
                line.pop();
            }
            KeyCode::Char(c) => line.push(c),
            _ => {}
        }
    }
}
