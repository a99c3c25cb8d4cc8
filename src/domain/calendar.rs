//! Working-time calendars: when an SLA clock runs. The hotline works 24/7;
//! ward teams work office hours (weekdays, with a lunch break) except on
//! public holidays and the days off the government fixes each year.
//!
//! Times are Vietnam local time (UTC+7, no daylight saving), so a local day
//! is a fixed 86 400-second slice of the unix timeline.

use super::time::DAY;
use super::Ts;
use chrono::NaiveDate;

const OFFSET: i64 = 7 * 3600;

/// The weekly office hours of a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    /// Monday first.
    pub week: [bool; 7],
    /// Working periods of a working day, seconds after local midnight,
    /// half-open, sorted, not overlapping.
    pub periods: Vec<(i64, i64)>,
    /// Local day numbers (days since 1970-01-01) that are off although the
    /// week says working, sorted.
    pub days_off: Vec<i64>,
    /// Local day numbers that are worked although the week or a holiday says
    /// off (make-up days), sorted.
    pub days_on: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calendar {
    /// Every second counts.
    Always,
    Office(OfficeHours),
}

/// Local day number and seconds into that day.
fn split(t: Ts) -> (i64, i64) {
    let local = t.0 + OFFSET;
    (local.div_euclid(DAY), local.rem_euclid(DAY))
}

fn join(day: i64, sec: i64) -> Ts {
    Ts(day * DAY + sec - OFFSET)
}

/// Monday = 0 (1970-01-01 was a Thursday).
fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

pub fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
}

/// Sorted `days` in `[from, to)`.
fn in_range(days: &[i64], from: i64, to: i64) -> &[i64] {
    let a = days.partition_point(|&d| d < from);
    let b = days.partition_point(|&d| d < to);
    &days[a..b.max(a)]
}

impl OfficeHours {
    /// Monday–Friday 07:30–11:30 and 13:00–17:00, no holidays.
    pub fn standard() -> OfficeHours {
        OfficeHours {
            week: [true, true, true, true, true, false, false],
            periods: vec![(7 * 3600 + 1800, 11 * 3600 + 1800), (13 * 3600, 17 * 3600)],
            days_off: Vec::new(),
            days_on: Vec::new(),
        }
    }

    fn day_secs(&self) -> i64 {
        self.periods.iter().map(|(s, e)| e - s).sum()
    }

    pub fn is_work_day(&self, day: i64) -> bool {
        if self.days_on.binary_search(&day).is_ok() {
            return true;
        }
        self.week[weekday(day)] && self.days_off.binary_search(&day).is_err()
    }

    /// Working days in `[from, to)`, without walking them one by one.
    fn work_days_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let per_week = self.week.iter().filter(|w| **w).count() as i64;
        let span = to - from;
        let mut n = span / 7 * per_week;
        for d in from + span / 7 * 7..to {
            n += i64::from(self.week[weekday(d)]);
        }
        for &d in in_range(&self.days_off, from, to) {
            if self.week[weekday(d)] && self.days_on.binary_search(&d).is_err() {
                n -= 1;
            }
        }
        for &d in in_range(&self.days_on, from, to) {
            if !self.week[weekday(d)] {
                n += 1;
            }
        }
        n
    }

    /// Working seconds of `day` in `[from_sec, to_sec)`.
    fn within_day(&self, day: i64, from_sec: i64, to_sec: i64) -> i64 {
        if !self.is_work_day(day) {
            return 0;
        }
        self.periods
            .iter()
            .map(|&(s, e)| (e.min(to_sec) - s.max(from_sec)).max(0))
            .sum()
    }

    fn working_between(&self, a: Ts, b: Ts) -> i64 {
        let (da, sa) = split(a);
        let (db, sb) = split(b);
        if da == db {
            return self.within_day(da, sa, sb);
        }
        self.within_day(da, sa, DAY)
            + self.work_days_between(da + 1, db) * self.day_secs()
            + self.within_day(db, 0, sb)
    }

    fn add_working(&self, start: Ts, duration: i64) -> Ts {
        let (mut day, sec) = split(start);
        let mut left = duration;
        let mut from = sec;
        let day_secs = self.day_secs();
        // No working time at all: the deadline never comes.
        if day_secs == 0 || (!self.week.contains(&true) && self.days_on.is_empty()) {
            return Ts(i64::MAX / 2);
        }
        loop {
            if self.is_work_day(day) {
                for &(s, e) in &self.periods {
                    if from >= e {
                        continue;
                    }
                    let begin = from.max(s);
                    if left <= e - begin {
                        return join(day, begin + left);
                    }
                    left -= e - begin;
                }
            }
            day += 1;
            from = 0;
            // Whole weeks at a time while more than a week's work is left.
            loop {
                let no_more_work = !self.week.contains(&true)
                    && self.days_on.last().is_none_or(|&last| day > last);
                if no_more_work {
                    return Ts(i64::MAX / 2);
                }
                let week_work = self.work_days_between(day, day + 7) * day_secs;
                if left > week_work {
                    left -= week_work;
                    day += 7;
                } else {
                    break;
                }
            }
        }
    }

    fn is_working(&self, t: Ts) -> bool {
        let (day, sec) = split(t);
        self.is_work_day(day) && self.periods.iter().any(|&(s, e)| s <= sec && sec < e)
    }
}

