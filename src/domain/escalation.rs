//! Escalation of a ticket to a ward's tech response team.

use super::{ticket::Priority, Ts, WardCode};
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FaultType {
    /// Dossier stuck in sync with the national public-service portal.
    PortalSync,
    // One name per value everywhere (CLI, JSON, keymaps): the slug. The
    // former JSON names are still read (backups, older clients).
    #[serde(rename = "payment", alias = "payment-failure")]
    PaymentFailure,
    #[serde(rename = "procedure-missing", alias = "procedure-not-configured")]
    ProcedureNotConfigured,
    OneStopSlow,
    Account,
    #[serde(rename = "signature", alias = "digital-signature")]
    DigitalSignature,
    Network,
    Other,
}

impl FaultType {
    pub const ALL: [FaultType; 8] = [
        FaultType::PortalSync,
        FaultType::PaymentFailure,
        FaultType::ProcedureNotConfigured,
        FaultType::OneStopSlow,
        FaultType::Account,
        FaultType::DigitalSignature,
        FaultType::Network,
        FaultType::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FaultType::PortalSync => "portal-sync",
            FaultType::PaymentFailure => "payment",
            FaultType::ProcedureNotConfigured => "procedure-missing",
            FaultType::OneStopSlow => "one-stop-slow",
            FaultType::Account => "account",
            FaultType::DigitalSignature => "signature",
            FaultType::Network => "network",
            FaultType::Other => "other",
        }
    }

    pub fn from_slug(s: &str) -> Option<FaultType> {
        FaultType::ALL.into_iter().find(|f| f.slug() == s)
    }

    /// The fault type a ticket's words suggest (subject, description,
    /// category), for the escalation dialog's default; `Other` when nothing fits.
    pub fn guess(text: &str) -> FaultType {
        const HINTS: &[(FaultType, &[&str])] = &[
            (
                FaultType::PortalSync,
                &["dong bo", "cong dvc", "dich vu cong", "dvcqg", "sync"],
            ),
            (
                FaultType::PaymentFailure,
                &[
                    "thanh toan",
                    "le phi",
                    "tru tien",
                    "payment",
                    "chuyen khoan",
                ],
            ),
            (
                FaultType::ProcedureNotConfigured,
                &[
                    "chua cau hinh",
                    "khong co thu tuc",
                    "khong tim thay thu tuc",
                ],
            ),
            (
                FaultType::DigitalSignature,
                &["chu ky so", "ky so", "signature"],
            ),
            (
                FaultType::Account,
                &["tai khoan", "vneid", "dang nhap", "mat khau", "account"],
            ),
            (
                FaultType::OneStopSlow,
                &["mot cua", "one-stop", "khong truy cap", "cham"],
            ),
            (
                FaultType::Network,
                &[
                    "mang", "ket noi", "internet", "wifi", "may in", "thiet bi", "network",
                ],
            ),
        ];
        let folded = crate::text::fold(text);
        // Whole words only: "mang" must not match inside "mạng lưới" and "manga" alike.
        let padded = format!(
            " {} ",
            folded
                .chars()
                .map(|c| if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    ' '
                })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
        HINTS
            .iter()
            .find(|(_, words)| words.iter().any(|w| padded.contains(&format!(" {w} "))))
            .map(|(f, _)| *f)
            .unwrap_or(FaultType::Other)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            FaultType::PortalSync => "Lỗi đồng bộ Cổng DVC quốc gia",
            FaultType::PaymentFailure => "Lỗi thanh toán trực tuyến",
            FaultType::ProcedureNotConfigured => "Thủ tục chưa cấu hình trên Cổng",
            FaultType::OneStopSlow => "Phần mềm một cửa chậm/không truy cập được",
            FaultType::Account => "Tài khoản/VNeID",
            FaultType::DigitalSignature => "Chữ ký số",
            FaultType::Network => "Mạng/thiết bị",
            FaultType::Other => "Khác",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FaultType::PortalSync => "National portal sync error",
            FaultType::PaymentFailure => "Online payment failure",
            FaultType::ProcedureNotConfigured => "Procedure not configured on the portal",
            FaultType::OneStopSlow => "One-stop software slow or down",
            FaultType::Account => "Account / VNeID",
            FaultType::DigitalSignature => "Digital signature",
            FaultType::Network => "Network / equipment",
            FaultType::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Escalation {
    pub ward: WardCode,
    pub fault: FaultType,
    /// 1: ward team; 2: city digital-transformation centre.
    pub level: u8,
    pub severity: Priority,
    /// When the current level began: the escalation, or the raise to the
    /// next level (the timeline keeps both).
    pub escalated_at: Ts,
    pub escalated_by: String,
    pub ack_by: Ts,
    pub resolve_by: Ts,
    pub acknowledged_at: Option<Ts>,
    pub acknowledged_by: Option<String>,
}

/// What the escalating user supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRequest {
    pub ward: WardCode,
    pub fault: FaultType,
    #[serde(default = "default_level")]
    pub level: u8,
    pub severity: Priority,
    #[serde(default)]
    pub note: Option<String>,
}

fn default_level() -> u8 {
    1
}

impl std::fmt::Display for FaultType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::FaultType;

    #[test]
    fn each_fault_type_has_one_slug_in_json_and_on_the_command_line() {
        for f in FaultType::ALL {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.slug()));
            assert_eq!(serde_json::from_str::<FaultType>(&json).unwrap(), f);
        }
        let old: FaultType = serde_json::from_str("\"payment-failure\"").unwrap();
        assert_eq!(old, FaultType::PaymentFailure);
    }

    #[test]
    fn a_fault_type_is_guessed_from_the_words_of_a_ticket() {
        assert_eq!(
            FaultType::guess("Hồ sơ khai sinh kẹt lỗi đồng bộ"),
            FaultType::PortalSync
        );
        assert_eq!(
            FaultType::guess("Mất kết nối mạng ở bộ phận một cửa"),
            FaultType::OneStopSlow
        );
        assert_eq!(
            FaultType::guess("Máy in bộ phận tiếp nhận mất kết nối"),
            FaultType::Network
        );
        assert_eq!(
            FaultType::guess("Bị trừ tiền hai lần"),
            FaultType::PaymentFailure
        );
        assert_eq!(FaultType::guess("Hỏi giờ làm việc"), FaultType::Other);
    }
}
