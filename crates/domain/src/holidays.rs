//! Holidays brought into a business calendar from a file: an iCalendar file
//! (RFC 5545, as public-holiday feeds publish them) or CSV (`date,name`).
//! Every problem is named with where it is; nothing is taken from a file
//! that has one.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::calendar::{CalendarSpec, Holiday};
use crate::error::{Problems, ValidationError};

/// The most holidays one file may bring (decades of public holidays).
pub const MAX_HOLIDAYS: usize = 2_000;

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayFile {
    ICalendar,
    Csv,
}

impl HolidayFile {
    /// From a media type (`text/calendar`, `text/csv`) or a file name's extension.
    pub fn detect(content_type: &str, file_name: &str) -> Option<HolidayFile> {
        let ct = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let name = file_name.to_ascii_lowercase();
        if ct == "text/calendar" || name.ends_with(".ics") || name.ends_with(".ical") {
            Some(HolidayFile::ICalendar)
        } else if ct == "text/csv" || name.ends_with(".csv") {
            Some(HolidayFile::Csv)
        } else {
            None
        }
    }
}

/// The holidays in a file, one per date (a multi-day event gives each of its days).
pub fn parse(kind: HolidayFile, text: &str) -> Result<Vec<Holiday>, ValidationError> {
    match kind {
        HolidayFile::ICalendar => from_ics(text),
        HolidayFile::Csv => from_csv(text),
    }
}

fn name_of(raw: &str) -> String {
    let name: String = raw.chars().filter(|c| !c.is_control()).take(200).collect();
    name.trim().to_owned()
}

fn from_csv(text: &str) -> Result<Vec<Holiday>, ValidationError> {
    let mut p = Problems::default();
    let mut out = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    for (n, record) in reader.records().enumerate() {
        let Ok(record) = record else {
            p.add("file", format!("record {} is not CSV", n + 1));
            continue;
        };
        let line = record.position().map_or(n as u64 + 1, |pos| pos.line());
        let date = record.get(0).unwrap_or("");
        if line == 1 && date.eq_ignore_ascii_case("date") {
            continue;
        }
        if date.is_empty() && record.iter().all(str::is_empty) {
            continue;
        }
        match date.parse::<Date>() {
            Ok(d) => out.push(Holiday {
                date: d.to_string(),
                name: name_of(record.get(1).unwrap_or("")),
            }),
            Err(_) => p.add(
                "file",
                format!("line {line}: {date:?} is not a date written YYYY-MM-DD"),
            ),
        }
    }
    finish(p, out)
}

/// Unfolds RFC 5545 content lines (a line starting with a space or tab
/// continues the one before).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = lines.last_mut()
        {
            last.1.push_str(rest);
        } else if !raw.is_empty() {
            lines.push((n + 1, raw.to_owned()));
        }
    }
    lines
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A DTSTART/DTEND value: `YYYYMMDD`, or a date-time whose date is taken.
fn ics_date(v: &str) -> Option<Date> {
    let d = v.get(..8)?;
    if !d.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Date::new(
        d[..4].parse().ok()?,
        d[4..6].parse().ok()?,
        d[6..8].parse().ok()?,
    )
    .ok()
}

/// A VEVENT being read: the line it began on, its dates, name, and whether it repeats.
#[derive(Default)]
struct Event {
    at: usize,
    start: Option<Date>,
    end: Option<Date>,
    summary: String,
    recurring: bool,
}

