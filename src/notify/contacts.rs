//! `contacts.toml`: where each ward team, the city centre and the
//! supervisors hear of tickets, and how deliveries are paced. Every value is
//! checked when the file is read; an error names the file and the line, and
//! never shows a secret.
//!
//! ```toml
//! [delivery]                 # optional
//! timeout_seconds = 10
//! max_attempts = 8
//!
//! [[endpoint]]
//! to = "ward:26743"          # "ward:<code>", "city" or "supervisors"
//! format = "json"            # "json", "slack" or "telegram"
//! url = "https://ward-team.example/hooks/hotline"
//! secret = "at least 16 characters"
//!
//! [[endpoint]]
//! to = "supervisors"
//! format = "telegram"
//! bot_token = "123456:ABC…"
//! chat_id = -1001234567890
//! ```

use crate::domain::WardCode;
use crate::problems::Problems;
use crate::text::escape_controls;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// Who hears of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Recipient {
    /// A ward's tech response team.
    Ward(WardCode),
    /// The city digital-transformation centre (level 2).
    City,
    Supervisors,
}

impl Recipient {
    pub fn parse(s: &str) -> Result<Recipient, String> {
        match s {
            "city" => Ok(Recipient::City),
            "supervisors" => Ok(Recipient::Supervisors),
            _ => {
                let code = s
                    .strip_prefix("ward:")
                    .ok_or("expected \"ward:<code>\", \"city\" or \"supervisors\"")?;
                let code: WardCode = code
                    .parse()
                    .map_err(|_| "the ward code is not a number".to_string())?;
                if crate::reference::ward(code).is_none() {
                    return Err(format!("{code} is not one of the 168 HCMC wards"));
                }
                Ok(Recipient::Ward(code))
            }
        }
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recipient::Ward(code) => write!(f, "ward:{code}"),
            Recipient::City => f.write_str("city"),
            Recipient::Supervisors => f.write_str("supervisors"),
        }
    }
}

impl From<Recipient> for String {
    fn from(r: Recipient) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for Recipient {
    type Error = String;
    fn try_from(s: String) -> Result<Recipient, String> {
        Recipient::parse(&s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The documented JSON event, signed with HMAC-SHA256.
    Json,
    /// Slack or Mattermost incoming webhook: `{"text": …}`.
    Slack,
    /// Telegram Bot API `sendMessage`.
    Telegram,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Json, Format::Slack, Format::Telegram];

    pub fn slug(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
            Format::Telegram => "telegram",
        }
    }
}

/// Where an endpoint is, without its secrets: what an outbox entry keeps.
/// The URL stays out of the store too (a Slack or Mattermost webhook URL is
/// itself a secret): an entry finds its endpoint in the contacts by
/// `fingerprint` when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub to: Recipient,
    pub format: Format,
    /// The webhook URL (json, slack) or the Bot API base (telegram); not stored.
    #[serde(skip)]
    pub url: String,
    /// SHA-256 of the format, URL and chat, in hex (the first 16 bytes).
    pub fingerprint: String,
    /// Telegram only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<String>,
    /// How the timeline names it.
    pub label: String,
}

/// One endpoint with its secrets. `Debug` leaves the secrets out.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub target: Target,
    /// json: the HMAC key.
    pub secret: Option<String>,
    /// telegram: the bot's token.
    pub bot_token: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("target", &self.target)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("bot_token", &self.bot_token.as_ref().map(|_| "…"))
            .finish()
    }
}

