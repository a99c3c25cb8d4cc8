//! Reading the SLA policy file and the days-off file (TOML). Every value is
//! checked; every error names the file and the line.

use super::calendar::OfficeHours;
use super::holidays::YearDecision;
use super::policy::{CalendarKind, Target};
use super::ticket::{Kind, Priority};
use super::WardCode;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    warning_percent: Option<Spanned<i64>>,
    calendars: Option<RawCalendars>,
    ticket: Option<RawTickets>,
    escalation: Option<RawEscalations>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendars {
    ward: Option<RawHours>,
    city: Option<RawHours>,
    ward_override: Option<Vec<RawWardHours>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    days: Vec<S>,
    hours: Vec<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWardHours {
    ward: Spanned<i64>,
    days: Vec<S>,
    hours: Vec<S>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTickets {
    question: Option<RawClass<RawTicketPair>>,
    complaint: Option<RawClass<RawTicketPair>>,
    suggestion: Option<RawClass<RawTicketPair>>,
    fault: Option<RawClass<RawTicketPair>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalations {
    level1: Option<RawClass<RawEscalationPair>>,
    level2: Option<RawClass<RawEscalationPair>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass<P> {
    #[serde(alias = "ack_calendar")]
    respond_calendar: Option<S>,
    resolve_calendar: Option<S>,
    p1: Option<P>,
    p2: Option<P>,
    p3: Option<P>,
    p4: Option<P>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTicketPair {
    respond: S,
    resolve: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalationPair {
    ack: S,
    resolve: S,
}

trait Pair {
    fn first(&self) -> &S;
    fn second(&self) -> &S;
}

impl Pair for RawTicketPair {
    fn first(&self) -> &S {
        &self.respond
    }
    fn second(&self) -> &S {
        &self.resolve
    }
}

impl Pair for RawEscalationPair {
    fn first(&self) -> &S {
        &self.ack
    }
    fn second(&self) -> &S {
        &self.resolve
    }
}

/// A working-time amount: whole working days of its calendar plus seconds.
pub type Amount = (i64, i64);

/// What one file says, checked; keys it leaves out are `None` / absent.
#[derive(Debug, Default, Clone)]
pub struct PolicyPart {
    pub warning_percent: Option<u8>,
    pub ward_hours: Option<OfficeHours>,
    pub city_hours: Option<OfficeHours>,
    pub ward_overrides: BTreeMap<WardCode, OfficeHours>,
    /// (kind, 0 = first response | 1 = resolution) → calendar.
    pub ticket_calendars: BTreeMap<(Kind, u8), CalendarKind>,
    pub ticket_targets: BTreeMap<(Kind, Priority), [Amount; 2]>,
    /// (level, 0 = acknowledge | 1 = resolve) → calendar.
    pub escalation_calendars: BTreeMap<(u8, u8), CalendarKind>,
    pub escalation_targets: BTreeMap<(u8, Priority), [Amount; 2]>,
}

struct Checker<'a> {
    name: &'a str,
    text: &'a str,
    problems: Vec<String>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl Checker<'_> {
    fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.name, line_of(self.text, offset))
    }

    fn fail(&mut self, offset: usize, what: String) {
        let place = self.at(offset);
        self.problems.push(format!("{place}: {what}"));
    }

    fn value<T>(&mut self, v: &S, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        match parse(v.get_ref()) {
            Ok(x) => Some(x),
            Err(why) => {
                self.fail(
                    v.span().start,
                    format!("'{}': {why}", crate::text::escape_controls(v.get_ref())),
                );
                None
            }
        }
    }

    fn hours(&mut self, days: &[S], hours: &[S]) -> Option<OfficeHours> {
        let mut week = [false; 7];
        let mut ok = true;
        for d in days {
            match self.value(d, weekday) {
                Some(i) => week[i] = true,
                None => ok = false,
            }
        }
        let mut periods = Vec::new();
        for h in hours {
            match self.value(h, period) {
                Some(p) => periods.push((p, h.span().start)),
                None => ok = false,
            }
        }
        periods.sort();
        for pair in periods.windows(2) {
            if pair[1].0 .0 < pair[0].0 .1 {
                self.fail(pair[1].1, "overlaps the period before it".into());
                ok = false;
            }
        }
        let periods: Vec<(i64, i64)> = periods.into_iter().map(|(p, _)| p).collect();
        if ok && (periods.is_empty() || !week.contains(&true)) {
            let at = days
                .first()
                .or(hours.first())
                .map(|s| s.span().start)
                .unwrap_or(0);
            self.fail(
                at,
                "a calendar needs at least one day and one period".into(),
            );
            ok = false;
        }
        ok.then(|| OfficeHours {
            week,
            periods,
            days_off: Vec::new(),
            days_on: Vec::new(),
        })
    }

    fn class<P: Pair, K: Copy + Ord>(
        &mut self,
        key: K,
        raw: &RawClass<P>,
        calendars: &mut BTreeMap<(K, u8), CalendarKind>,
        targets: &mut BTreeMap<(K, Priority), [Amount; 2]>,
    ) {
        for (i, c) in [&raw.respond_calendar, &raw.resolve_calendar]
            .into_iter()
            .enumerate()
        {
            if let Some(c) = c {
                if let Some(kind) = self.value(c, calendar_kind) {
                    calendars.insert((key, i as u8), kind);
                }
            }
        }
        for (p, pair) in [
            (Priority::P1, &raw.p1),
            (Priority::P2, &raw.p2),
            (Priority::P3, &raw.p3),
            (Priority::P4, &raw.p4),
        ] {
            if let Some(pair) = pair {
                let a = self.value(pair.first(), amount);
                let b = self.value(pair.second(), amount);
                if let (Some(a), Some(b)) = (a, b) {
                    targets.insert((key, p), [a, b]);
                }
            }
        }
    }
}

fn weekday(s: &str) -> Result<usize, String> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    DAYS.iter()
        .position(|d| *d == s.trim().to_ascii_lowercase())
        .ok_or_else(|| "expected mon, tue, wed, thu, fri, sat or sun".into())
}

fn clock_time(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 24 * 60)
        .then_some((h * 60 + m) * 60)
}

fn period(s: &str) -> Result<(i64, i64), String> {
    let why = || "expected a period like 07:30-11:30".to_string();
    let (a, b) = s.split_once('-').ok_or_else(why)?;
    let (a, b) = (
        clock_time(a).ok_or_else(why)?,
        clock_time(b).ok_or_else(why)?,
    );
    if a >= b {
        return Err("the period ends before it starts".into());
    }
    Ok((a, b))
}

fn calendar_kind(s: &str) -> Result<CalendarKind, String> {
    match s {
        "hotline" => Ok(CalendarKind::Hotline),
        "ward" => Ok(CalendarKind::Ward),
        "city" => Ok(CalendarKind::City),
        _ => Err("expected hotline, ward or city".into()),
    }
}

/// `"1d 4h"`, `"90m"`, `"5d"`: working days plus hours and minutes.
pub fn amount(s: &str) -> Result<Amount, String> {
    let why = || "expected a duration like 4h, 90m, 5d or 1d 4h".to_string();
    let (mut days, mut secs) = (0i64, 0i64);
    let mut number = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == ' ' && number.is_empty() {
            continue;
        }
        let n: i64 = number.parse().map_err(|_| why())?;
        if n > 10_000 {
            return Err("too long".into());
        }
        number.clear();
        match c {
            'd' => days += n,
            'h' => secs += n * 3600,
            'm' => secs += n * 60,
            _ => return Err(why()),
        }
        any = true;
    }
    if !number.is_empty() || !any {
        return Err(why());
    }
    if days == 0 && secs == 0 {
        return Err("must be more than zero".into());
    }
    Ok((days, secs))
}