fn from_ics(text: &str) -> Result<Vec<Holiday>, ValidationError> {
    let mut p = Problems::default();
    let mut out = Vec::new();
    let lines = unfold(text.strip_prefix('\u{feff}').unwrap_or(text));
    if !lines
        .first()
        .is_some_and(|(_, l)| l.eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(ValidationError::single(
            "file",
            "is not an iCalendar file (it must begin with BEGIN:VCALENDAR)",
        ));
    }
    let mut event: Option<Event> = None;
    let mut ended = false;
    for (line, l) in &lines {
        let (head, value) = split_content_line(l);
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        match (name.as_str(), value.to_ascii_uppercase().as_str()) {
            ("BEGIN", "VEVENT") => {
                if let Some(open) = &event {
                    p.add(
                        "file",
                        format!("the event at line {} has no END:VEVENT", open.at),
                    );
                }
                event = Some(Event {
                    at: *line,
                    ..Event::default()
                })
            }
            ("END", "VCALENDAR") => ended = true,
            ("END", "VEVENT") => {
                let Some(Event {
                    at,
                    start,
                    end,
                    summary,
                    recurring,
                }) = event.take()
                else {
                    continue;
                };
                let Some(start) = start else {
                    p.add(
                        "file",
                        format!("the event at line {at} has no DTSTART date"),
                    );
                    continue;
                };
                if recurring {
                    p.add(
                        "file",
                        format!(
                            "the event at line {at} ({summary}) repeats (RRULE); give each date as its own event"
                        ),
                    );
                    continue;
                }
                // DTEND of an all-day event is the day after its last day.
                let last = end
                    .and_then(|e| e.yesterday().ok())
                    .filter(|e| *e > start)
                    .unwrap_or(start);
                if last.since(start).map(|s| s.get_days()).unwrap_or(0) > 31 {
                    p.add(
                        "file",
                        format!("the event at line {at} ({summary}) lasts more than a month"),
                    );
                    continue;
                }
                let mut d = start;
                while d <= last {
                    out.push(Holiday {
                        date: d.to_string(),
                        name: summary.clone(),
                    });
                    match d.tomorrow() {
                        Ok(n) => d = n,
                        Err(_) => break,
                    }
                }
            }
            _ => {
                if let Some(ev) = event.as_mut() {
                    match name.as_str() {
                        "DTSTART" => match ics_date(value) {
                            Some(d) => ev.start = Some(d),
                            None => p.add(
                                "file",
                                format!("line {line}: {value:?} is not an iCalendar date"),
                            ),
                        },
                        "DTEND" => match ics_date(value) {
                            Some(d) => ev.end = Some(d),
                            None => p.add(
                                "file",
                                format!("line {line}: {value:?} is not an iCalendar date"),
                            ),
                        },
                        "SUMMARY" => ev.summary = name_of(&unescape(value)),
                        "RRULE" => ev.recurring = true,
                        _ => {}
                    }
                }
            }
        }
    }
    if let Some(open) = &event {
        p.add(
            "file",
            format!("the event at line {} has no END:VEVENT", open.at),
        );
    }
    if !ended {
        p.add(
            "file",
            "ends without END:VCALENDAR: it may have been cut off",
        );
    }
    finish(p, out)
}

/// A content line's name and parameters, and its value: the first `:` that
/// is not inside a quoted parameter value.
fn split_content_line(l: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in l.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return (&l[..i], &l[i + 1..]),
            _ => {}
        }
    }
    (l, "")
}

fn finish(p: Problems, out: Vec<Holiday>) -> Result<Vec<Holiday>, ValidationError> {
    let mut p = p;
    if out.is_empty() && p.count() == 0 {
        p.add("file", "holds no holidays");
    }
    if out.len() > MAX_HOLIDAYS {
        p.add(
            "file",
            format!(
                "holds {} holidays; at most {MAX_HOLIDAYS} at a time",
                out.len()
            ),
        );
    }
    // One per date: a later entry for the same day wins.
    let by_date: BTreeMap<String, Holiday> = out.into_iter().map(|h| (h.date.clone(), h)).collect();
    p.finish(by_date.into_values().collect())
}

