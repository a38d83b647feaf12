//! Business calendars: working hours per weekday in an IANA time zone,
//! holidays and one-off exceptions, and the two sums SLA clocks need: an
//! instant plus N business minutes, and the business time between two
//! instants. Working hours are local civil times; the arithmetic is on
//! instants, so daylight-saving changes, midnight and year ends need no
//! special case.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};

use serde::{Deserialize, Serialize};

use crate::error::{Problems, ValidationError};

/// A working interval of a day, local time, `start < end` (end `24:00` is
/// written as `None`: the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Time,
    /// `None`: until midnight.
    pub end: Option<Time>,
}

impl Interval {
    pub fn new(start: Time, end: Option<Time>) -> Interval {
        Interval { start, end }
    }

    /// Parses `08:00-12:30`; `24:00` ends at midnight.
    pub fn parse(s: &str) -> Option<Interval> {
        let (a, b) = s.trim().split_once('-')?;
        let start: Time = a.trim().parse().ok()?;
        let end = match b.trim() {
            "24:00" => None,
            other => Some(other.parse::<Time>().ok()?),
        };
        Some(Interval { start, end })
    }

    fn ends_after_start(&self) -> bool {
        self.end.is_none_or(|e| e > self.start)
    }
}

/// A checked business calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    /// Monday first.
    week: [Vec<Interval>; 7],
    holidays: BTreeMap<Date, String>,
    /// Days with their own hours (an empty list: closed).
    exceptions: BTreeMap<Date, Vec<Interval>>,
}

/// How far the sums look ahead before deciding that no working time is left.
const HORIZON_DAYS: i64 = 3 * 366;

fn weekday_index(d: Weekday) -> usize {
    d.to_monday_zero_offset() as usize
}

impl Calendar {
    /// Checks the parts of a calendar: a known time zone, intervals that end
    /// after they start and do not overlap, and some working time in the week.
    pub fn new(
        time_zone: &str,
        week: [Vec<Interval>; 7],
        holidays: BTreeMap<Date, String>,
        exceptions: BTreeMap<Date, Vec<Interval>>,
    ) -> Result<Calendar, ValidationError> {
        let mut p = Problems::default();
        let tz = match TimeZone::get(time_zone) {
            Ok(tz) => tz,
            Err(_) => {
                p.add(
                    "time_zone",
                    format!("{time_zone:?} is not an IANA time zone"),
                );
                TimeZone::UTC
            }
        };
        let mut week = week;
        for (i, day) in week.iter_mut().enumerate() {
            check_day(&mut p, WEEKDAYS[i], day);
        }
        let mut exceptions = exceptions;
        for (date, day) in exceptions.iter_mut() {
            check_day(&mut p, &format!("exception {date}"), day);
        }
        if week.iter().all(Vec::is_empty) {
            p.add("week", "a calendar needs some working time in the week");
        }
        p.finish(Calendar {
            tz,
            week,
            holidays,
            exceptions,
        })
    }

    /// Around the clock, every day: the calendar of 24x7 agreements.
    pub fn always(time_zone: &str) -> Result<Calendar, ValidationError> {
        let all = vec![Interval::new(Time::midnight(), None)];
        Calendar::new(
            time_zone,
            std::array::from_fn(|_| all.clone()),
            BTreeMap::new(),
            BTreeMap::new(),
        )
    }

    /// Around the clock in UTC: the calendar of a clock whose own calendar is gone.
    pub fn always_utc() -> Calendar {
        let all = vec![Interval::new(Time::midnight(), None)];
        Calendar {
            tz: TimeZone::UTC,
            week: std::array::from_fn(|_| all.clone()),
            holidays: BTreeMap::new(),
            exceptions: BTreeMap::new(),
        }
    }

