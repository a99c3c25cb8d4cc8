//! Dossiers (hồ sơ): read-only here, owned by the one-stop system.

use super::ticket::slug_enum;
use super::validate::Phone;
use super::{Ts, WardCode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The national public-service portal's dossier status (TrangThaiHoSo 1–10).
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
#[serde(try_from = "u8", into = "u8")]
pub struct PortalStatus(u8);

impl PortalStatus {
    pub const RECEIVED: PortalStatus = PortalStatus(2);
    pub const PROCESSING: PortalStatus = PortalStatus(4);
    pub const SUPPLEMENT: PortalStatus = PortalStatus(5);
    pub const DONE: PortalStatus = PortalStatus(9);
    pub const RETURNED: PortalStatus = PortalStatus(10);

    pub fn new(code: u8) -> Option<PortalStatus> {
        (1..=10).contains(&code).then_some(PortalStatus(code))
    }

    pub fn code(self) -> u8 {
        self.0
    }

    /// Statuses that end processing (for the on-time KPI and "open").
    pub fn is_final(self) -> bool {
        matches!(self.0, 3 | 7 | 8 | 9 | 10)
    }

    pub fn slug(self) -> &'static str {
        match self.0 {
            1 => "submitted",
            2 => "received",
            3 => "rejected",
            4 => "processing",
            5 => "supplement",
            6 => "payment-due",
            7 => "withdrawn",
            8 => "stopped",
            9 => "done",
            _ => "returned",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self.0 {
            1 => "Mới đăng ký",
            2 => "Được tiếp nhận",
            3 => "Không được tiếp nhận",
            4 => "Đang xử lý",
            5 => "Yêu cầu bổ sung giấy tờ",
            6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
            7 => "Công dân yêu cầu rút hồ sơ",
            8 => "Dừng xử lý",
            9 => "Đã xử lý xong",
            _ => "Đã trả kết quả",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self.0 {
            1 => "Submitted online",
            2 => "Received",
            3 => "Rejected at intake",
            4 => "Processing",
            5 => "Supplement requested",
            6 => "Fees due",
            7 => "Withdrawn",
            8 => "Stopped",
            9 => "Done",
            _ => "Result returned",
        }
    }
}

impl TryFrom<u8> for PortalStatus {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        PortalStatus::new(v).ok_or_else(|| format!("portal status {v} is not 1-10"))
    }
}

impl From<PortalStatus> for u8 {
    fn from(s: PortalStatus) -> u8 {
        s.0
    }
}

impl fmt::Display for PortalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label_vi())
    }
}

slug_enum!(SyncState {
    Synced => "synced", "Đã đồng bộ", "Synced";
    Pending => "pending", "Chờ đồng bộ", "Pending";
    Error => "error", "Lỗi đồng bộ", "Sync error";
});

slug_enum!(PaymentState {
    NotRequired => "none", "Không thu phí", "No fee";
    Unpaid => "unpaid", "Chưa thanh toán", "Unpaid";
    Paid => "paid", "Đã thanh toán", "Paid";
    Failed => "failed", "Thanh toán lỗi", "Payment failed";
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dossier {
    /// `<agency>-<YYMMDD>-<NNNN>`, e.g. `000.00.01.H29-250812-0042`.
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub applicant_phone: Option<Phone>,
    pub ward: WardCode,
    pub received_at: Ts,
    pub due_at: Ts,
    pub finished_at: Option<Ts>,
    pub status: PortalStatus,
    pub sync: SyncState,
    pub payment: PaymentState,
}

impl Dossier {
    /// Derived, never stored: finished after its due date, or still open past it.
    pub fn is_overdue(&self, now: Ts) -> bool {
        match self.finished_at {
            Some(done) => done > self.due_at,
            None => now > self.due_at,
        }
    }

    pub fn is_open(&self) -> bool {
        self.finished_at.is_none() && !self.status.is_final()
    }
}
