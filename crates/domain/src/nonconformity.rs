//! Nonconformities (ISO/IEC 20000-1 10.1): a requirement not met, found by an
//! audit, a complaint, a breached service level or anyone, recorded with what
//! was done at once (the correction), why it happened (the root cause) and the
//! corrective actions that remove the cause ([`crate::action`]).
//!
//! ```text
//! new ─investigate─▶ investigating ─close─▶ closed
//!  └──────reject──────────┴──▶ rejected
//! ```
//!
//! A nonconformity closes once its correction and root cause are recorded and
//! none of its corrective actions is still open: an action stays open until
//! its effectiveness is reviewed.

use crate::RuleError;
use crate::UtcMillis;
use crate::error::Problems;
use crate::kind::{StateMachine, StepSpec};
use crate::text::{BODY_MAX, optional_body};

crate::lifecycle! {
    /// Where a nonconformity is in its handling.
    pub enum NonconformityState of "nonconformity" {
        New => ("new", "New", "new", New, ["investigate", "reject"]),
        Investigating => ("investigating", "Investigating", "being investigated", Active,
            ["close", "reject"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Rejected => ("rejected", "Rejected", "rejected", Cancelled, []),
    }
}

/// The steps of a nonconformity as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "investigate",
        label: "Start the investigation",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "close",
        label: "Close (cause removed)",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "reject",
        label: "Reject (not a nonconformity)",
        text: Some(("reason", "Why it is not a nonconformity")),
        danger: true,
    },
];

crate::code_enum! {
    /// Where a nonconformity was found.
    pub enum Source {
        Finding => ("finding", "Audit finding"),
        Complaint => ("complaint", "Complaint"),
        SlaBreach => ("sla_breach", "Service level breach"),
        Review => ("review", "Management review"),
        Other => ("other", "Raised by hand"),
    }
}

crate::code_enum! {
    /// How much a nonconformity weighs on the SMS.
    pub enum Severity {
        Major => ("major", "Major"),
        Minor => ("minor", "Minor"),
    }
}

crate::code_enum! {
    /// The kind of cause found, so that causes recurring across
    /// nonconformities show.
    pub enum CauseCategory {
        People => ("people", "People (skills, awareness, workload)"),
        Process => ("process", "Process (missing, unclear or not followed)"),
        Technology => ("technology", "Technology (tools, infrastructure)"),
        Supplier => ("supplier", "Supplier or other party"),
        Information => ("information", "Information (documents, data)"),
        External => ("external", "External event"),
    }
}

/// How far back a cause counts as recurring: a nonconformity with the same
/// clause or cause category opened within this many days of another.
pub const RECURRING_DAYS: i64 = 365;

/// What a nonconformity records besides the shared fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    pub severity: Severity,
    /// The requirement not met, a clause of the catalogue (`8.6.1`).
    pub clause: Option<String>,
}

/// The part of a nonconformity people write as they handle it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// What was done at once to contain it.
    pub correction: Option<String>,
    /// Why it happened (five whys, or a cause found another way).
    pub root_cause: Option<String>,
    pub cause_category: Option<CauseCategory>,
}

/// The part of a nonconformity its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NonconformityLife {
    pub rejected_reason: Option<String>,
    pub closed_at: Option<UtcMillis>,
}

/// The requirement `clause` names, as the catalogue spells it.
pub fn parse_clause(p: &mut Problems, field: &str, clause: &str) -> Option<String> {
    let clause = clause.trim();
    if clause.is_empty() {
        return None;
    }
    match crate::conformity::catalogue::catalogue().requirement(clause) {
        Some(r) => Some(r.clause.clone()),
        None => {
            p.add(
                field,
                format!("{clause:?} is not a requirement of clauses 4 to 10 (e.g. 8.6.1)"),
            );
            None
        }
    }
}

/// A code of `T` typed by a person, or what is wrong with it.
pub fn parse_code<T: Copy>(
    p: &mut Problems,
    field: &str,
    typed: &str,
    parse: fn(&str) -> Option<T>,
    codes: fn() -> String,
) -> Option<T> {
    let typed = typed.trim();
    let v = parse(typed);
    if v.is_none() {
        p.add(field, format!("use one of {}", codes()));
    }
    v
}

impl Analysis {
    /// Free text as typed: empty clears.
    pub fn text(p: &mut Problems, field: &str, typed: &str) -> Option<String> {
        Some(optional_body(p, field, typed, BODY_MAX)).filter(|t| !t.is_empty())
    }

