//! Reading a `text/event-stream` (server-sent events) as it arrives in
//! chunks: lines may be split anywhere, even inside a UTF-8 character.

/// One event: its id (if the hub sent one), its type and its data lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseParser {
    partial: Vec<u8>,
    id: Option<String>,
    event: String,
    data: Vec<String>,
}

/// Longest line kept while waiting for its end: a hub sending more is broken.
const MAX_LINE: usize = 4 << 20;

impl SseParser {
    /// Feeds bytes; returns the events they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut done = Vec::new();
        self.partial.extend_from_slice(bytes);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..line.len() - 1]);
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if let Some(e) = self.line(line) {
                done.push(e);
            }
        }
        if self.partial.len() > MAX_LINE {
            self.partial.clear();
        }
        done
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let data = std::mem::take(&mut self.data);
            let event = std::mem::take(&mut self.event);
            if data.is_empty() {
                return None;
            }
            return Some(SseEvent {
                id: self.id.clone(),
                event: if event.is_empty() {
                    "message".into()
                } else {
                    event
                },
                data: data.join("\n"),
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" => self.id = Some(value.to_string()),
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let text = ": keep-alive\n\nid: 7\nevent: ticket\ndata: {\"a\":\"Bến Thành\"}\n\nid: 8\nevent: reload\r\ndata: {}\r\n\r\n";
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let mut p = SseParser::default();
            let mut got = p.push(&bytes[..cut]);
            got.extend(p.push(&bytes[cut..]));
            assert_eq!(
                got,
                vec![
                    SseEvent {
                        id: Some("7".into()),
                        event: "ticket".into(),
                        data: "{\"a\":\"Bến Thành\"}".into()
                    },
                    SseEvent {
                        id: Some("8".into()),
                        event: "reload".into(),
                        data: "{}".into()
                    },
                ],
                "cut at {cut}"
            );
        }
    }
}
