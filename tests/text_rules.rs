//! Text rules: NFC, tone placement, folding, control characters, huge input.

use hotline::domain::validate::{self, Phone};
use hotline::domain::{Kind, NewTicket, TicketId, Ts};
use hotline::text::{clean_line, fold, nfc, tone_key};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

proptest! {
    #[test]
    fn folding_is_idempotent(s in "\\PC{0,40}") {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn nfc_and_nfd_input_give_the_same_keys(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,30}") {
        let nfd: String = s.nfd().collect();
        prop_assert_eq!(fold(&nfd), fold(&s));
        prop_assert_eq!(tone_key(&nfd), tone_key(&s));
        prop_assert_eq!(nfc(&nfd), nfc(&s));
    }

    #[test]
    fn cleaned_lines_hold_no_control_characters(s in "\\PC{0,20}(\\x1b\\[[0-9;]{0,5}[A-Za-z]|\\x07|\\x00|\\r|\\n|\\u{9b})?\\PC{0,20}") {
        let c = clean_line(&s);
        prop_assert!(!c.chars().any(|ch| ch.is_control()), "{:?}", c);
    }

    #[test]
    fn phone_parsing_never_panics(s in "\\PC{0,40}") {
        let _ = Phone::parse(&s);
        let _ = validate::parse_cccd(&s);
        let _ = validate::dossier_code(&s);
    }
}

#[test]
fn vietnamese_equivalences() {
    assert_eq!(fold("Đặng Thị Hòa"), "dang thi hoa");
    assert_eq!(fold("ĐẶNG THỊ HOÀ"), fold("dang thi hoa"));
    assert_eq!(fold("Ðức"), "duc", "eth look-alike");
    assert_eq!(tone_key("Thủy"), tone_key("thuỷ"));
    assert_eq!(tone_key("khỏe"), tone_key("khoẻ"));
    assert_ne!(tone_key("Hà"), tone_key("Hả"));
}

#[test]
fn escape_sequences_never_reach_a_stored_ticket() {
    let mut n = NewTicket::new(Kind::Complaint, "\u{1b}]0;pwned\u{7}Hồ sơ chậm\u{1b}[5m");
    n.caller_name = "Lê\u{1b}[31m Văn\u{0} Tám".into();
    n.description = "dòng 1\r\n\u{1b}[2Jdòng 2".into();
    let t = n
        .into_ticket(TicketId(1), uuid::Uuid::nil(), "op", Ts(0))
        .unwrap();
    assert_eq!(t.subject, "Hồ sơ chậm");
    assert_eq!(t.caller.name, "Lê Văn Tám");
    assert_eq!(t.description, "dòng 1\ndòng 2");
}

#[test]
fn a_ten_megabyte_description_is_rejected_by_name() {
    let mut n = NewTicket::new(Kind::Complaint, "ok");
    n.description = "x".repeat(10 * 1024 * 1024);
    let errs = n
        .into_ticket(TicketId(1), uuid::Uuid::nil(), "op", Ts(0))
        .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "description");
    assert!(errs[0].message.contains("too long"));
}