    /// The working intervals of a local date, as instants.
    fn day(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        // An exception is the most specific: it wins over a holiday on the same day.
        let intervals = match self.exceptions.get(&date) {
            Some(hours) => hours,
            None if self.holidays.contains_key(&date) => return Vec::new(),
            None => &self.week[weekday_index(date.weekday())],
        };
        let at = |t: Time| self.instant_of(date.to_datetime(t));
        let midnight_after = || {
            date.tomorrow()
                .ok()
                .and_then(|d| self.instant_of(d.to_datetime(Time::midnight())))
        };
        intervals
            .iter()
            .filter_map(|i| {
                let s = at(i.start)?;
                let e = match i.end {
                    Some(e) => at(e)?,
                    None => midnight_after()?,
                };
                (e > s).then_some((s, e))
            })
            .collect()
    }

    /// The instant of a local time. A time the clocks skipped (a
    /// daylight-saving gap) is the instant they jumped; a time that happened
    /// twice (a fold) is its first occurrence.
    fn instant_of(&self, dt: jiff::civil::DateTime) -> Option<Timestamp> {
        let ambiguous = self.tz.to_ambiguous_timestamp(dt);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { after, .. } => {
                // Read with the later offset, a skipped time falls just before the jump.
                let before_jump = after.to_timestamp(dt).ok()?;
                self.tz.following(before_jump).next().map(|t| t.timestamp())
            }
            _ => ambiguous.compatible().ok(),
        }
    }

    fn local_date(&self, t: Timestamp) -> Date {
        jiff::ZonedDateTime::new(t, self.tz.clone()).date()
    }

    /// The instant `minutes` business minutes after `start`; `None` when the
    /// calendar has no working time left within three years.
    pub fn add(&self, start: Timestamp, minutes: i64) -> Option<Timestamp> {
        self.add_millis(start, minutes.max(0).saturating_mul(60_000))
    }

    /// The instant `millis` business milliseconds after `start`.
    pub fn add_millis(&self, start: Timestamp, millis: i64) -> Option<Timestamp> {
        let mut left = millis.max(0);
        // From the day before: an interval that runs past midnight may still be open.
        let mut date = self.local_date(start).yesterday().ok()?;
        for _ in 0..HORIZON_DAYS {
            for (s, e) in self.day(date) {
                if e <= start {
                    continue;
                }
                let from = s.max(start);
                let available = e.as_millisecond() - from.as_millisecond();
                if left <= available {
                    return from
                        .checked_add(jiff::SignedDuration::from_millis(left))
                        .ok();
                }
                left -= available;
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Business seconds in `[from, to)`; zero when `to` is not after `from`.
    pub fn seconds_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        self.millis_between(from, to) / 1000
    }

    /// Business milliseconds in `[from, to)`.
    pub fn millis_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let Ok(mut date) = self.local_date(from).yesterday() else {
            return 0;
        };
        let last = self.local_date(to);
        while date <= last {
            for (s, e) in self.day(date) {
                let a = s.max(from);
                let b = e.min(to);
                if b > a {
                    total += b.as_millisecond() - a.as_millisecond();
                }
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        total
    }

    /// Business minutes in `[from, to)`, rounded down.
    pub fn minutes_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        self.seconds_between(from, to) / 60
    }

    /// Whether the instant lies in working time.
    pub fn is_working(&self, t: Timestamp) -> bool {
        let date = self.local_date(t);
        [date.yesterday().ok(), Some(date)]
            .into_iter()
            .flatten()
            .any(|d| self.day(d).into_iter().any(|(s, e)| s <= t && t < e))
    }
}

/// A calendar as people write it (API, files): names and text, checked by
/// [`CalendarSpec::check`] into a [`Calendar`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub name: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Working hours per weekday (`monday` .. `sunday`), e.g. `["08:00-12:00", "13:00-17:00"]`;
    /// a day not named is closed; `24:00` ends at midnight.
    #[serde(default)]
    pub week: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Days with their own hours (an empty list: closed that day).
    #[serde(default)]
    pub exceptions: Vec<Exception>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default)]
    pub hours: Vec<String>,
}

