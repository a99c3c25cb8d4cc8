//! Timestamps: unix seconds, shown in Ho Chi Minh City time (UTC+7, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Unix seconds (UTC).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Ts(pub i64);

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;

pub fn hcmc() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

impl Ts {
    pub fn now() -> Ts {
        Ts(Utc::now().timestamp())
    }

    pub fn plus_hours(self, hours: i64) -> Ts {
        Ts(self.0 + hours * HOUR)
    }

    pub fn local(self) -> DateTime<FixedOffset> {
        hcmc()
            .timestamp_opt(self.0, 0)
            .single()
            .unwrap_or_else(|| hcmc().timestamp_opt(0, 0).unwrap())
    }

    /// Midnight (HCMC time) of the given local date.
    pub fn from_local_date(date: NaiveDate) -> Ts {
        let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        Ts(hcmc()
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.timestamp())
            .unwrap_or(0))
    }

    pub fn local_date(self) -> NaiveDate {
        self.local().date_naive()
    }

    /// `2025-08-12 14:05` in HCMC time.
    pub fn short(self) -> String {
        self.local().format("%Y-%m-%d %H:%M").to_string()
    }

    /// RFC 3339 with the +07:00 offset.
    pub fn rfc3339(self) -> String {
        self.local().to_rfc3339()
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// A compact human duration: `2d 3h`, `45m`, `-1h 10m` for past-due.
pub fn human_duration(secs: i64) -> String {
    duration_in(secs, ["d", "h", "m"])
}

/// [`human_duration`] with other unit letters (days, hours, minutes):
/// Vietnamese screens write `2n 3g`, `45p` (ngày, giờ, phút).
pub fn duration_in(secs: i64, units: [&str; 3]) -> String {
    working_duration_in(secs, DAY, units)
}

/// Working time in working days of `day_secs`, hours and minutes (`5d 0h`
/// for five office days of 8 h, `3h 20m`, `-45m`). `units` are the day, hour
/// and minute letters.
pub fn working_duration_in(secs: i64, day_secs: i64, units: [&str; 3]) -> String {
    let [day, hour, minute] = units;
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let per_day = day_secs.max(60).unsigned_abs();
    let (d, h, m) = (s / per_day, (s % per_day) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{sign}{d}{day} {h}{hour}")
    } else if h > 0 {
        format!("{sign}{h}{hour} {m}{minute}")
    } else {
        format!("{sign}{m}{minute}")
    }
}

/// Where "now" comes from: the system clock in the product, a fixed instant
/// in snapshot tests.
pub type Clock = std::sync::Arc<dyn Fn() -> Ts + Send + Sync>;

pub fn system_clock() -> Clock {
    std::sync::Arc::new(Ts::now)
}

pub fn fixed_clock(at: Ts) -> Clock {
    std::sync::Arc::new(move || at)
}

/// A clock that stands still until it is set or moved (the scheduler's
/// tests and benchmarks). Clones share the same moment.
#[derive(Clone, Default)]
pub struct ManualClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl ManualClock {
    pub fn at(at: Ts) -> ManualClock {
        let c = ManualClock::default();
        c.set(at);
        c
    }

    pub fn set(&self, at: Ts) {
        self.0.store(at.0, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn now(&self) -> Ts {
        Ts(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }

    pub fn clock(&self) -> Clock {
        let c = self.clone();
        std::sync::Arc::new(move || c.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_calendar_or_working_days() {
        assert_eq!(human_duration(2 * DAY + 3 * HOUR + 59), "2d 3h");
        assert_eq!(human_duration(HOUR + 5 * 60), "1h 5m");
        assert_eq!(human_duration(-(HOUR + 10 * 60)), "-1h 10m");
        assert_eq!(human_duration(45 * 60), "45m");
        assert_eq!(duration_in(DAY, ["n", "g", "p"]), "1n 0g");
        // Five office days of 8 h, then 3 h 20 min of one.
        let units = ["d", "h", "m"];
        assert_eq!(working_duration_in(40 * HOUR, 8 * HOUR, units), "5d 0h");
        assert_eq!(
            working_duration_in(3 * HOUR + 20 * 60, 8 * HOUR, units),
            "3h 20m"
        );
        assert_eq!(working_duration_in(-45 * 60, 8 * HOUR, units), "-45m");
    }
}
