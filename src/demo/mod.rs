//! Deterministic demo data: users of every role, dossiers and tickets drawn
//! from the embedded reference data. The same seed always gives the same data.
//!
//! Dossiers are generated per index (`dossier_at`), so a million stream out
//! without being held in memory, and tickets can reference any dossier by
//! index to share its applicant's phone (a caller lookup then finds both).

mod dossiers;
mod pick;
mod populate;
mod tickets;
mod users;

pub use dossiers::{dossier_at, dossiers};
pub use populate::{populate_demo, DemoSummary};
pub use tickets::tickets;
pub use users::demo_users;

use crate::domain::time::HOUR;
use crate::domain::Ts;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    pub dossiers: usize,
    pub tickets: usize,
    /// The demo's "now": data lies before it.
    pub now: Ts,
}

/// 2026-11-20 09:00 in Ho Chi Minh City.
pub fn demo_now() -> Ts {
    let date = NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
    Ts(Ts::from_local_date(date).0 + 9 * HOUR)
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 1022,
            dossiers: 50_000,
            tickets: 5_000,
            now: demo_now(),
        }
    }
}

/// The responders' wards: Bến Thành and Sài Gòn (Quận 1), Xuân Hòa and
/// Nhiêu Lộc (Quận 3), Hiệp Bình (Thủ Đức), Chánh Hưng (Quận 8).
pub const RESPONDER_WARDS: [u32; 6] = [26743, 26740, 27139, 27142, 26809, 27418];