/// The weekdays as calendars name them, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl CalendarSpec {
    /// Checks every part and returns the calendar, or every problem at once.
    pub fn check(&self) -> Result<Calendar, ValidationError> {
        let mut p = Problems::default();
        crate::text::required_line(&mut p, "name", &self.name, crate::text::LINE_MAX);
        let hours = |p: &mut Problems, field: &str, list: &[String]| -> Vec<Interval> {
            list.iter()
                .filter_map(|h| match Interval::parse(h) {
                    Some(i) => Some(i),
                    None => {
                        p.add(field, format!("{h:?} is not hours written HH:MM-HH:MM"));
                        None
                    }
                })
                .collect()
        };
        let mut week: [Vec<Interval>; 7] = std::array::from_fn(|_| Vec::new());
        for (day, list) in &self.week {
            match WEEKDAYS.iter().position(|d| d == day) {
                Some(i) => week[i] = hours(&mut p, &format!("week.{day}"), list),
                None => p.add(
                    "week",
                    format!("{day:?} is not a weekday (monday .. sunday)"),
                ),
            }
        }
        let date = |p: &mut Problems, field: &str, s: &str| -> Option<Date> {
            match s.trim().parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    p.add(field, format!("{s:?} is not a date written YYYY-MM-DD"));
                    None
                }
            }
        };
        let mut holidays = BTreeMap::new();
        for h in &self.holidays {
            if let Some(d) = date(&mut p, "holidays", &h.date) {
                holidays.insert(d, h.name.trim().to_owned());
            }
        }
        let mut exceptions = BTreeMap::new();
        for e in &self.exceptions {
            if let Some(d) = date(&mut p, "exceptions", &e.date) {
                exceptions.insert(d, hours(&mut p, "exceptions", &e.hours));
            }
        }
        let checked = Calendar::new(&self.time_zone, week, holidays, exceptions);
        p.finish_with(checked.map_err(|mut e| {
            for f in e.0.iter_mut() {
                if WEEKDAYS.contains(&f.field.as_str()) {
                    f.field = format!("week.{}", f.field);
                } else if f.field.starts_with("exception ") {
                    f.field = "exceptions".into();
                }
            }
            e
        }))
    }
}

fn check_day(p: &mut Problems, name: &str, day: &mut [Interval]) {
    day.sort();
    for i in day.iter() {
        if !i.ends_after_start() {
            p.add(
                name,
                format!("{}: an interval must end after it starts", show(i)),
            );
        }
    }
    for w in day.windows(2) {
        if w[0].end.is_none_or(|e| e > w[1].start) {
            p.add(name, format!("{} overlaps {}", show(&w[0]), show(&w[1])));
        }
    }
}

