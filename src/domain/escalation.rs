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
    PaymentFailure,
    ProcedureNotConfigured,
    OneStopSlow,
    Account,
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