/// How deliveries are paced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub connect_timeout: Duration,
    /// For the whole request, answer included.
    pub timeout: Duration,
    /// Tries before an entry is dead-lettered.
    pub max_attempts: u32,
    /// The wait before the second try; each later wait doubles, with jitter.
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl Default for Delivery {
    fn default() -> Delivery {
        Delivery {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_attempts: 8,
            first_retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    pub endpoints: Vec<Endpoint>,
    pub delivery: Delivery,
}

pub const TELEGRAM_API: &str = "https://api.telegram.org";

impl Contacts {
    /// The endpoints of one recipient.
    pub fn of(&self, to: Recipient) -> impl Iterator<Item = &Endpoint> {
        self.endpoints.iter().filter(move |e| e.target.to == to)
    }

    /// The endpoint an outbox entry was made for, if the file still has it.
    pub fn find(&self, target: &Target) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|e| e.target.to == target.to && e.target.fingerprint == target.fingerprint)
    }

    /// Reads the file; a missing file is "nobody to tell". Every error names
    /// the file and the line.
    pub fn load(path: &Path) -> Result<Contacts, Problems> {
        match std::fs::read_to_string(path) {
            Ok(text) => Contacts::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Contacts::default()),
            Err(e) => Err(Problems(vec![format!("{}: {e}", path.display())])),
        }
    }

    /// Parses and checks the text of the file called `name`.
    pub fn parse(name: &str, text: &str) -> Result<Contacts, Problems> {
        let at = |offset: usize| format!("{name}:{}", crate::config::line_of(text, offset));
        let raw: RawContacts = toml::from_str(text).map_err(|e| {
            let place = e.span().map(|s| at(s.start)).unwrap_or_else(|| name.into());
            Problems(vec![format!("{place}: {}", e.message().trim())])
        })?;
        let mut problems = Vec::new();
        let delivery = raw
            .delivery
            .map(|d| delivery(&d, &at, &mut problems))
            .unwrap_or_default();
        let mut endpoints = Vec::new();
        for raw in &raw.endpoint {
            if let Some(e) = endpoint(raw.get_ref(), &at, &mut problems) {
                if endpoints.iter().any(|o: &Endpoint| {
                    o.target.to == e.target.to
                        && o.target.url == e.target.url
                        && o.target.chat_id == e.target.chat_id
                }) {
                    problems.push(format!(
                        "{}: endpoint: the same address is listed twice for {}",
                        at(raw.span().start),
                        e.target.to
                    ));
                }
                endpoints.push(e);
            }
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        Ok(Contacts {
            endpoints,
            delivery,
        })
    }
}

