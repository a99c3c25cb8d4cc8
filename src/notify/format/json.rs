//! The documented JSON event, signed: `X-Hotline-Signature: t=<unix>,v1=<hex>`
//! where `<hex>` is HMAC-SHA256(secret, "<t>.<body>"). The timestamp is
//! signed with the body, so a receiver can refuse an old request replayed.

use super::Outgoing;
use crate::notify::contacts::Endpoint;
use crate::notify::event::WebhookEvent;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Hotline-Signature";

pub fn render(endpoint: &Endpoint, event: &WebhookEvent, now_unix: i64) -> Outgoing {
    let body = serde_json::to_vec(event).unwrap_or_default();
    let secret = endpoint.secret.as_deref().unwrap_or_default();
    Outgoing {
        url: endpoint.target.url.clone(),
        headers: vec![
            ("Content-Type", "application/json".into()),
            (
                SIGNATURE_HEADER,
                format!("t={now_unix},v1={}", sign(secret, now_unix, &body)),
            ),
        ],
        body,
    }
}

/// Hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
