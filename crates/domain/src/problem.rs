//! Problem management (ISO/IEC 20000-1 8.6.3): the problem lifecycle, known
//! errors, and trend detection over incidents.
//!
//! ```text
//! new ─investigate─▶ under_investigation ─root_cause─▶ root_cause_known
//!  │                   │        ╲                          │
//!  cancel            cancel      ╲──known_error──▶ known_error ◀─known_error─┘
//!  ▼                   ▼                               │            │
//! cancelled        cancelled          resolve ◀────────┴────────────┘ (and from root_cause_known)
//!                                        ▼
//!                                    resolved ─close─▶ closed
//!                                        └─reopen─▶ under_investigation
//! ```

use serde::{Deserialize, Serialize};

use crate::UtcMillis;
use crate::error::{Problems, ValidationError};
use crate::kind::{StateMachine, StepSpec, TransitionError};
use crate::text;

crate::lifecycle! {
    /// Where a problem is in its life.
    pub enum ProblemState of "problem" {
        New => ("new", "New", "new", New, ["investigate", "cancel"]),
        UnderInvestigation => ("under_investigation", "Under investigation", "under investigation",
            Active, ["root_cause", "known_error", "cancel"]),
        RootCauseKnown => ("root_cause_known", "Root cause known",
            "awaiting a fix (root cause known)", Active, ["known_error", "resolve"]),
        KnownError => ("known_error", "Known error", "a known error", Active, ["resolve"]),
        Resolved => ("resolved", "Resolved", "resolved", Resolved, ["close", "reopen"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

impl ProblemState {
    /// Refuses changes to a closed or cancelled problem.
    pub fn check_changeable(self) -> Result<(), TransitionError> {
        if self.is_final() {
            Err(self.refuse("change"))
        } else {
            Ok(())
        }
    }
}

/// The steps of a problem's life as people take them.
pub const STEPS: &[StepSpec] = &[
    step("investigate", "Start investigating", None),
    step(
        "root_cause",
        "Root cause found",
        Some(("root_cause", "Root cause")),
    ),
    step(
        "known_error",
        "Known error",
        Some(("workaround", "Workaround")),
    ),
    step(
        "resolve",
        "Resolve",
        Some(("permanent_fix", "Permanent fix")),
    ),
    step("close", "Close", None),
    step("reopen", "Reopen", None),
    StepSpec {
        danger: true,
        ..step("cancel", "Cancel", None)
    },
];

const fn step(
    action: &'static str,
    label: &'static str,
    text: Option<(&'static str, &'static str)>,
) -> StepSpec {
    StepSpec {
        action,
        label,
        text,
        danger: false,
    }
}

/// A step in a problem's life, with what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemStep {
    Investigate,
    /// The root cause is found; its description is required.
    RootCause {
        root_cause: String,
    },
    /// A workaround is known: the problem becomes a known error.
    KnownError {
        workaround: String,
    },
    /// The permanent fix is in place.
    Resolve {
        fix: String,
    },
    Close,
    Reopen,
    Cancel,
}

impl ProblemStep {
    pub const fn name(&self) -> &'static str {
        match self {
            ProblemStep::Investigate => "investigate",
            ProblemStep::RootCause { .. } => "root_cause",
            ProblemStep::KnownError { .. } => "known_error",
            ProblemStep::Resolve { .. } => "resolve",
            ProblemStep::Close => "close",
            ProblemStep::Reopen => "reopen",
            ProblemStep::Cancel => "cancel",
        }
    }

    /// A step from its name and the one text it may carry (root cause,
    /// workaround or fix), as the API and the forms give them.
    pub fn parse(action: &str, text: Option<&str>) -> Result<ProblemStep, ValidationError> {
        let mut p = Problems::default();
        let given = text.unwrap_or_default();
        let mut required = |field: &str, what: &str| -> String {
            if given.trim().is_empty() {
                p.add(field, format!("describe the {what}"));
                return String::new();
            }
            text::required_body(&mut p, field, given, text::BODY_MAX)
        };
        let step = match action {
            "investigate" => ProblemStep::Investigate,
            "root_cause" => ProblemStep::RootCause {
                root_cause: required("root_cause", "root cause"),
            },
            "known_error" => ProblemStep::KnownError {
                workaround: required("workaround", "workaround"),
            },
            "resolve" => ProblemStep::Resolve {
                fix: required("permanent_fix", "permanent fix"),
            },
            "close" => ProblemStep::Close,
            "reopen" => ProblemStep::Reopen,
            "cancel" => ProblemStep::Cancel,
            _ => {
                return Err(ValidationError::single(
                    "action",
                    "use one of investigate, root_cause, known_error, resolve, close, reopen, cancel",
                ));
            }
        };
        p.finish(step)
    }
}

/// The part of a problem its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemLife {
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
    pub permanent_fix: Option<String>,
    /// When it became a known error (kept once set, for the record).
    pub known_error_at: Option<UtcMillis>,
    pub resolved_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
}

/// Applies `step` at `now` to a problem in `state`, or says why not.
pub fn apply(
    state: ProblemState,
    life: &ProblemLife,
    step: &ProblemStep,
    now: UtcMillis,
) -> Result<(ProblemState, ProblemLife), TransitionError> {
    use ProblemState::*;
    let mut next = life.clone();
    let to = match (state, step) {
        (New, ProblemStep::Investigate) => UnderInvestigation,
        (UnderInvestigation, ProblemStep::RootCause { root_cause }) => {
            next.root_cause = Some(root_cause.clone());
            RootCauseKnown
        }
        (UnderInvestigation | RootCauseKnown, ProblemStep::KnownError { workaround }) => {
            next.workaround = Some(workaround.clone());
            next.known_error_at.get_or_insert(now);
            KnownError
        }
        (RootCauseKnown | KnownError, ProblemStep::Resolve { fix }) => {
            next.permanent_fix = Some(fix.clone());
            next.resolved_at = Some(now);
            Resolved
        }
        (Resolved, ProblemStep::Close) => {
            next.closed_at = Some(now);
            Closed
        }
        (Resolved, ProblemStep::Reopen) => {
            // The fix did not hold: it is no longer the problem's fix.
            next.resolved_at = None;
            next.permanent_fix = None;
            UnderInvestigation
        }
        (New | UnderInvestigation, ProblemStep::Cancel) => {
            next.closed_at = Some(now);
            Cancelled
        }
        _ => return Err(state.refuse(step.name())),
    };
    Ok((to, next))
}

/// When incidents that repeat make a candidate problem: `min_incidents` of the
/// same service and category within `window_days`, none linked to a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendRule {
    pub min_incidents: i64,
    pub window_days: i64,
}

