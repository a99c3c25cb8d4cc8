//! Telegram Bot API `sendMessage`: POST `<api base>/bot<token>/sendMessage`
//! with `{"chat_id": …, "text": …}`. The URL holds the bot's token, so it is
//! never logged or shown (errors are reported without it).

use super::Outgoing;
use crate::notify::contacts::Endpoint;
use crate::notify::event::WebhookEvent;

pub fn render(endpoint: &Endpoint, event: &WebhookEvent) -> Outgoing {
    let chat_id = endpoint.target.chat_id.clone().unwrap_or_default();
    // A numeric id goes as a number, as the Bot API documents it.
    let chat = match chat_id.parse::<i64>() {
        Ok(n) => serde_json::Value::from(n),
        Err(_) => serde_json::Value::from(chat_id),
    };
    Outgoing {
        url: format!(
            "{}/bot{}/sendMessage",
            endpoint.target.url.trim_end_matches('/'),
            endpoint.bot_token.as_deref().unwrap_or_default()
        ),
        headers: vec![("Content-Type", "application/json".into())],
        body: serde_json::to_vec(&serde_json::json!({
            "chat_id": chat,
            "text": event.text,
            "disable_web_page_preview": true,
        }))
        .unwrap_or_default(),
    }
}
