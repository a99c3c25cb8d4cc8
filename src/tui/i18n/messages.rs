//! Messages that come from below the UI (validation and API errors) in the
//! UI's language. The domain words its errors in English for the CLI, logs
//! and scripts; here each known shape gets its Vietnamese wording, and an
//! unknown one is shown as it is rather than hidden.

use super::Lang;
use crate::api::ApiError;
use crate::domain::ValidationError;

/// A field error's message (without the field name) in `lang`.
pub fn validation(lang: Lang, e: &ValidationError) -> String {
    match lang {
        Lang::En => e.message.clone(),
        Lang::Vi => validation_vi(&e.message).unwrap_or_else(|| e.message.clone()),
    }
}

/// A whole API error in `lang`, one line.
pub fn api_error(lang: Lang, e: &ApiError) -> String {
    let text = match (lang, e) {
        (Lang::En, _) => e.to_string(),
        (Lang::Vi, ApiError::NotFound { what }) => format!("Không tìm thấy {}", what_vi(what)),
        (Lang::Vi, ApiError::Forbidden { message }) => format!("Không được phép: {message}"),
        (Lang::Vi, ApiError::Conflict { current }) => format!(
            "Phiếu vừa được {} sửa (phiên bản {}); hãy tải lại rồi làm lại",
            current.updated_by, current.version
        ),
        (Lang::Vi, ApiError::Invalid { errors }) => errors
            .iter()
            .map(|v| format!("{}: {}", field_vi(&v.field), validation(lang, v)))
            .collect::<Vec<_>>()
            .join("; "),
        (Lang::Vi, ApiError::Rejected { message }) => format!("Bị từ chối: {message}"),
        (Lang::Vi, ApiError::Storage { message }) => format!("Lỗi lưu trữ: {message}"),
        (Lang::Vi, ApiError::Unauthorized { message }) => {
            format!("Chưa đăng nhập: {message}")
        }
        (Lang::Vi, ApiError::Unavailable { message }) => {
            format!("Không kết nối được máy chủ: {message}")
        }
        (Lang::Vi, ApiError::Queued { pending }) => format!(
            "Không kết nối được hub: đã lưu chờ gửi ({pending} mục), sẽ gửi khi hub trả lời"
        ),
    };
    crate::text::clean_line(&text)
}

/// The API's English name of a missing thing ("duplicate ticket PA-000001"), in Vietnamese.
fn what_vi(what: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("duplicate ticket ", "phiếu trùng "),
        ("ticket ", "phiếu "),
        ("dossier ", "hồ sơ "),
        ("user ", "người dùng "),
        ("ward ", "phường/xã "),
    ];
    for (en, vi) in WORDS {
        if let Some(rest) = what.strip_prefix(en) {
            return format!("{vi}{rest}");
        }
    }
    what.to_string()
}

fn field_vi(field: &str) -> &str {
    match field {
        "phone" | "caller_phone" => "số điện thoại",
        "caller_name" | "name" => "tên người gọi",
        "cccd" => "CCCD",
        "subject" => "tiêu đề",
        "description" => "nội dung",
        "category" => "lĩnh vực",
        "ward" => "phường/xã",
        "dossiers" | "dossier_code" => "mã hồ sơ",
        "note" => "ghi chú",
        "reason" => "lý do",
        "comment" | "text" => "bình luận",
        "duplicate_of" => "phiếu trùng",
        "ticket" => "phiếu",
        "level" => "cấp",
        other => other,
    }
}

/// The part of `s` between `prefix` and `suffix`, if `s` has that shape.
fn between<'a>(s: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)?.strip_suffix(suffix)
}

