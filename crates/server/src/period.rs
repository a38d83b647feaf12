//! Periods and days as reports count them: UTC days and months, in
//! milliseconds, and shares written for people. One place for the review
//! pack, the service reports and the audits.

use jiff::civil::Date;

/// `good` of `of` in percent with one decimal (`"93.1%"`), or `"no data"`.
pub fn percent(good: i64, of: i64) -> String {
    if of == 0 {
        "no data".to_owned()
    } else {
        format!("{:.1}%", good as f64 * 100.0 / of as f64)
    }
}

/// The first millisecond of the day `d` (UTC).
pub fn start_ms(d: Date) -> i64 {
    jiff::tz::TimeZone::UTC
        .to_timestamp(d.at(0, 0, 0, 0))
        .map(|t| t.as_millisecond())
        .unwrap_or_default()
}

/// The months of `[from, to]`: (`YYYY-MM`, first ms, end ms), cut to the period.
pub fn months(from: Date, to: Date) -> Vec<(String, i64, i64)> {
    let end = start_ms(to.tomorrow().unwrap_or(to));
    let mut out = Vec::new();
    let mut m = from.first_of_month();
    while m <= to && out.len() < 36 {
        let next = m.last_of_month().tomorrow().unwrap_or(m);
        out.push((
            m.strftime("%Y-%m").to_string(),
            start_ms(m.max(from)),
            start_ms(next).min(end),
        ));
        if next == m {
            break;
        }
        m = next;
    }
    out
}

/// The months of `[from, to]` that began before `until` (ms), the last cut there.
pub fn months_until(from: Date, to: Date, until: i64) -> Vec<(String, i64, i64)> {
    months(from, to)
        .into_iter()
        .filter(|(_, s, _)| *s < until)
        .map(|(m, s, e)| (m, s, e.min(until)))
        .collect()
}

/// The first millisecond of `from` and of the day after `to` (UTC).
pub fn day_span_ms(from: Date, to: Date) -> (i64, i64) {
    (start_ms(from), start_ms(to.tomorrow().unwrap_or(to)))
}

/// The UTC day of a moment, `YYYY-MM-DD`; empty for none.
pub fn day_of(ms: Option<i64>) -> String {
    ms.and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_splits_into_its_months() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let m = months(d("2026-07-15"), d("2026-09-30"));
        let names: Vec<&str> = m.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["2026-07", "2026-08", "2026-09"]);
        assert_eq!(m[0].1, start_ms(d("2026-07-15")));
        assert_eq!(m[2].2, start_ms(d("2026-10-01")));
        assert_eq!(m[0].2, m[1].1);
    }
}