fn toml_error(name: &str, text: &str, e: toml::de::Error) -> crate::problems::Problems {
    let place = e
        .span()
        .map(|s| format!("{name}:{}", line_of(text, s.start)))
        .unwrap_or_else(|| name.to_string());
    crate::problems::Problems(vec![format!("{place}: {}", e.message().trim())])
}

/// Checks the policy file called `name`.
pub fn parse_policy(name: &str, text: &str) -> Result<PolicyPart, crate::problems::Problems> {
    let raw: RawPolicy = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
    let mut c = Checker {
        name,
        text,
        problems: Vec::new(),
    };
    let mut part = PolicyPart::default();
    if let Some(w) = &raw.warning_percent {
        match u8::try_from(*w.get_ref()) {
            Ok(p) if (1..=99).contains(&p) => part.warning_percent = Some(p),
            _ => c.fail(
                w.span().start,
                format!("warning_percent = {}: expected 1 to 99", w.get_ref()),
            ),
        }
    }
    if let Some(cals) = &raw.calendars {
        if let Some(h) = &cals.ward {
            part.ward_hours = c.hours(&h.days, &h.hours);
        }
        if let Some(h) = &cals.city {
            part.city_hours = c.hours(&h.days, &h.hours);
        }
        for w in cals.ward_override.iter().flatten() {
            let code = match u32::try_from(*w.ward.get_ref()) {
                Ok(code) if crate::reference::ward(code).is_some() => Some(code),
                _ => {
                    c.fail(
                        w.ward.span().start,
                        format!("ward = {}: not a ward code of the city", w.ward.get_ref()),
                    );
                    None
                }
            };
            if let (Some(code), Some(hours)) = (code, c.hours(&w.days, &w.hours)) {
                part.ward_overrides.insert(code, hours);
            }
        }
    }
    if let Some(t) = &raw.ticket {
        for (kind, class) in [
            (Kind::Question, &t.question),
            (Kind::Complaint, &t.complaint),
            (Kind::Suggestion, &t.suggestion),
            (Kind::Fault, &t.fault),
        ] {
            if let Some(class) = class {
                c.class(
                    kind,
                    class,
                    &mut part.ticket_calendars,
                    &mut part.ticket_targets,
                );
            }
        }
    }
    if let Some(e) = &raw.escalation {
        for (level, class) in [(1u8, &e.level1), (2, &e.level2)] {
            if let Some(class) = class {
                c.class(
                    level,
                    class,
                    &mut part.escalation_calendars,
                    &mut part.escalation_targets,
                );
            }
        }
    }
    if c.problems.is_empty() {
        Ok(part)
    } else {
        Err(crate::problems::Problems(c.problems))
    }
}