fn show(i: &Interval) -> String {
    format!(
        "{}-{}",
        i.start.strftime("%H:%M"),
        i.end
            .map(|e| e.strftime("%H:%M").to_string())
            .unwrap_or_else(|| "24:00".into())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn office(tz: &str, holidays: &[(&str, &str)]) -> Calendar {
        let day = vec![
            Interval::parse("08:00-12:00").unwrap(),
            Interval::parse("13:00-17:00").unwrap(),
        ];
        let mut week: [Vec<Interval>; 7] = std::array::from_fn(|_| Vec::new());
        for d in week.iter_mut().take(5) {
            *d = day.clone();
        }
        Calendar::new(
            tz,
            week,
            holidays
                .iter()
                .map(|(d, n)| (d.parse().unwrap(), (*n).to_owned()))
                .collect(),
            BTreeMap::new(),
        )
        .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn berlin_across_the_march_change_and_easter() {
        let cal = office(
            "Europe/Berlin",
            &[
                ("2026-04-03", "Good Friday"),
                ("2026-04-06", "Easter Monday"),
            ],
        );
        // Thursday 16:00 CET + 16 h: Thu 1 h, Fri 8 h, then Monday after the
        // change to CEST: 08-12, 13-16. Due Monday 16:00 CEST = 14:00 UTC.
        let due = cal.add(at("2026-03-26T15:00:00Z"), 16 * 60).unwrap();
        assert_eq!(due, at("2026-03-30T14:00:00Z"));
        assert_eq!(
            cal.minutes_between(at("2026-03-26T15:00:00Z"), due),
            16 * 60
        );
        // Thursday before Easter 15:00 CEST + 10 h: Thu 2 h, Good Friday and
        // Easter Monday closed, Tuesday 8 h. Due Tuesday 17:00 CEST.
        let due = cal.add(at("2026-04-02T13:00:00Z"), 10 * 60).unwrap();
        assert_eq!(due, at("2026-04-07T15:00:00Z"));
        // Started out of hours: the clock runs from the next opening.
        let due = cal.add(at("2026-03-28T10:00:00Z"), 30).unwrap();
        assert_eq!(due, at("2026-03-30T06:30:00Z"));
    }

    #[test]
    fn hours_that_start_in_the_skipped_hour_start_when_the_clocks_jump() {
        // New York, Sunday 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        let mut week: [Vec<Interval>; 7] = std::array::from_fn(|_| Vec::new());
        week[6] = vec![
            Interval::parse("01:00-02:30").unwrap(),
            Interval::parse("02:45-04:00").unwrap(),
        ];
        let cal =
            Calendar::new("America/New_York", week, BTreeMap::new(), BTreeMap::new()).unwrap();
        let a = at("2026-03-08T00:00:00Z");
        let b = at("2026-03-09T00:00:00Z");
        // 01:00-02:00 EST is one hour; the skipped 02:00-03:00 counts nothing;
        // 03:00-04:00 EDT is one hour, counted once.
        assert_eq!(cal.minutes_between(a, b), 120);
        assert_eq!(
            cal.add(at("2026-03-08T06:00:00Z"), 60),
            Some(at("2026-03-08T07:00:00Z"))
        );
        assert_eq!(
            cal.add(at("2026-03-08T06:00:00Z"), 61),
            Some(at("2026-03-08T07:01:00Z"))
        );
    }

    #[test]
    fn an_exception_wins_over_a_holiday() {
        let mut cal = office("Europe/London", &[("2026-12-24", "Christmas Eve")]);
        cal.exceptions.insert(
            "2026-12-24".parse().unwrap(),
            vec![Interval::parse("09:00-12:00").unwrap()],
        );
        let a = at("2026-12-24T00:00:00Z");
        assert_eq!(cal.minutes_between(a, at("2026-12-25T00:00:00Z")), 180);
    }

    #[test]
    fn a_day_around_the_clock_is_23_hours_when_the_clocks_go_forward() {
        let cal = Calendar::always("Europe/Berlin").unwrap();
        let a = at("2026-03-28T23:00:00Z"); // Sunday 00:00 CET
        let b = at("2026-03-29T22:00:00Z"); // Monday 00:00 CEST
        assert_eq!(cal.minutes_between(a, b), 23 * 60);
        assert_eq!(cal.add(a, 23 * 60), Some(b));
    }

    #[test]
    fn bad_calendars_are_refused_with_every_reason() {
        let mut week: [Vec<Interval>; 7] = std::array::from_fn(|_| Vec::new());
        week[0] = vec![
            Interval::parse("08:00-12:00").unwrap(),
            Interval::parse("11:00-13:00").unwrap(),
        ];
        week[1] = vec![Interval::parse("17:00-09:00").unwrap()];
        let e = Calendar::new("Mars/Olympus", week, BTreeMap::new(), BTreeMap::new()).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["time_zone", "monday", "tuesday"]);
        let empty: [Vec<Interval>; 7] = std::array::from_fn(|_| Vec::new());
        let e = Calendar::new("UTC", empty, BTreeMap::new(), BTreeMap::new()).unwrap_err();
        assert_eq!(e.0[0].field, "week");
    }

    #[test]
    fn a_spec_is_checked_field_by_field() {
        let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
            "name": "Berlin office",
            "time_zone": "Europe/Berlin",
            "week": {"monday": ["08:00-12:00", "13:00-17:00"], "friday": ["08:00-14:00"]},
            "holidays": [{"date": "2026-04-03", "name": "Good Friday"}],
            "exceptions": [{"date": "2026-12-24", "hours": ["09:00-12:00"]}]
        }))
        .unwrap();
        let cal = spec.check().unwrap();
        assert_eq!(
            cal.minutes_between(at("2026-04-03T00:00:00Z"), at("2026-04-04T00:00:00Z")),
            0
        );
        let bad: CalendarSpec = serde_json::from_value(serde_json::json!({
            "name": "",
            "time_zone": "Europe/Berlin",
            "week": {"funday": ["08:00-12:00"], "monday": ["8-12", "10:00-09:00"]},
            "holidays": [{"date": "2026-02-30"}]
        }))
        .unwrap();
        let e = bad.check().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "week", "week.monday", "holidays", "week.monday"],
            "{e:?}"
        );
    }

    #[test]
    fn an_exception_replaces_the_day() {
        let mut cal = office("Europe/London", &[]);
        cal.exceptions.insert(
            "2026-12-24".parse().unwrap(),
            vec![Interval::parse("09:00-12:00").unwrap()],
        );
        // Thursday 24 December: 09:00-12:00 only.
        let a = at("2026-12-24T00:00:00Z");
        let b = at("2026-12-25T00:00:00Z");
        assert_eq!(cal.minutes_between(a, b), 180);
    }

    /// Minute by minute: the slow, obviously right version.
    fn reference_add(cal: &Calendar, start: Timestamp, minutes: i64) -> Timestamp {
        let mut t = start;
        let mut left = minutes;
        let minute = jiff::SignedDuration::from_secs(60);
        loop {
            if left == 0 && cal.is_working(t) {
                return t;
            }
            if cal.is_working(t) {
                left -= 1;
            }
            t = t.checked_add(minute).unwrap();
            if left == 0 && !cal.is_working(t) {
                // Finished exactly at the end of an interval.
                return t;
            }
        }
    }

    fn cal_strategy() -> impl Strategy<Value = Calendar> {
        prop_oneof![
            Just(office(
                "Europe/Berlin",
                &[("2026-03-30", "x"), ("2026-10-26", "y")]
            )),
            Just(office(
                "America/New_York",
                &[("2026-11-26", "Thanksgiving")]
            )),
            Just(Calendar::always("Europe/London").unwrap()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn adding_then_measuring_gives_back_the_minutes(
            cal in cal_strategy(),
            // 2026-03-20 .. 2026-11-30 in whole minutes: both daylight-saving changes.
            start in 0i64..368_000,
            minutes in 0i64..3_000,
        ) {
            let t0 = at("2026-03-20T00:00:00Z")
                .checked_add(jiff::SignedDuration::from_secs(start * 60))
                .unwrap();
            let due = cal.add(t0, minutes).unwrap();
            prop_assert_eq!(cal.minutes_between(t0, due), minutes);
            prop_assert!(due >= t0);
            // Monotonic: a longer target is never due earlier.
            let later = cal.add(t0, minutes + 1).unwrap();
            prop_assert!(later > due);
        }

        #[test]
        fn agrees_with_the_minute_by_minute_reference(
            cal in cal_strategy(),
            start in 0i64..368_000,
            minutes in 1i64..600,
        ) {
            let t0 = at("2026-03-20T00:00:00Z")
                .checked_add(jiff::SignedDuration::from_secs(start * 60))
                .unwrap();
            prop_assert_eq!(cal.add(t0, minutes).unwrap(), reference_add(&cal, t0, minutes));
        }

        #[test]
        fn a_pause_never_brings_the_due_time_forward(
            cal in cal_strategy(),
            start in 0i64..368_000,
            minutes in 1i64..2_000,
            pause in 0i64..5_000,
            spent in 0i64..2_000,
        ) {
            // Run `spent` minutes, pause for `pause` wall minutes, then run the rest.
            let t0 = at("2026-03-20T00:00:00Z")
                .checked_add(jiff::SignedDuration::from_secs(start * 60))
                .unwrap();
            let spent = spent.min(minutes);
            let paused_at = cal.add(t0, spent).unwrap();
            let resumed = paused_at
                .checked_add(jiff::SignedDuration::from_secs(pause * 60))
                .unwrap();
            let due = cal.add(resumed, minutes - spent).unwrap();
            prop_assert!(due >= cal.add(t0, minutes).unwrap());
        }
    }
}