/// The domain's English messages and their Vietnamese wording: (start, end,
/// wording). What lies between start and end fills the wording's `{}`; a
/// wording without `{}` is for the whole message only.
const WORDINGS: &[(&str, &str, &str)] = &[
    ("is required", "", "bắt buộc"),
    ("is empty", "", "đang trống"),
    ("is too long", "", "quá dài"),
    (
        "is too long for a phone number",
        "",
        "quá dài so với một số điện thoại",
    ),
    (
        "must start with 0 or +84",
        "",
        "phải bắt đầu bằng 0 hoặc +84",
    ),
    (
        "is not a Vietnamese mobile (03/05/07/08/09) or landline (02) number",
        "",
        "không phải số di động (03/05/07/08/09) hay số cố định (02) của Việt Nam",
    ),
    ("too many linked dossiers", "", "quá nhiều hồ sơ liên kết"),
    ("nothing to change", "", "không có gì thay đổi"),
    (
        "a ticket cannot duplicate itself",
        "",
        "một phiếu không thể trùng với chính nó",
    ),
    (
        "must be 1 (ward team) or 2 (city centre)",
        "",
        "phải là 1 (tổ phường) hoặc 2 (trung tâm thành phố)",
    ),
    (
        "a mobile number has 10 digits (0xxxxxxxxx), this one has ",
        "",
        "số di động có 10 chữ số (0xxxxxxxxx), số này có {}",
    ),
    (
        "a landline has 11 digits (02xxxxxxxxx), this one has ",
        "",
        "số cố định có 11 chữ số (02xxxxxxxxx), số này có {}",
    ),
    (
        "contains '",
        "'; use digits, spaces, dots or a leading +84",
        "có ký tự '{}'; chỉ dùng chữ số, dấu cách, dấu chấm hoặc +84 ở đầu",
    ),
    (
        "must be exactly 12 digits, got ",
        " characters",
        "phải đúng 12 chữ số, đang có {} ký tự",
    ),
    ("at most ", " linked dossiers", "tối đa {} hồ sơ liên kết"),
    ("", " is already linked", "{} đã được liên kết"),
    (
        "",
        " is not one of the 168 HCMC wards",
        "{} không phải một trong 168 phường/xã của TP.HCM",
    ),
    (
        "'",
        "' is not <agency>-<YYMMDD>-<NNNN>",
        "'{}' không có dạng <cơ quan>-<YYMMDD>-<NNNN>",
    ),
    (
        "agency part '",
        "' is not like 000.00.01.H29",
        "phần cơ quan '{}' không giống 000.00.01.H29",
    ),
    (
        "date part '",
        "' is not YYMMDD",
        "phần ngày '{}' không có dạng YYMMDD",
    ),
    (
        "date part '",
        "' is not a valid date",
        "phần ngày '{}' không phải ngày hợp lệ",
    ),
    (
        "sequence part '",
        "' is not 4-6 digits",
        "phần số thứ tự '{}' không phải 4–6 chữ số",
    ),
    (
        "'",
        "' is not a ticket id like PA-000123",
        "'{}' không phải mã phiếu dạng PA-000123",
    ),
];

fn validation_vi(m: &str) -> Option<String> {
    too_long_vi(m).or_else(|| wording_vi(m))
}

/// `is too long (N characters, at most M)`: two numbers, so not in [`WORDINGS`].
fn too_long_vi(m: &str) -> Option<String> {
    let (length, max) = between(m, "is too long (", ")")?.split_once(" characters, at most ")?;
    Some(format!("quá dài ({length} ký tự, tối đa {max})"))
}

fn wording_vi(m: &str) -> Option<String> {
    WORDINGS.iter().find_map(|(start, end, vi)| {
        let middle = between(m, start, end)?;
        if vi.contains("{}") {
            Some(vi.replace("{}", middle))
        } else {
            middle.is_empty().then(|| vi.to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{validate, Kind, NewTicket, Phone, TicketId, Ts};

    /// Every error the domain gives for bad form input has a Vietnamese wording.
    #[test]
    fn domain_validation_errors_are_translated() {
        let mut errors = Vec::new();
        for raw in [
            "",
            "0912",
            "091234567890",
            "02838",
            "12345",
            "09x",
            "1234567890123456789012345678901",
        ] {
            errors.extend(Phone::parse(raw).err());
        }
        errors.extend(validate::parse_cccd("123").err());
        for code in [
            "",
            "abc",
            "000.00.01.H29-2508-0001",
            "000.00.01.H29-251340-0001",
            "x-250812-0001",
            "000.00.01.H29-250812-01",
            &"A".repeat(41),
        ] {
            errors.extend(validate::dossier_code(code).err());
        }
        errors.extend(validate::line("subject", "", 10, true).err());
        errors.extend(validate::line("subject", &"a".repeat(11), 10, true).err());
        let mut n = NewTicket::new(Kind::Complaint, "");
        n.caller_phone = "0912".into();
        n.caller_cccd = "1".into();
        n.dossiers = vec!["nope".into(); 21];
        errors.extend(
            n.into_ticket(TicketId(1), uuid::Uuid::nil(), "x", Ts(0))
                .err()
                .unwrap_or_default(),
        );
        assert!(errors.len() > 15, "{errors:?}");
        let too_long = validate::line("subject", &"a".repeat(11), 10, true).unwrap_err();
        assert_eq!(
            validation(Lang::Vi, &too_long),
            "quá dài (11 ký tự, tối đa 10)"
        );
        for e in &errors {
            let vi = validation(Lang::Vi, e);
            assert_ne!(vi, e.message, "untranslated: {}", e.message);
            assert_eq!(validation(Lang::En, e), e.message);
        }
    }
}
