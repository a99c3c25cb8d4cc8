//! Demo dossiers, each a pure function of (seed, index).

use super::pick::{mix, mobile, Names, Table};
use super::DemoConfig;
use crate::domain::time::{DAY, HOUR};
use crate::domain::{Dossier, PaymentState, Phone, PortalStatus, SyncState, Ts};
use crate::reference::{self, Procedure};
use chrono::{Datelike, Weekday};
use fastrand::Rng;
use std::sync::LazyLock;

/// Dossiers are received over the 180 days before "now".
const DAYS: u64 = 180;

struct Tables {
    names: Names,
    procedures: Table<&'static Procedure>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    names: Names::new(),
    // Certification, civil status and residence make up most ward-level work.
    procedures: Table::new(reference::procedures().iter().map(|p| {
        let w = match p.field.as_str() {
            "Chứng thực" => 30,
            "Hộ tịch" => 8,
            f if f.contains("cư trú") => 20,
            "Đất đai" => 6,
            _ => 2,
        };
        (p, w)
    })),
});

/// Adds `days` of processing, skipping weekends when they are working days.
fn add_days(start: Ts, days: u32, working: bool) -> Ts {
    if !working {
        return Ts(start.0 + days as i64 * DAY);
    }
    let mut t = start;
    let mut left = days;
    while left > 0 {
        t = Ts(t.0 + DAY);
        if !matches!(t.local_date().weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    t
}

/// The applicant phone of dossier `i` (tickets reuse it to link callers).
pub(super) fn applicant_phone(cfg: &DemoConfig, i: u64) -> Option<String> {
    let mut rng = Rng::with_seed(mix(cfg.seed ^ 0x9e11, i));
    (rng.u8(0..100) < 88).then(|| mobile(&mut rng))
}

/// Dossier number `i` of the demo set.
pub fn dossier_at(cfg: &DemoConfig, i: u64) -> Dossier {
    let mut rng = Rng::with_seed(mix(cfg.seed, i));
    let wards = reference::wards();
    let slots = wards.len() as u64 * DAYS;
    // A bijection on 0..slots (7919 is prime to 168 × 180), so codes never collide.
    let slot = ((i % slots) * 7919 + cfg.seed % slots) % slots;
    let ward_index = (slot % wards.len() as u64) as usize;
    let day = slot / wards.len() as u64;
    let ward = &wards[ward_index];
    // A per-(ward, day) offset makes sequence numbers look like a busy desk's.
    let seq = i / slots + 1 + mix(cfg.seed, slot) % 40;
    let today = Ts::from_local_date(cfg.now.local_date());
    let received_day = Ts(today.0 - (day as i64 + 1) * DAY);
    let received_at = Ts(received_day.0 + 7 * HOUR + 30 * 60 + rng.i64(0..(9 * HOUR + 30 * 60)));
    let code = format!(
        "000.00.{:02}.H29-{}-{:04}",
        ward_index + 1,
        received_at.local_date().format("%y%m%d"),
        seq
    );
    let procedure = *TABLES.procedures.pick(&mut rng);
    let days = procedure.processing_days.unwrap_or(1);
    let due_at = Ts(add_days(received_day, days, procedure.working_days).0 + 17 * HOUR);
    let now = cfg.now;
    let roll = rng.u8(0..100);
    let (status, finished_at) = if due_at < now {
        match roll {
            // Finished on time, or late.
            0..=79 => (
                if rng.bool() { 10 } else { 9 },
                Some(Ts(due_at.0 - rng.i64(0..(days as i64 * DAY).max(HOUR)))),
            ),
            80..=87 => (10, Some(Ts(due_at.0 + rng.i64(HOUR..5 * DAY)))),
            88..=89 => (3, Some(Ts(received_at.0 + rng.i64(HOUR..DAY)))),
            90..=91 => (7, Some(Ts(received_at.0 + rng.i64(HOUR..2 * DAY)))),
            // Still open past the due date: overdue.
            _ => (if rng.bool() { 4 } else { 5 }, None),
        }
    } else {
        (
            *[2u8, 4, 4, 4, 5, 6].get(rng.usize(0..6)).unwrap_or(&4),
            None,
        )
    };
    let finished_at = finished_at.map(|f| Ts(f.0.min(now.0).max(received_at.0)));
    let sync = match rng.u8(0..100) {
        0..=2 => SyncState::Error,
        3..=7 => SyncState::Pending,
        _ => SyncState::Synced,
    };
    let payment = if procedure.field == "Đất đai" || rng.u8(0..100) < 20 {
        match rng.u8(0..100) {
            0..=79 => PaymentState::Paid,
            80..=93 => PaymentState::Unpaid,
            _ => PaymentState::Failed,
        }
    } else {
        PaymentState::NotRequired
    };
    Dossier {
        code,
        procedure_code: procedure.code.clone(),
        procedure_name: procedure.name.clone(),
        applicant_name: TABLES.names.full(&mut rng),
        applicant_phone: applicant_phone(cfg, i).and_then(|p| Phone::parse(&p).ok()),
        ward: ward.code,
        received_at,
        due_at,
        finished_at,
        status: PortalStatus::new(status).unwrap_or(PortalStatus::PROCESSING),
        sync,
        payment,
    }
}

/// All demo dossiers, streamed.
pub fn dossiers(cfg: &DemoConfig) -> impl Iterator<Item = Dossier> + '_ {
    (0..cfg.dossiers as u64).map(move |i| dossier_at(cfg, i))
}
