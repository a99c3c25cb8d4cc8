//! Vietnam's public holidays (Labour Code 2019, article 112) and the days off
//! and make-up working days the Government fixes each year for civil servants.
//!
//! Computed for every year: New Year (1/1); Tết, the last day of the lunar
//! year and lunar 1/1–1/4 (the Government may pick other days, which a
//! decision on file then adds); the Hùng Kings' day (lunar 10/3);
//! Reunification Day (30/4); Labour Day (1/5); National Day (2/9) and one
//! adjacent day (1/9 when 2/9 is a Tuesday, so the break joins the weekend,
//! otherwise 3/9). A holiday on a Saturday or Sunday gives the next working
//! day off (article 111(3), "nghỉ bù"). The lunar dates come from [`super::lunar`].

use super::calendar::day_number;
use super::lunar;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// One year's Government decision on days off, as shipped in
/// `data/vn_days_off.toml` or added in the config directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearDecision {
    pub year: i32,
    /// Days off besides the computed holidays (bridging days).
    pub off: Vec<NaiveDate>,
    /// Days worked although a weekend or a computed holiday (make-up days).
    pub work: Vec<NaiveDate>,
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The statutory holidays of `year`, before weekend compensation.
pub fn statutory(year: i32) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    days.extend(date(year, 1, 1));
    if let Some(tet) = lunar::tet(year) {
        days.extend(tet.pred_opt());
        for k in 0..4 {
            days.extend(tet.checked_add_days(Days::new(k)));
        }
    }
    days.extend(lunar::hung_kings(year));
    days.extend(date(year, 4, 30));
    days.extend(date(year, 5, 1));
    if let Some(national) = date(year, 9, 2) {
        days.push(national);
        let adjacent = if national.weekday() == Weekday::Tue {
            national.pred_opt()
        } else {
            national.succ_opt()
        };
        days.extend(adjacent);
    }
    days.sort();
    days.dedup();
    days
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Days off (local day numbers, sorted) and make-up working days for the
/// years `from..=to` of a Monday–Friday office.
pub fn days_off(from: i32, to: i32, decisions: &[YearDecision]) -> (Vec<i64>, Vec<i64>) {
    let mut off = BTreeSet::new();
    for year in from..=to {
        let holidays = statutory(year);
        let taken: BTreeSet<NaiveDate> = holidays.iter().copied().collect();
        let mut bumped = BTreeSet::new();
        for &h in &holidays {
            off.insert(h);
            if weekend(h) {
                // The next weekday that is not itself a holiday or already given.
                let mut d = h;
                while let Some(next) = d.succ_opt() {
                    d = next;
                    if !weekend(d) && !taken.contains(&d) && !bumped.contains(&d) {
                        bumped.insert(d);
                        break;
                    }
                }
            }
        }
        off.extend(bumped);
    }
    let mut on = BTreeSet::new();
    for decision in decisions {
        off.extend(decision.off.iter().copied());
        on.extend(decision.work.iter().copied());
    }
    let off: Vec<i64> = off
        .into_iter()
        .filter(|d| !on.contains(d))
        .map(day_number)
        .collect();
    (off, on.into_iter().map(day_number).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_2026_holidays_are_computed() {
        let h = statutory(2026);
        // Tết Bính Ngọ: 16/2 (29 Tháng Chạp) to 20/2 (mùng 4), as the
        // Government's notice reported by VNA on 17 October 2025 fixed them.
        for day in 16..=20 {
            assert!(h.contains(&d(2026, 2, day)), "16–20/2: {day}");
        }
        assert!(h.contains(&d(2026, 4, 26)), "Hùng Kings, lunar 10/3");
        assert!(
            h.contains(&d(2026, 9, 3)),
            "2/9 is a Wednesday: 3/9 joins it"
        );
        assert!(!h.contains(&d(2026, 2, 21)));
    }

    #[test]
    fn a_holiday_on_a_weekend_gives_the_next_working_day() {
        // Hùng Kings' day 2026 is a Sunday: Monday 27/4 is off.
        let (off, on) = days_off(2026, 2026, &[]);
        assert!(off.contains(&day_number(d(2026, 4, 27))));
        assert!(on.is_empty());
        // 2/9/2025 is a Tuesday: 1/9 is the adjacent day.
        assert!(statutory(2025).contains(&d(2025, 9, 1)));
    }

    #[test]
    fn a_decision_adds_days_off_and_make_up_days() {
        let decision = YearDecision {
            year: 2025,
            off: vec![d(2025, 5, 2)],
            work: vec![d(2025, 4, 26)],
        };
        let (off, on) = days_off(2025, 2025, &[decision]);
        assert!(off.contains(&day_number(d(2025, 5, 2))));
        assert_eq!(on, vec![day_number(d(2025, 4, 26))]);
    }
}