/// The spec with `imported` holidays added (a holiday on a date already in
/// the calendar takes its name), or in place of all holidays when `replace`.
pub fn merge(spec: &CalendarSpec, imported: Vec<Holiday>, replace: bool) -> CalendarSpec {
    let mut by_date: BTreeMap<String, Holiday> = if replace {
        BTreeMap::new()
    } else {
        spec.holidays
            .iter()
            .map(|h| (h.date.clone(), h.clone()))
            .collect()
    };
    for h in imported {
        by_date.insert(h.date.clone(), h);
    }
    CalendarSpec {
        holidays: by_date.into_values().collect(),
        ..spec.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261226\r\nSUMMARY:Christmas Day\r\nUID:a\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261228\r\nDTEND;VALUE=DATE:20261230\r\nSUMMARY:Boxing Day\\, and the day\r\n  after\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn icalendar_days_with_their_names() {
        let h = parse(HolidayFile::ICalendar, ICS).unwrap();
        let got: Vec<(&str, &str)> = h
            .iter()
            .map(|h| (h.date.as_str(), h.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-12-25", "Christmas Day"),
                ("2026-12-28", "Boxing Day, and the day after"),
                ("2026-12-29", "Boxing Day, and the day after"),
            ]
        );
    }

    #[test]
    fn byte_order_marks_and_quoted_parameters() {
        let ics = format!(
            "\u{feff}{}",
            ICS.replace(
                "DTSTART;VALUE=DATE:20261225",
                "DTSTART;TZID=\"(UTC+01:00) Amsterdam\":20261225T000000"
            )
        );
        let h = parse(HolidayFile::ICalendar, &ics).unwrap();
        assert_eq!(h[0].date, "2026-12-25");
    }

    #[test]
    fn csv_with_or_without_a_header() {
        let h = parse(
            HolidayFile::Csv,
            "date,name\n2027-01-01,New Year's Day\n\n2027-04-02, Good Friday \n",
        )
        .unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].name, "Good Friday");
        assert_eq!(parse(HolidayFile::Csv, "2027-05-03").unwrap()[0].name, "");
    }

    #[test]
    fn bad_files_are_refused_with_where() {
        let e = parse(HolidayFile::Csv, "2027-01-01,ok\n01/04/2027,bad\n").unwrap_err();
        assert!(e.0[0].message.contains("line 2"), "{e:?}");
        assert!(parse(HolidayFile::ICalendar, "hello").is_err());
        let rrule = ICS.replace("UID:a", "RRULE:FREQ=YEARLY");
        let e = parse(HolidayFile::ICalendar, &rrule).unwrap_err();
        assert!(e.0[0].message.contains("repeats"), "{e:?}");
        assert!(parse(HolidayFile::Csv, "").is_err());
        let cut = &ICS[..ICS.find("END:VCALENDAR").unwrap()];
        assert!(parse(HolidayFile::ICalendar, cut).is_err());
        let unended = ICS.replacen("END:VEVENT\r\n", "", 1);
        let e = parse(HolidayFile::ICalendar, &unended).unwrap_err();
        assert!(e.0[0].message.contains("no END:VEVENT"), "{e:?}");
        assert_eq!(
            HolidayFile::detect("application/octet-stream", "uk.ICS"),
            Some(HolidayFile::ICalendar)
        );
        assert_eq!(HolidayFile::detect("text/plain", "x.txt"), None);
    }

    #[test]
    fn merge_adds_or_replaces() {
        let spec = CalendarSpec {
            holidays: vec![
                Holiday {
                    date: "2026-12-25".into(),
                    name: "Xmas".into(),
                },
                Holiday {
                    date: "2026-05-01".into(),
                    name: "May Day".into(),
                },
            ],
            ..Default::default()
        };
        let imported = parse(HolidayFile::ICalendar, ICS).unwrap();
        let merged = merge(&spec, imported.clone(), false);
        assert_eq!(merged.holidays.len(), 4);
        assert_eq!(merged.holidays[1].name, "Christmas Day");
        assert_eq!(merge(&spec, imported, true).holidays.len(), 3);
    }
}