/// The warning for a contacts file others may read (it holds webhook secrets).
pub fn permission_warning(path: &Path) -> Option<String> {
    crate::private_files::looser_than_private(path).map(|mode| {
        format!(
            "warning: the contacts file {} is readable by other users (mode {mode:o}); \
             it holds webhook secrets and bot tokens: run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContacts {
    delivery: Option<RawDelivery>,
    #[serde(default)]
    endpoint: Vec<Spanned<RawEndpoint>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    timeout_seconds: Option<Spanned<u64>>,
    max_attempts: Option<Spanned<u32>>,
    first_retry_seconds: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    to: Spanned<String>,
    format: Spanned<String>,
    name: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    secret: Option<Spanned<String>>,
    bot_token: Option<Spanned<String>>,
    chat_id: Option<Spanned<ChatId>>,
    api_base: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ChatId {
    Number(i64),
    Text(String),
}

fn delivery(
    raw: &RawDelivery,
    at: &dyn Fn(usize) -> String,
    problems: &mut Vec<String>,
) -> Delivery {
    let mut d = Delivery::default();
    if let Some(t) = &raw.timeout_seconds {
        match *t.get_ref() {
            1..=120 => {
                d.timeout = Duration::from_secs(*t.get_ref());
                d.connect_timeout = d.connect_timeout.min(d.timeout);
            }
            n => problems.push(format!(
                "{}: delivery.timeout_seconds = {n}: expected 1 to 120",
                at(t.span().start)
            )),
        }
    }
    if let Some(m) = &raw.max_attempts {
        match *m.get_ref() {
            1..=30 => d.max_attempts = *m.get_ref(),
            n => problems.push(format!(
                "{}: delivery.max_attempts = {n}: expected 1 to 30",
                at(m.span().start)
            )),
        }
    }
    if let Some(r) = &raw.first_retry_seconds {
        match *r.get_ref() {
            1..=3600 => d.first_retry = Duration::from_secs(*r.get_ref()),
            n => problems.push(format!(
                "{}: delivery.first_retry_seconds = {n}: expected 1 to 3600",
                at(r.span().start)
            )),
        }
    }
    d
}

fn endpoint(
    raw: &RawEndpoint,
    at: &dyn Fn(usize) -> String,
    problems: &mut Vec<String>,
) -> Option<Endpoint> {
    let before = problems.len();
    let shown = |v: &Spanned<String>| escape_controls(v.get_ref());
    let to = Recipient::parse(raw.to.get_ref())
        .map_err(|why| {
            problems.push(format!(
                "{}: endpoint.to = '{}': {why}",
                at(raw.to.span().start),
                shown(&raw.to)
            ))
        })
        .ok();
    let format = Format::ALL
        .into_iter()
        .find(|f| f.slug() == raw.format.get_ref())
        .or_else(|| {
            problems.push(format!(
                "{}: endpoint.format = '{}': expected json, slack or telegram",
                at(raw.format.span().start),
                shown(&raw.format)
            ));
            None
        });
    let refuse = |problems: &mut Vec<String>, field: &str, offset: usize, why: &str| {
        problems.push(format!("{}: endpoint.{field}: {why}", at(offset)));
    };
    // The URL is not repeated: a Slack or Mattermost webhook URL is itself a secret.
    let check_url = |v: &Spanned<String>, field: &str, problems: &mut Vec<String>| {
        if let Err(why) = web_url(v.get_ref()) {
            problems.push(format!("{}: endpoint.{field}: {why}", at(v.span().start)));
        }
    };
    let format = format?;
    let (url, chat_id) = match format {
        Format::Json | Format::Slack => {
            for (field, value) in [
                ("bot_token", raw.bot_token.as_ref().map(|v| v.span().start)),
                ("chat_id", raw.chat_id.as_ref().map(|v| v.span().start)),
                ("api_base", raw.api_base.as_ref().map(|v| v.span().start)),
            ] {
                if let Some(offset) = value {
                    refuse(problems, field, offset, "only for format = \"telegram\"");
                }
            }
            match (format, &raw.secret) {
                (Format::Json, None) => refuse(
                    problems,
                    "secret",
                    raw.format.span().start,
                    "format = \"json\" needs a secret to sign with",
                ),
                (Format::Json, Some(s)) if s.get_ref().chars().count() < 16 => refuse(
                    problems,
                    "secret",
                    s.span().start,
                    "too short (at least 16 characters)",
                ),
                (Format::Slack, Some(s)) => refuse(
                    problems,
                    "secret",
                    s.span().start,
                    "slack webhooks are not signed; leave the secret out",
                ),
                _ => {}
            }
            let url = match &raw.url {
                Some(u) => {
                    check_url(u, "url", problems);
                    u.get_ref().clone()
                }
                None => {
                    problems.push(format!(
                        "{}: endpoint.url: missing (format = \"{}\" needs one)",
                        at(raw.format.span().start),
                        format.slug()
                    ));
                    String::new()
                }
            };
            (url, None)
        }
        Format::Telegram => {
            if let Some(u) = &raw.url {
                problems.push(format!(
                    "{}: endpoint.url: not for telegram (the bot token and chat_id say where; api_base overrides the Bot API address)",
                    at(u.span().start)
                ));
            }
            if let Some(s) = &raw.secret {
                problems.push(format!(
                    "{}: endpoint.secret: not for telegram (use bot_token)",
                    at(s.span().start)
                ));
            }
            match &raw.bot_token {
                None => problems.push(format!(
                    "{}: endpoint.bot_token: missing (format = \"telegram\" needs one)",
                    at(raw.format.span().start)
                )),
                Some(t) if !telegram_token(t.get_ref()) => problems.push(format!(
                    "{}: endpoint.bot_token: not a bot token (digits, ':', then letters, digits, '_' or '-')",
                    at(t.span().start)
                )),
                _ => {}
            }
            let chat_id = match &raw.chat_id {
                None => {
                    problems.push(format!(
                        "{}: endpoint.chat_id: missing (format = \"telegram\" needs one)",
                        at(raw.format.span().start)
                    ));
                    None
                }
                Some(c) => match c.get_ref() {
                    ChatId::Number(n) => Some(n.to_string()),
                    ChatId::Text(t) if chat_name(t) => Some(t.clone()),
                    ChatId::Text(t) => {
                        problems.push(format!(
                            "{}: endpoint.chat_id = '{}': expected a number or @channelname",
                            at(c.span().start),
                            escape_controls(t)
                        ));
                        None
                    }
                },
            };
            let base = match &raw.api_base {
                Some(b) => {
                    check_url(b, "api_base", problems);
                    b.get_ref().trim_end_matches('/').to_string()
                }
                None => TELEGRAM_API.to_string(),
            };
            (base, chat_id)
        }
    };
    if problems.len() > before {
        return None;
    }
    let to = to?;
    let label = match &raw.name {
        Some(n) => escape_controls(n.get_ref()).chars().take(60).collect(),
        None => match &chat_id {
            Some(chat) => format!("{to} telegram {chat}"),
            None => format!("{to} {} {}", format.slug(), host_of(&url)),
        },
    };
    let fingerprint = fingerprint(format, &url, chat_id.as_deref());
    Some(Endpoint {
        target: Target {
            to,
            format,
            url,
            chat_id,
            label,
            fingerprint,
        },
        secret: raw.secret.as_ref().map(|s| s.get_ref().clone()),
        bot_token: raw.bot_token.as_ref().map(|s| s.get_ref().clone()),
    })
}

fn fingerprint(format: Format, url: &str, chat_id: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [format.slug(), url, chat_id.unwrap_or("")] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An http:// or https:// URL with a host.
fn web_url(s: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "expected an http:// or https:// URL, not {}://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    Ok(())
}

fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

fn telegram_token(t: &str) -> bool {
    match t.split_once(':') {
        Some((id, key)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

fn chat_name(t: &str) -> bool {
    t.parse::<i64>().is_ok()
        || t.strip_prefix('@').is_some_and(|n| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_gives_every_endpoint() {
        let c = Contacts::parse(
            "contacts.toml",
            "[delivery]\ntimeout_seconds = 3\nmax_attempts = 4\n\n\
             [[endpoint]]\nto = \"ward:26743\"\nformat = \"json\"\nurl = \"https://w.example/h\"\nsecret = \"0123456789abcdef\"\n\n\
             [[endpoint]]\nto = \"city\"\nformat = \"slack\"\nurl = \"https://chat.example/hooks/x\"\n\n\
             [[endpoint]]\nto = \"supervisors\"\nformat = \"telegram\"\nbot_token = \"123:AbC_d-e\"\nchat_id = -100123\n",
        )
        .unwrap();
        assert_eq!(c.delivery.timeout, Duration::from_secs(3));
        assert_eq!(c.delivery.max_attempts, 4);
        assert_eq!(c.endpoints.len(), 3);
        assert_eq!(c.endpoints[0].target.label, "ward:26743 json w.example");
        assert_eq!(c.endpoints[2].target.url, "https://api.telegram.org");
        assert_eq!(c.endpoints[2].target.chat_id.as_deref(), Some("-100123"));
        assert_eq!(c.of(Recipient::City).count(), 1);
    }

    #[test]
    fn bad_values_are_named_with_their_line_and_no_secret_is_shown() {
        let e = Contacts::parse(
            "contacts.toml",
            "[[endpoint]]\nto = \"ward:1\"\nformat = \"json\"\nurl = \"ftp://x\"\nsecret = \"short-secret\"\n\n\
             [[endpoint]]\nto = \"city\"\nformat = \"fax\"\n",
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            vec![
                "contacts.toml:2: endpoint.to = 'ward:1': 1 is not one of the 168 HCMC wards",
                "contacts.toml:5: endpoint.secret: too short (at least 16 characters)",
                "contacts.toml:4: endpoint.url: expected an http:// or https:// URL, not ftp://",
                "contacts.toml:9: endpoint.format = 'fax': expected json, slack or telegram",
            ]
        );
        assert!(!e.to_string().contains("short-secret"));
    }
}
