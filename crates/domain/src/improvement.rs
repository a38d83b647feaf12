//! Improvements (ISO/IEC 20000-1 10.2): an opportunity to make the SMS or
//! the services better, with the benefit expected and how it will be
//! measured; approved or rejected, carried out (its work can be actions,
//! [`crate::action`]), then evaluated against the benefit expected.
//!
//! ```text
//! proposed ─approve─▶ approved ─start─▶ in progress ─complete─▶ done ─evaluate_met / evaluate_not_met─▶ evaluated
//!                        └──────────complete───────────────▲
//!    └─reject─▶ rejected ◀─reject─ approved
//! ```

use crate::error::Problems;
use crate::kind::{StateMachine, StepSpec};
use crate::{RuleError, UtcMillis};

crate::lifecycle! {
    /// Where an improvement is.
    pub enum ImprovementState of "improvement" {
        Proposed => ("proposed", "Proposed", "proposed", New, ["approve", "reject"]),
        Approved => ("approved", "Approved", "approved", Active, ["start", "complete", "reject"]),
        InProgress => ("in_progress", "In progress", "in progress", Active, ["complete"]),
        Done => ("done", "Done, awaiting evaluation", "done and awaiting its evaluation", Resolved,
            ["evaluate_met", "evaluate_not_met"]),
        Evaluated => ("evaluated", "Evaluated", "evaluated", Closed, []),
        Rejected => ("rejected", "Rejected", "rejected", Cancelled, []),
    }
}

/// The steps of an improvement as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "approve",
        label: "Approve",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "start",
        label: "Start",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "complete",
        label: "Mark done",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "evaluate_met",
        label: "Evaluated: benefit achieved",
        text: Some(("evaluation", "What the measure showed")),
        danger: false,
    },
    StepSpec {
        action: "evaluate_not_met",
        label: "Evaluated: benefit not achieved",
        text: Some(("evaluation", "What the measure showed")),
        danger: false,
    },
    StepSpec {
        action: "reject",
        label: "Reject",
        text: Some(("reason", "Why it is rejected")),
        danger: true,
    },
];

crate::code_enum! {
    /// Where an improvement came from.
    pub enum ImprovementSource {
        Audit => ("audit", "Audit"),
        Review => ("review", "Management review"),
        Complaint => ("complaint", "Complaint"),
        Nonconformity => ("nonconformity", "Nonconformity"),
        Staff => ("staff", "Staff"),
        Customer => ("customer", "Customer"),
    }
}

/// The part of an improvement its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImprovementLife {
    pub rejected_reason: Option<String>,
    pub done_at: Option<UtcMillis>,
    /// Whether the benefit expected was achieved, once evaluated.
    pub benefit_met: Option<bool>,
    pub evaluation: Option<String>,
    pub evaluated_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
}

/// What an improvement promises: the benefit and how it will be measured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Promise {
    pub expected_benefit: Option<String>,
    pub measure: Option<String>,
}

impl Promise {
    fn missing(&self, p: &mut Problems) {
        if self.expected_benefit.is_none() {
            p.add(
                "expected_benefit",
                "say what benefit is expected before approving it",
            );
        }
        if self.measure.is_none() {
            p.add(
                "measure",
                "say how the benefit will be measured before approving it",
            );
        }
    }
}

/// Applies the step `action` (with the text it records) at `now` to an
/// improvement in `state` promising `promise`, or says why not.
pub fn apply(
    state: ImprovementState,
    life: &ImprovementLife,
    promise: &Promise,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(ImprovementState, ImprovementLife), RuleError> {
    use ImprovementState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "approve" => {
            let mut p = Problems::default();
            promise.missing(&mut p);
            p.finish(())?;
            Approved
        }
        "start" => InProgress,
        "complete" => {
            next.done_at = Some(now);
            Done
        }
        "evaluate_met" | "evaluate_not_met" => {
            next.benefit_met = Some(action == "evaluate_met");
            next.evaluation = text;
            next.evaluated_at = Some(now);
            next.closed_at = Some(now);
            Evaluated
        }
        "reject" => {
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

    fn promised() -> Promise {
        Promise {
            expected_benefit: Some("Fewer password resets".into()),
            measure: Some("Resets per month, from 120 to 40".into()),
        }
    }

    fn take(
        state: ImprovementState,
        promise: &Promise,
        action: &str,
        text: Option<&str>,
    ) -> Result<(ImprovementState, ImprovementLife), String> {
        let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
        apply(
            state,
            &ImprovementLife::default(),
            promise,
            spec.action,
            text,
            3,
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn an_improvement_is_approved_done_and_evaluated_against_its_benefit() {
        use ImprovementState::*;
        let p = promised();
        assert_eq!(take(Proposed, &p, "approve", None).unwrap().0, Approved);
        assert_eq!(take(Approved, &p, "start", None).unwrap().0, InProgress);
        let (s, life) = take(InProgress, &p, "complete", None).unwrap();
        assert_eq!((s, life.done_at), (Done, Some(3)));
        let (s, life) = take(Done, &p, "evaluate_not_met", Some("Still 110 a month")).unwrap();
        assert_eq!(s, Evaluated);
        assert_eq!(life.benefit_met, Some(false));
        assert_eq!(life.evaluation.as_deref(), Some("Still 110 a month"));
    }

    #[test]
    fn approval_needs_the_benefit_and_its_measure_and_steps_follow_the_lifecycle() {
        use ImprovementState::*;
        let e = take(Proposed, &Promise::default(), "approve", None).unwrap_err();
        assert!(
            e.contains("expected_benefit") && e.contains("measure"),
            "{e}"
        );
        let e = take(Proposed, &promised(), "complete", None).unwrap_err();
        assert!(
            e.contains("cannot complete an improvement that is proposed"),
            "{e}"
        );
        let e = take(Done, &promised(), "evaluate_met", None).unwrap_err();
        assert!(e.contains("evaluation"), "{e}");
        assert_eq!(
            take(Approved, &promised(), "reject", Some("No budget"))
                .unwrap()
                .0,
            Rejected
        );
        for s in ImprovementState::ALL {
            assert_eq!(ImprovementState::parse(s.as_str()), Some(*s));
        }
    }
}
