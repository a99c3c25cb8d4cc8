//! The Vietnamese lunar calendar (âm lịch), computed for UTC+7.
//!
//! Source of the algorithm: Hồ Ngọc Đức, "Thuật toán tính âm lịch"
//! ("Computing the Vietnamese lunar calendar"),
//! <https://www.informatik.uni-leipzig.de/~duc/amlich/calrules_vn.html>,
//! which simplifies the new-moon and solar-longitude formulas of Jean Meeus,
//! *Astronomical Algorithms* (Willmann-Bell, 1998). The rules it applies:
//! a month starts on the day (in UTC+7) that holds the new moon; the winter
//! solstice falls in month 11; in a 13-month year the first month after the
//! solstice without a major solar term is the leap month.

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

const TIME_ZONE: f64 = 7.0;
/// Julian day number of 1899-12-31 12:00 plus the mean new moon offset Meeus uses.
const EPOCH: f64 = 2_415_021.076_998_695;
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// A lunar date: day 1–30, month 1–12, the lunar year (the Gregorian year in
/// which it begins) and whether the month is a leap (intercalary) month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub day: u32,
    pub month: u32,
    pub year: i32,
    pub leap: bool,
}

fn jd_from_date(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn date_from_jd(jd: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jd - 1_721_425).ok()?)
}

/// Julian day (with fraction, UT) of the `k`-th new moon after 1900-01-01.
fn new_moon(k: f64) -> f64 {
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's ecliptic longitude (radians, 0..2π) at Julian day `jdn` (UT).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// The local day (Julian day number) holding the `k`-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k as f64) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Which of the 12 sectors of 30° the sun is in at the start of local day `jdn`.
fn sun_sector(jdn: i64) -> i64 {
    (sun_longitude(jdn as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0).floor() as i64
}

/// The first day of lunar month 11 (the month with the winter solstice) of `year`.
fn lunar_month_11(year: i32) -> Option<i64> {
    let off = jd_from_date(NaiveDate::from_ymd_opt(year, 12, 31)?) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k);
    Some(if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    })
}

/// How many months after month 11 (starting at `a11`) the leap month comes.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The lunar date of a Gregorian date.
pub fn to_lunar(date: NaiveDate) -> Option<LunarDate> {
    let day_number = jd_from_date(date);
    let k = ((day_number as f64 - EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut month_start = new_moon_day(k + 1);
    if month_start > day_number {
        month_start = new_moon_day(k);
    }
    let mut a11 = lunar_month_11(date.year())?;
    let mut b11 = a11;
    let mut year = date.year();
    if a11 >= month_start {
        a11 = lunar_month_11(year - 1)?;
    } else {
        year += 1;
        b11 = lunar_month_11(year)?;
    }
    let day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        year -= 1;
    }
    Some(LunarDate {
        day: u32::try_from(day).ok()?,
        month: u32::try_from(month).ok()?,
        year,
        leap,
    })
}

/// The Gregorian date of a lunar date; `None` for a leap month the year does
/// not have, or a year out of range.
pub fn from_lunar(lunar: LunarDate) -> Option<NaiveDate> {
    let month = i64::from(lunar.month);
    let (a11, b11) = if month < 11 {
        (lunar_month_11(lunar.year - 1)?, lunar_month_11(lunar.year)?)
    } else {
        (lunar_month_11(lunar.year)?, lunar_month_11(lunar.year + 1)?)
    };
    let k = (0.5 + (a11 as f64 - EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut off = (month - 11).rem_euclid(12);
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let leap_month = (leap_off - 2).rem_euclid(12);
        if lunar.leap && month != leap_month {
            return None;
        }
        if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    date_from_jd(new_moon_day(k + off) + i64::from(lunar.day) - 1)
}

/// Lunar New Year's day (mùng 1 Tết) of Gregorian `year`.
pub fn tet(year: i32) -> Option<NaiveDate> {
    from_lunar(LunarDate {
        day: 1,
        month: 1,
        year,
        leap: false,
    })
}

/// The Hùng Kings' Commemoration (Giỗ Tổ Hùng Vương), lunar 10/3.
pub fn hung_kings(year: i32) -> Option<NaiveDate> {
    from_lunar(LunarDate {
        day: 10,
        month: 3,
        year,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // The expected dates are written out from sources independent of this
    // algorithm: the Hong Kong Observatory's "Gregorian-Lunar Calendar
    // Conversion Table" (https://www.hko.gov.hk/en/gts/time/conversion.htm),
    // whose Chinese calendar (UTC+8) agrees with the Vietnamese one (UTC+7)
    // on these months (none of their new moons falls between 16:00 and 17:00
    // UTC, the only hour where the two could differ), and, for Tết 2026, the
    // Government's holiday notice as VNA reported it on 17 October 2025
    // (16/2/2026 is 29 tháng Chạp, 20/2 is mùng 4 Tết, so mùng 1 is 17/2).

    #[test]
    fn tet_falls_on_the_published_dates() {
        let published = [
            (2020, d(2020, 1, 25)),
            (2021, d(2021, 2, 12)),
            (2022, d(2022, 2, 1)),
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
        ];
        for (year, date) in published {
            assert_eq!(tet(year), Some(date), "Tết {year}");
        }
    }

    /// Lunar 10/3 from the Hong Kong Observatory's tables (see above).
    #[test]
    fn hung_kings_day_falls_on_the_published_dates() {
        assert_eq!(hung_kings(2023), Some(d(2023, 4, 29)));
        assert_eq!(hung_kings(2024), Some(d(2024, 4, 18)));
        assert_eq!(hung_kings(2025), Some(d(2025, 4, 7)));
        assert_eq!(hung_kings(2026), Some(d(2026, 4, 26)));
    }

    /// 2023 had a leap second month (tháng 2 nhuận) starting 22/3/2023;
    /// 2025 a leap sixth month starting 25/7/2025 (Hong Kong Observatory's
    /// tables, as above).
    #[test]
    fn leap_months_are_found() {
        let l = to_lunar(d(2023, 3, 22)).unwrap();
        assert_eq!((l.day, l.month, l.year, l.leap), (1, 2, 2023, true));
        let l = to_lunar(d(2025, 7, 25)).unwrap();
        assert_eq!((l.day, l.month, l.year, l.leap), (1, 6, 2025, true));
        assert!(from_lunar(LunarDate {
            day: 1,
            month: 4,
            year: 2024,
            leap: true
        })
        .is_none());
    }

    #[test]
    fn conversion_round_trips_day_by_day() {
        let mut date = d(2019, 1, 1);
        while date < d(2031, 1, 1) {
            let l = to_lunar(date).unwrap();
            assert_eq!(from_lunar(l), Some(date), "{date} → {l:?}");
            date = date.succ_opt().unwrap();
        }
    }
}