impl Default for TrendRule {
    fn default() -> Self {
        TrendRule {
            min_incidents: 3,
            window_days: 14,
        }
    }
}

/// Incidents of one service and category in the window, none linked to a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendGroup {
    pub service_number: String,
    pub service_name: String,
    pub category: String,
    pub incidents: i64,
    pub first_opened_at: UtcMillis,
    pub last_opened_at: UtcMillis,
}

impl TrendRule {
    /// Where the window starts, seen at `now`.
    pub fn since(&self, now: UtcMillis) -> UtcMillis {
        now - self.window_days.max(1) * 86_400_000
    }

    /// The groups that make candidate problems, the most incidents first,
    /// then the most recent.
    pub fn candidates(&self, groups: Vec<TrendGroup>) -> Vec<TrendGroup> {
        let mut c: Vec<TrendGroup> = groups
            .into_iter()
            .filter(|g| g.incidents >= self.min_incidents.max(2))
            .collect();
        c.sort_by(|a, b| {
            b.incidents
                .cmp(&a.incidents)
                .then(b.last_opened_at.cmp(&a.last_opened_at))
        });
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(name: &str) -> ProblemStep {
        ProblemStep::parse(name, Some("text")).unwrap()
    }

    #[test]
    fn the_whole_life_of_a_problem() {
        let mut state = ProblemState::New;
        let mut life = ProblemLife::default();
        for (name, to) in [
            ("investigate", ProblemState::UnderInvestigation),
            ("root_cause", ProblemState::RootCauseKnown),
            ("known_error", ProblemState::KnownError),
            ("resolve", ProblemState::Resolved),
            ("close", ProblemState::Closed),
        ] {
            (state, life) = apply(state, &life, &step(name), 10).unwrap();
            assert_eq!(state, to);
        }
        assert_eq!(life.workaround.as_deref(), Some("text"));
        assert_eq!(life.known_error_at, Some(10));
        assert_eq!(life.closed_at, Some(10));
        let e = apply(state, &life, &step("reopen"), 11).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot reopen a problem that is closed; allowed from here: nothing (the problem is final)"
        );
    }

    #[test]
    fn target_dates_are_days() {
        assert_eq!(
            crate::kind::parse_target_date("target_date", "1970-01-02").unwrap(),
            2 * 86_400_000 - 1000
        );
        assert!(crate::kind::parse_target_date("target_date", "31/01/2027").is_err());
    }

    #[test]
    fn texts_are_required_where_a_step_records_them() {
        for (name, field) in [
            ("root_cause", "root_cause"),
            ("known_error", "workaround"),
            ("resolve", "permanent_fix"),
        ] {
            let e = ProblemStep::parse(name, Some("  ")).unwrap_err();
            assert_eq!(e.0[0].field, field);
        }
        assert!(ProblemStep::parse("explode", None).is_err());
    }

    #[test]
    fn candidates_need_enough_incidents_and_come_biggest_first() {
        let g = |n, last| TrendGroup {
            service_number: "SVC-0001".into(),
            service_name: "Mail".into(),
            category: "network".into(),
            incidents: n,
            first_opened_at: 0,
            last_opened_at: last,
        };
        let rule = TrendRule {
            min_incidents: 3,
            window_days: 7,
        };
        let c = rule.candidates(vec![g(2, 9), g(3, 5), g(5, 1), g(3, 8)]);
        let got: Vec<_> = c.iter().map(|g| (g.incidents, g.last_opened_at)).collect();
        assert_eq!(got, [(5, 1), (3, 8), (3, 5)]);
        assert_eq!(rule.since(7 * 86_400_000), 0);
    }

    proptest! {
        /// Every step either is refused with the allowed steps of the state,
        /// or leads to a state whose category matches what the step means.
        #[test]
        fn steps_are_allowed_exactly_where_available(s in 0usize..7, t in 0usize..7) {
            let state = ProblemState::ALL[s];
            let name = ["investigate", "root_cause", "known_error", "resolve", "close", "reopen", "cancel"][t];
            match apply(state, &ProblemLife::default(), &step(name), 5) {
                Ok((to, life)) => {
                    prop_assert!(state.available().contains(&name));
                    prop_assert!(!state.is_final());
                    if to == ProblemState::KnownError {
                        prop_assert!(life.workaround.is_some());
                    }
                }
                Err(e) => {
                    prop_assert!(!state.available().contains(&name));
                    prop_assert_eq!(e.allowed, state.available());
                }
            }
        }
    }
}
