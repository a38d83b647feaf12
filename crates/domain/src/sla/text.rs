//! Clocks in words and months: durations as people say them, instants for
//! the history, the months of a report.

use jiff::civil::Date;

use super::*;
use crate::UtcMillis;

/// The `n` calendar months (UTC) ending with the month of `last`, oldest
/// first, as (`YYYY-MM`, first instant, first instant of the next month).
pub fn report_months(last: Date, n: u32) -> Vec<(String, UtcMillis, UtcMillis)> {
    let first = last.first_of_month();
    let ms = |d: Date| {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .ok()
    };
    (0..n.clamp(1, 120))
        .rev()
        .filter_map(|k| {
            let start = first.checked_sub(jiff::Span::new().months(k)).ok()?;
            let end = start.checked_add(jiff::Span::new().months(1)).ok()?;
            Some((start.strftime("%Y-%m").to_string(), ms(start)?, ms(end)?))
        })
        .collect()
}

/// An instant as ISO 8601 UTC, for the history; empty for none.
pub fn instant_text(ms: Option<UtcMillis>) -> String {
    ms.and_then(ts).map(|t| t.to_string()).unwrap_or_default()
}

pub(super) fn day_of(ms: UtcMillis) -> Date {
    ts(ms)
        .map(|t| jiff::ZonedDateTime::new(t, jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default()
}

/// Minutes as people say them: "2 h 15 min", "-5 min"; from two days on in
/// days and hours ("3 d 4 h"), where minutes no longer matter.
pub fn minutes_text(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    if m >= 2 * 1440 {
        return match (m / 1440, m % 1440 / 60) {
            (d, 0) => format!("{sign}{d} d"),
            (d, h) => format!("{sign}{d} d {h} h"),
        };
    }
    match (m / 60, m % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m} min"),
    }
}

pub(super) fn target_text(c: &SlaClock) -> String {
    format!(
        "{} P{}: {}",
        c.agreement,
        c.priority,
        minutes_text(c.target_minutes)
    )
}
