//! Stored values: one version byte, then postcard. Keys: big-endian so that
//! sled's byte order is numeric order.

use serde::{de::DeserializeOwned, Serialize};

/// Version of the value envelope (not the schema version, which is in `meta`).
const ENVELOPE_V1: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![ENVELOPE_V1];
    // postcard only fails on writer errors, which a Vec never has.
    out.extend(postcard::to_stdvec(value).expect("postcard encoding into a Vec"));
    out
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match bytes.split_first() {
        Some((&ENVELOPE_V1, rest)) => postcard::from_bytes(rest).map_err(|e| e.to_string()),
        Some((v, _)) => Err(format!("unknown value envelope version {v}")),
        None => Err("empty value".into()),
    }
}

pub fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// A stored big-endian counter or key; 0 when absent or not 8 bytes long.
pub fn read_u64(bytes: Option<impl AsRef<[u8]>>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

pub fn id_from_key_tail(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// Sortable bytes of a signed timestamp.
pub fn i64_key(n: i64) -> [u8; 8] {
    ((n as u64) ^ (1 << 63)).to_be_bytes()
}

pub fn concat(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// The smallest key greater than every key starting with `prefix`, if any.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_keys_sort_numerically() {
        assert!(i64_key(-5) < i64_key(0));
        assert!(i64_key(0) < i64_key(1_700_000_000));
        assert_eq!(prefix_end(b"ab\xff"), Some(b"ac".to_vec()));
        assert_eq!(from_hex(&to_hex(b"\x00\xffz")), Some(b"\x00\xffz".to_vec()));
        assert_eq!(
            decode::<u32>(&[9, 1]),
            Err("unknown value envelope version 9".into())
        );
    }

    /// The hub refuses unknown fields in JSON requests
    /// (`deny_unknown_fields`); postcard, which stores values by position,
    /// must read them exactly as before.
    #[test]
    fn types_that_refuse_unknown_json_fields_still_round_trip_through_postcard() {
        use crate::api::{Page, SearchRequest, TicketFilter};
        use crate::domain::{Kind, NewTicket, Role, Status, TicketEdit, User};
        let user = User {
            name: "bt".into(),
            display_name: "Tổ Bến Thành".into(),
            role: Role::Responder,
            wards: vec![26743],
        };
        assert_eq!(decode::<User>(&encode(&user)), Ok(user));
        let mut new = NewTicket::new(Kind::Fault, "Lỗi đồng bộ");
        new.ward = Some(26743);
        assert_eq!(decode::<NewTicket>(&encode(&new)), Ok(new));
        let filter = TicketFilter {
            statuses: vec![Status::Escalated],
            open_only: true,
            ..TicketFilter::default()
        };
        assert_eq!(decode::<TicketFilter>(&encode(&filter)), Ok(filter));
        let page = Page::default();
        assert_eq!(decode::<Page>(&encode(&page)), Ok(page));
        let search = SearchRequest {
            text: "nguyen".into(),
            limit: 20,
        };
        assert_eq!(decode::<SearchRequest>(&encode(&search)), Ok(search));
        let edit = TicketEdit {
            subject: Some("x".into()),
            ..TicketEdit::default()
        };
        assert_eq!(decode::<TicketEdit>(&encode(&edit)), Ok(edit));
    }
}