    /// What is still missing before the nonconformity may close.
    fn missing(&self, p: &mut Problems) {
        if self.correction.is_none() {
            p.add(
                "correction",
                "record what was done at once (the correction)",
            );
        }
        if self.root_cause.is_none() {
            p.add("root_cause", "record the root cause");
        }
        if self.cause_category.is_none() {
            p.add("cause_category", "choose the category of the cause");
        }
    }
}

/// Applies the step `action` (with the text it records) at `now` to a
/// nonconformity in `state`, or says why not. `open_actions` counts its
/// corrective actions not yet closed or cancelled.
pub fn apply(
    state: NonconformityState,
    life: &NonconformityLife,
    analysis: &Analysis,
    open_actions: i64,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(NonconformityState, NonconformityLife), RuleError> {
    use NonconformityState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "investigate" => Investigating,
        "close" => {
            let mut p = Problems::default();
            analysis.missing(&mut p);
            if open_actions > 0 {
                p.add(
                    "action",
                    format!(
                        "{open_actions} of its corrective actions still open: finish them and \
                         review their effectiveness, or cancel them, first"
                    ),
                );
            }
            p.finish(())?;
            next.closed_at = Some(now);
            Closed
        }
        "reject" => {
            if open_actions > 0 {
                let mut p = Problems::default();
                p.add(
                    "action",
                    format!(
                        "{open_actions} of its actions still open: cancel them before rejecting it"
                    ),
                );
                p.finish(())?;
            }
            next.rejected_reason = text;
            next.closed_at = Some(now);
            Rejected
        }
        _ => return Err(state.refuse(action).into()),
    };
    Ok((to, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::parse_step;

    fn analysed() -> Analysis {
        Analysis {
            correction: Some("Restarted the mail relay".into()),
            root_cause: Some("Why? The disk filled. Why? No alert on disk use.".into()),
            cause_category: Some(CauseCategory::Technology),
        }
    }

    fn take(
        state: NonconformityState,
        a: &Analysis,
        open: i64,
        action: &str,
        text: Option<&str>,
    ) -> Result<NonconformityState, String> {
        let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
        apply(
            state,
            &NonconformityLife::default(),
            a,
            open,
            spec.action,
            text,
            5,
        )
        .map(|(s, _)| s)
        .map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn a_nonconformity_is_investigated_then_closed_once_analysed_and_acted_on() {
        use NonconformityState::*;
        let a = analysed();
        assert_eq!(take(New, &a, 0, "investigate", None), Ok(Investigating));
        assert_eq!(take(Investigating, &a, 0, "close", None), Ok(Closed));
        assert_eq!(
            take(New, &a, 0, "reject", Some("A planned outage")),
            Ok(Rejected)
        );
    }

    #[test]
    fn it_does_not_close_with_an_open_action_or_without_its_analysis() {
        use NonconformityState::*;
        let e = take(Investigating, &analysed(), 1, "close", None).unwrap_err();
        assert!(e.contains("1 of its corrective actions still open"), "{e}");
        let e = take(Investigating, &Analysis::default(), 0, "close", None).unwrap_err();
        for f in ["correction", "root_cause", "cause_category"] {
            assert!(e.contains(f), "{e}");
        }
        let e = take(New, &analysed(), 0, "close", None).unwrap_err();
        assert!(e.contains("Transition"), "{e}");
        let e = take(New, &analysed(), 0, "reject", None).unwrap_err();
        assert!(e.contains("reason"), "{e}");
        let e = take(Investigating, &analysed(), 2, "reject", Some("Not one")).unwrap_err();
        assert!(e.contains("cancel them before rejecting"), "{e}");
    }

    #[test]
    fn clauses_come_from_the_catalogue_and_codes_are_strict() {
        let mut p = Problems::default();
        assert_eq!(
            parse_clause(&mut p, "clause", " 8.6.1 "),
            Some("8.6.1".into())
        );
        assert_eq!(parse_clause(&mut p, "clause", ""), None);
        assert_eq!(p.count(), 0);
        assert_eq!(parse_clause(&mut p, "clause", "11.2"), None);
        assert_eq!(p.count(), 1);
        assert_eq!(Severity::codes(), "major or minor");
        for c in CauseCategory::ALL {
            assert_eq!(CauseCategory::parse(c.as_str()), Some(*c));
        }
        for s in NonconformityState::ALL {
            assert_eq!(NonconformityState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            parse_code(&mut p, "source", "audit", Source::parse, Source::codes),
            None
        );
    }
}