impl PolicyPart {
    /// `later`'s values win.
    pub fn merge(&mut self, later: PolicyPart) {
        if later.warning_percent.is_some() {
            self.warning_percent = later.warning_percent;
        }
        if later.ward_hours.is_some() {
            self.ward_hours = later.ward_hours;
        }
        if later.city_hours.is_some() {
            self.city_hours = later.city_hours;
        }
        self.ward_overrides.extend(later.ward_overrides);
        self.ticket_calendars.extend(later.ticket_calendars);
        self.ticket_targets.extend(later.ticket_targets);
        self.escalation_calendars.extend(later.escalation_calendars);
        self.escalation_targets.extend(later.escalation_targets);
    }

    pub(super) fn target(
        amounts: Option<&[Amount; 2]>,
        calendar: Option<&CalendarKind>,
        which: usize,
    ) -> Option<Target> {
        let (days, secs) = amounts?[which];
        Some(Target {
            days,
            secs,
            calendar: *calendar?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDaysOff {
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i64>,
    #[allow(dead_code)]
    decision: String,
    #[allow(dead_code)]
    source: String,
    #[serde(default)]
    off: Vec<S>,
    #[serde(default)]
    work: Vec<S>,
}

/// Checks the days-off file called `name`.
pub fn parse_days_off(
    name: &str,
    text: &str,
) -> Result<Vec<YearDecision>, crate::problems::Problems> {
    let raw: RawDaysOff = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
    let mut c = Checker {
        name,
        text,
        problems: Vec::new(),
    };
    let mut years = Vec::new();
    for y in &raw.year {
        let Some(year) = i32::try_from(*y.year.get_ref())
            .ok()
            .filter(|y| (2000..=2100).contains(y))
        else {
            c.fail(
                y.year.span().start,
                format!("year = {}: expected 2000 to 2100", y.year.get_ref()),
            );
            continue;
        };
        let in_year = |s: &str| -> Result<NaiveDate, String> {
            let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| "expected a date like 2026-02-16".to_string())?;
            if chrono::Datelike::year(&d) != year {
                return Err(format!("is not in {year}"));
            }
            Ok(d)
        };
        let off: Vec<NaiveDate> = y.off.iter().filter_map(|d| c.value(d, in_year)).collect();
        let work: Vec<NaiveDate> = y.work.iter().filter_map(|d| c.value(d, in_year)).collect();
        years.push(YearDecision { year, off, work });
    }
    if c.problems.is_empty() {
        Ok(years)
    } else {
        Err(crate::problems::Problems(c.problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read() {
        assert_eq!(amount("4h"), Ok((0, 4 * 3600)));
        assert_eq!(amount("1d 4h"), Ok((1, 4 * 3600)));
        assert_eq!(amount("90m"), Ok((0, 90 * 60)));
        assert!(amount("4").is_err());
        assert!(amount("0h").is_err());
        assert!(amount("4x").is_err());
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let text = "warning_percent = 75\n[ticket.fault]\np1 = { respond = \"1h\", resolve = \"8 hours\" }\n";
        let err = parse_policy("sla_policy.toml", text).unwrap_err();
        assert_eq!(
            err.0,
            ["sla_policy.toml:3: '8 hours': expected a duration like 4h, 90m, 5d or 1d 4h"]
        );
        let err = parse_policy(
            "p.toml",
            "\n\n[calendars.ward]\ndays = [\"mon\"]\nhours = [\"13:00-12:00\"]\n",
        )
        .unwrap_err();
        assert_eq!(
            err.0,
            ["p.toml:5: '13:00-12:00': the period ends before it starts"]
        );
        let err = parse_policy("p.toml", "warning_percent = 75\nwarnings = 1\n").unwrap_err();
        assert!(
            err.0[0].starts_with("p.toml:2: unknown field `warnings`"),
            "{err}"
        );
        let err = parse_days_off(
            "d.toml",
            "[[year]]\nyear = 2025\ndecision = \"x\"\nsource = \"y\"\noff = [\"2024-05-02\"]\n",
        )
        .unwrap_err();
        assert_eq!(err.0, ["d.toml:5: '2024-05-02': is not in 2025"]);
    }
}
