//! Actions (`ACT-0001`): work that follows from another record, with an owner
//! and a due date. Taken on a nonconformity, an action is corrective
//! (ISO/IEC 20000-1 10.1): once done, its effectiveness is reviewed after a
//! set time, and an action found not effective is followed by a new one.
//! The same kind carries later the actions of a management review (9.3) and
//! of an improvement (10.2), which end when done.
//!
//! ```text
//! planned ─start─▶ in progress ─complete─▶ implemented ─review_effective / review_not_effective─▶ closed
//!    └─────────complete────────────────────────▲ (actions with no review: straight to closed)
//!    └─cancel─▶ cancelled ◀─cancel─ in progress
//! ```

use crate::error::Problems;
use crate::kind::{StateMachine, StepSpec};
use crate::{RuleError, UtcMillis};

crate::lifecycle! {
    /// Where an action is.
    pub enum ActionState of "action" {
        Planned => ("planned", "Planned", "planned", New, ["start", "complete", "cancel"]),
        InProgress => ("in_progress", "In progress", "in progress", Active, ["complete", "cancel"]),
        Implemented => ("implemented", "Implemented, awaiting review", "awaiting its effectiveness review",
            Resolved, ["review_effective", "review_not_effective"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps of an action as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "start",
        label: "Start",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "complete",
        label: "Mark done",
        text: Some(("outcome", "What was done")),
        danger: false,
    },
    StepSpec {
        action: "review_effective",
        label: "Review: effective",
        text: Some(("review", "Evidence that the cause is gone")),
        danger: false,
    },
    StepSpec {
        action: "review_not_effective",
        label: "Review: not effective (plan a new action)",
        text: Some(("review", "What the review found")),
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel",
        text: None,
        danger: true,
    },
];

crate::code_enum! {
    /// What an effectiveness review concluded.
    pub enum Effectiveness {
        Effective => ("effective", "Effective"),
        NotEffective => ("not_effective", "Not effective"),
    }
}

/// Days after completion when a corrective action's effectiveness is
/// reviewed, unless set otherwise.
pub const DEFAULT_REVIEW_DAYS: i64 = 30;
/// The longest wait for an effectiveness review: two years.
pub const MAX_REVIEW_DAYS: i64 = 730;
const DAY_MS: i64 = 86_400_000;

/// The part of an action its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionLife {
    /// Days after completion when its effectiveness is reviewed; `None` for
    /// an action that ends when done.
    pub review_after_days: Option<i64>,
    /// What was done.
    pub outcome: Option<String>,
    pub completed_at: Option<UtcMillis>,
    /// When the effectiveness review is due (completion plus the wait).
    pub review_due_at: Option<UtcMillis>,
    pub effectiveness: Option<Effectiveness>,
    pub review: Option<String>,
    pub reviewed_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
}

/// The wait before an effectiveness review as typed, in days.
pub fn parse_review_days(p: &mut Problems, days: i64) -> i64 {
    if !(0..=MAX_REVIEW_DAYS).contains(&days) {
        p.add(
            "review_after_days",
            format!("must be 0 to {MAX_REVIEW_DAYS} days"),
        );
    }
    days
}

/// Applies the step `action` (with the text it records) at `now` to an
/// action in `state`, or says why not.
pub fn apply(
    state: ActionState,
    life: &ActionLife,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(ActionState, ActionLife), RuleError> {
    use ActionState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "start" => InProgress,
        "complete" => {
            next.outcome = text;
            next.completed_at = Some(now);
            match life.review_after_days {
                Some(days) => {
                    next.review_due_at = Some(now + days * DAY_MS);
                    Implemented
                }
                None => {
                    next.closed_at = Some(now);
                    Closed
                }
            }
        }
        "review_effective" | "review_not_effective" => {
            if let Some(due) = life.review_due_at.filter(|due| now < *due) {
                let mut p = Problems::default();
                p.add(
                    "action",
                    format!(
                        "the effectiveness review is due on {}; it cannot be recorded before",
                        date_of(due)
                    ),
                );
                p.finish(())?;
            }
            next.effectiveness = Some(if action == "review_effective" {
                Effectiveness::Effective
            } else {
                Effectiveness::NotEffective
            });
            next.review = text;
            next.reviewed_at = Some(now);
            next.closed_at = Some(now);
            Closed
        }
        "cancel" => {
            next.closed_at = Some(now);
            Cancelled
        }
        _ => return Err(state.refuse(action).into()),
    };
    Ok((to, next))
}

/// The UTC day of `at`, `YYYY-MM-DD`.
fn date_of(at: UtcMillis) -> String {
    jiff::Timestamp::from_millisecond(at)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::parse_step;

    fn take(
        state: ActionState,
        life: &ActionLife,
        action: &str,
        text: Option<&str>,
        now: i64,
    ) -> Result<(ActionState, ActionLife), String> {
        let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
        apply(state, life, spec.action, text, now).map_err(|e| e.to_string())
    }

    #[test]
    fn a_corrective_action_is_done_then_reviewed_after_its_wait() {
        use ActionState::*;
        let life = ActionLife {
            review_after_days: Some(30),
            ..Default::default()
        };
        let (s, life) = take(InProgress, &life, "complete", Some("Alert added"), 1_000).unwrap();
        assert_eq!(s, Implemented);
        assert_eq!(life.review_due_at, Some(1_000 + 30 * DAY_MS));
        let e = take(s, &life, "review_effective", Some("No repeat"), 2_000).unwrap_err();
        assert!(e.contains("is due on 1970-01-31"), "{e}");
        let (s, done) = take(
            s,
            &life,
            "review_not_effective",
            Some("Repeated"),
            31 * DAY_MS,
        )
        .unwrap();
        assert_eq!(s, Closed);
        assert_eq!(done.effectiveness, Some(Effectiveness::NotEffective));
        assert_eq!(done.review.as_deref(), Some("Repeated"));
    }

    #[test]
    fn an_action_without_a_review_closes_when_done_and_steps_follow_the_lifecycle() {
        use ActionState::*;
        let (s, life) = take(Planned, &ActionLife::default(), "complete", Some("Done"), 7).unwrap();
        assert_eq!(s, Closed);
        assert_eq!(life.closed_at, Some(7));
        let e = take(Planned, &life, "review_effective", Some("x"), 7).unwrap_err();
        assert!(
            e.contains("cannot review_effective an action that is planned"),
            "{e}"
        );
        let e = take(Planned, &life, "complete", None, 7).unwrap_err();
        assert!(e.contains("outcome"), "{e}");
        assert_eq!(
            take(InProgress, &life, "cancel", None, 7).unwrap().0,
            Cancelled
        );
        let mut p = Problems::default();
        parse_review_days(&mut p, 731);
        parse_review_days(&mut p, -1);
        assert_eq!(p.count(), 2);
    }
}
