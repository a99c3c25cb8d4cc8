//! Slack and Mattermost incoming webhooks: `{"text": "…"}`.

use super::Outgoing;
use crate::notify::contacts::Endpoint;
use crate::notify::event::WebhookEvent;

pub fn render(endpoint: &Endpoint, event: &WebhookEvent) -> Outgoing {
    Outgoing {
        url: endpoint.target.url.clone(),
        headers: vec![("Content-Type", "application/json".into())],
        body: serde_json::to_vec(&serde_json::json!({ "text": event.text })).unwrap_or_default(),
    }
}