impl Calendar {
    /// The moment `duration` working seconds after `start` have passed. Never
    /// earlier than `start`; for a positive duration the second just before
    /// it is working time.
    pub fn add_working(&self, start: Ts, duration: i64) -> Ts {
        if duration <= 0 {
            return start;
        }
        match self {
            Calendar::Always => Ts(start.0.saturating_add(duration)),
            Calendar::Office(o) => o.add_working(start, duration),
        }
    }

    /// Working seconds from `a` to `b`; negative when `b` is before `a`.
    pub fn working_between(&self, a: Ts, b: Ts) -> i64 {
        if b < a {
            return -self.working_between(b, a);
        }
        match self {
            Calendar::Always => b.0 - a.0,
            Calendar::Office(o) => o.working_between(a, b),
        }
    }

    /// Working seconds in one working day.
    pub fn seconds_per_day(&self) -> i64 {
        match self {
            Calendar::Always => DAY,
            Calendar::Office(o) => o.day_secs(),
        }
    }

    pub fn is_working(&self, t: Ts) -> bool {
        match self {
            Calendar::Always => true,
            Calendar::Office(o) => o.is_working(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Local (UTC+7) wall time written out by hand.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Ts {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Ts(Ts::from_local_date(date).0 + i64::from(h) * 3600 + i64::from(min) * 60)
    }

    const H: i64 = 3600;

    fn office_with(off: &[(i32, u32, u32)], on: &[(i32, u32, u32)]) -> Calendar {
        let days = |list: &[(i32, u32, u32)]| {
            let mut v: Vec<i64> = list
                .iter()
                .map(|&(y, m, d)| day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
                .collect();
            v.sort();
            v
        };
        Calendar::Office(OfficeHours {
            days_off: days(off),
            days_on: days(on),
            ..OfficeHours::standard()
        })
    }

    #[test]
    fn the_hotline_counts_every_second() {
        let start = at(2025, 8, 15, 16, 0);
        assert_eq!(
            Calendar::Always.add_working(start, 8 * H),
            at(2025, 8, 16, 0, 0)
        );
        assert!(Calendar::Always.is_working(at(2025, 8, 17, 3, 0)));
    }

    #[test]
    fn office_time_skips_the_lunch_break() {
        let cal = office_with(&[], &[]);
        // Tuesday 10:30 + 2 h: one hour before lunch, one after 13:00.
        let start = at(2025, 8, 12, 10, 30);
        assert_eq!(cal.add_working(start, 2 * H), at(2025, 8, 12, 14, 0));
        assert_eq!(cal.working_between(start, at(2025, 8, 12, 14, 0)), 2 * H);
        // A start during lunch counts from 13:00.
        assert_eq!(
            cal.add_working(at(2025, 8, 12, 12, 0), 30 * 60),
            at(2025, 8, 12, 13, 30)
        );
        assert!(!cal.is_working(at(2025, 8, 12, 12, 0)));
        assert!(cal.is_working(at(2025, 8, 12, 7, 30)));
        assert!(!cal.is_working(at(2025, 8, 12, 17, 0)));
    }

    #[test]
    fn office_time_skips_the_weekend() {
        let cal = office_with(&[], &[]);
        // Friday 16:00 + 4 h: one hour on Friday, then Monday 07:30–10:30.
        let start = at(2025, 8, 15, 16, 0);
        assert_eq!(cal.add_working(start, 4 * H), at(2025, 8, 18, 10, 30));
        // + 5 working days (40 h) from Monday 08:00: the next Monday 08:00.
        assert_eq!(
            cal.add_working(at(2025, 8, 18, 8, 0), 40 * H),
            at(2025, 8, 25, 8, 0)
        );
        // Saturday start: nothing until Monday 07:30.
        assert_eq!(
            cal.add_working(at(2025, 8, 16, 9, 0), H),
            at(2025, 8, 18, 8, 30)
        );
        assert_eq!(
            cal.working_between(at(2025, 8, 15, 16, 0), at(2025, 8, 18, 10, 30)),
            4 * H
        );
    }

    #[test]
    fn office_time_skips_holidays_and_works_make_up_days() {
        // 2025: 30/4 (Wed), 1/5 (Thu) holidays, 2/5 (Fri) off by swap,
        // Saturday 26/4 worked in exchange.
        let cal = office_with(
            &[(2025, 4, 30), (2025, 5, 1), (2025, 5, 2)],
            &[(2025, 4, 26)],
        );
        // Tuesday 29/4 16:00 + 2 h: one hour then Monday 5/5 07:30–08:30.
        assert_eq!(
            cal.add_working(at(2025, 4, 29, 16, 0), 2 * H),
            at(2025, 5, 5, 8, 30)
        );
        // Friday 25/4 16:30 + 1 h: on to Saturday 26/4 08:00.
        assert_eq!(
            cal.add_working(at(2025, 4, 25, 16, 30), H),
            at(2025, 4, 26, 8, 0)
        );
        // Monday 21/4 to Monday 5/5: 21–25/4, Saturday 26/4, 28 and 29/4.
        assert_eq!(
            cal.working_between(at(2025, 4, 21, 0, 0), at(2025, 5, 5, 0, 0)),
            (5 + 1 + 2) * 8 * H
        );
        // Far ahead (weeks skipped) agrees with the count back.
        let start = at(2025, 4, 1, 9, 0);
        let end = cal.add_working(start, 400 * H);
        assert_eq!(cal.working_between(start, end), 400 * H);
    }

    fn arb_calendar() -> impl Strategy<Value = Calendar> {
        (
            prop::array::uniform7(any::<bool>()),
            prop::collection::vec(0i64..120, 0..12),
            prop::collection::vec(0i64..120, 0..6),
        )
            .prop_filter("some working day", |(w, _, _)| w.contains(&true))
            .prop_map(|(week, off, on)| {
                let base = day_number(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
                let mut off: Vec<i64> = off.into_iter().map(|d| base + d).collect();
                let mut on: Vec<i64> = on.into_iter().map(|d| base + d).collect();
                off.sort();
                off.dedup();
                on.sort();
                on.dedup();
                Calendar::Office(OfficeHours {
                    week,
                    days_off: off,
                    days_on: on,
                    ..OfficeHours::standard()
                })
            })
    }

    proptest! {
        #[test]
        fn deadlines_fall_in_working_time_and_adding_is_monotonic(
            cal in arb_calendar(),
            start_min in 0i64..(100 * 24 * 60),
            a in 1i64..(200 * 3600),
            b in 1i64..(200 * 3600),
        ) {
            let start = Ts(at(2025, 1, 1, 0, 0).0 + start_min * 60);
            let (short, long) = (a.min(b), a.max(b));
            let d_short = cal.add_working(start, short);
            let d_long = cal.add_working(start, long);
            // The last second before a deadline is working time.
            prop_assert!(cal.is_working(Ts(d_short.0 - 1)));
            prop_assert!(cal.is_working(Ts(d_long.0 - 1)));
            prop_assert!(d_short <= d_long);
            prop_assert!(d_short > start);
            prop_assert_eq!(cal.working_between(start, d_long), long);
            prop_assert_eq!(cal.working_between(d_short, d_long), long - short);
        }
    }
}
