//! Management reviews (ISO/IEC 20000-1 9.3): top management reviews the SMS
//! over a period, from an input pack Steward compiles from its own records as
//! of the review's day; the review records who attended, the minutes and the
//! decisions, and its actions ([`crate::action`]) carry the decisions forward.
//!
//! ```text
//! planned ─hold (minutes)─▶ held ─close (once decisions are recorded)─▶ closed
//!    └─cancel (reason)─▶ cancelled
//! ```

use jiff::civil::Date;

use crate::error::ValidationError;
use crate::kind::{StateMachine, StepSpec};
use crate::{RuleError, UtcMillis};

crate::lifecycle! {
    /// Where a management review is.
    pub enum ReviewState of "management review" {
        Planned => ("planned", "Planned", "planned", New, ["hold", "cancel"]),
        Held => ("held", "Held", "held", Resolved, ["close"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps of a review as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "hold",
        label: "Record it as held",
        text: Some(("minutes", "Minutes of the review")),
        danger: false,
    },
    StepSpec {
        action: "close",
        label: "Close",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel",
        text: Some(("reason", "Why it is cancelled")),
        danger: true,
    },
];

/// The part of a review its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewLife {
    pub minutes: Option<String>,
    pub held_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
    pub closed_at: Option<UtcMillis>,
}

/// Applies the step `action` (with the text it records) at `now` to a review
/// in `state` whose decisions are `decisions`, or says why not.
pub fn apply(
    state: ReviewState,
    life: &ReviewLife,
    decisions: Option<&str>,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(ReviewState, ReviewLife), RuleError> {
    use ReviewState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "hold" => {
            next.minutes = text;
            next.held_at = Some(now);
            Held
        }
        "close" => {
            if decisions.is_none_or(|d| d.trim().is_empty()) {
                return Err(ValidationError::single(
                    "decisions",
                    "record the review's decisions before closing it",
                )
                .into());
            }
            next.closed_at = Some(now);
            Closed
        }
        "cancel" => {
            next.cancelled_reason = text;
            next.closed_at = Some(now);
            Cancelled
        }
        _ => return Err(state.refuse(action).into()),
    };
    Ok((to, next))
}

/// A period as people name it: a quarter (`2026-Q3`), a month (`2026-07`),
/// a year (`2026`) or two days (`2026-07-01..2026-09-30`); its first and
/// last day. A period that ends before it starts is refused.
pub fn parse_period(field: &str, typed: &str) -> Result<(Date, Date), ValidationError> {
    let t = typed.trim();
    let bad = || {
        ValidationError::single(
            field,
            "must be a quarter (2026-Q3), a month (2026-07), a year (2026) or two days (2026-07-01..2026-09-30)",
        )
    };
    let month_end = |y: i16, m: i8| -> Result<Date, ValidationError> {
        let first = Date::new(y, m, 1).map_err(|_| bad())?;
        Ok(first.last_of_month())
    };
    let (from, to) = if let Some((a, b)) = t.split_once("..") {
        (
            a.trim().parse::<Date>().map_err(|_| bad())?,
            b.trim().parse::<Date>().map_err(|_| bad())?,
        )
    } else if let Some((y, q)) = t
        .split_once(['-', ' '])
        .filter(|(_, q)| q.starts_with(['Q', 'q']))
    {
        let y: i16 = y.parse().map_err(|_| bad())?;
        let q: i8 = q[1..].parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) {
            return Err(bad());
        }
        let first = Date::new(y, (q - 1) * 3 + 1, 1).map_err(|_| bad())?;
        (first, month_end(y, q * 3)?)
    } else if let Some((y, m)) = t.split_once('-') {
        let (y, m): (i16, i8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        (Date::new(y, m, 1).map_err(|_| bad())?, month_end(y, m)?)
    } else {
        let y: i16 = t.parse().map_err(|_| bad())?;
        (
            Date::new(y, 1, 1).map_err(|_| bad())?,
            Date::new(y, 12, 31).map_err(|_| bad())?,
        )
    };
    if to < from {
        return Err(ValidationError::single(
            field,
            format!("the period ends ({to}) before it starts ({from})"),
        ));
    }
    Ok((from, to))
}

/// The one way to write the period `[from, to]`: `2026-11` for a whole
/// month, `2026-Q3` for a whole quarter, `2026` for a whole year, else
/// `2026-07-01..2026-09-15`; however it was typed (`2026-q3`, `2026 Q3`,
/// `+2026-011`), the same period gets the same label.
pub fn period_label(from: Date, to: Date) -> String {
    let whole_months = from.day() == 1 && to == to.last_of_month() && from.year() == to.year();
    if whole_months {
        let months = to.month() - from.month() + 1;
        if months == 1 {
            return format!("{:04}-{:02}", from.year(), from.month());
        }
        if months == 3 && (from.month() - 1) % 3 == 0 {
            return format!("{:04}-Q{}", from.year(), (from.month() - 1) / 3 + 1);
        }
        if months == 12 {
            return format!("{:04}", from.year());
        }
    }
    format!("{from}..{to}")
}

/// The month before the one `day` is in, as `YYYY-MM`.
pub fn month_before(day: Date) -> String {
    let first = day.first_of_month();
    let last = first.yesterday().unwrap_or(first);
    format!("{:04}-{:02}", last.year(), last.month())
}

/// [`month_before`] of a day written `YYYY-MM-DD` (the epoch's when it is not one).
pub fn month_before_day(day: &str) -> String {
    month_before(day.parse().unwrap_or(jiff::civil::date(1970, 1, 1)))
}

/// The inputs a management review considers that Steward cannot know: a
/// section of the pack each, left for the people to fill.
pub const FOR_PEOPLE: &[&str] = &[
    "Changes in external and internal issues not yet in the context register",
    "Feedback from interested parties beyond complaints and ratings",
    "Adequacy of resources (people, technical, information, financial)",
    "Performance of suppliers and other parties involved in the services",
    "Opportunities for improvement raised at the review",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_has_one_label_however_it_was_typed() {
        let label = |t: &str| {
            let (a, b) = parse_period("p", t).unwrap();
            period_label(a, b)
        };
        for t in ["2026-11", "2026-011", "+2026-11", "2026-11-01..2026-11-30"] {
            assert_eq!(label(t), "2026-11", "{t}");
        }
        for t in ["2026-Q3", "2026-q3", "2026 Q3", "2026-07-01..2026-09-30"] {
            assert_eq!(label(t), "2026-Q3", "{t}");
        }
        assert_eq!(label("2026"), "2026");
        assert_eq!(label("2026-02-01..2026-04-30"), "2026-02-01..2026-04-30");
        assert_eq!(label("2026-07-01..2026-09-15"), "2026-07-01..2026-09-15");
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(month_before(d("2026-12-03")), "2026-11");
        assert_eq!(month_before(d("2027-01-01")), "2026-12");
    }
    use crate::kind::parse_step;

    #[test]
    fn periods_read_as_quarters_months_years_and_ranges() {
        let p = |s: &str| parse_period("period", s).map(|(a, b)| format!("{a}..{b}"));
        assert_eq!(p("2026-Q3").unwrap(), "2026-07-01..2026-09-30");
        assert_eq!(p("2026-q1").unwrap(), "2026-01-01..2026-03-31");
        assert_eq!(p("2026-02").unwrap(), "2026-02-01..2026-02-28");
        assert_eq!(p("2026").unwrap(), "2026-01-01..2026-12-31");
        assert_eq!(
            p(" 2026-07-01..2026-07-15 ").unwrap(),
            "2026-07-01..2026-07-15"
        );
        let e = p("2026-09-30..2026-07-01").unwrap_err().to_string();
        assert!(e.contains("ends (2026-07-01) before it starts"), "{e}");
        for bad in ["2026-Q5", "2026-13", "soon", "", "2026-07-01..x"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_review_is_held_with_its_minutes_and_closed_once_its_decisions_are_recorded() {
        use ReviewState::*;
        let take = |s: ReviewState, decisions: Option<&str>, action: &str, text: Option<&str>| {
            let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
            apply(s, &ReviewLife::default(), decisions, spec.action, text, 7)
                .map_err(|e| e.to_string())
        };
        assert!(take(Planned, None, "hold", None).is_err());
        let (s, life) = take(Planned, None, "hold", Some("Reviewed the pack")).unwrap();
        assert_eq!((s, life.held_at), (Held, Some(7)));
        let e = take(Held, Some(" "), "close", None).unwrap_err();
        assert!(e.contains("decisions"), "{e}");
        assert_eq!(
            take(Held, Some("Hire a second on-call engineer"), "close", None)
                .unwrap()
                .0,
            Closed
        );
        assert!(take(Planned, None, "close", None).is_err());
    }
}
