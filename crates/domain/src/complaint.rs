//! Complaints (ISO/IEC 20000-1 8.3.2 and 10.1): a customer's dissatisfaction,
//! recorded, investigated, answered and closed.
//!
//! ```text
//! new ─acknowledge─▶ investigating ─respond─▶ responded ─close─▶ closed
//!  │ └──────────respond──────────────────────▲    └─reopen─▶ investigating
//!  └─withdraw─▶ withdrawn ◀─withdraw─ investigating
//! ```

use crate::UtcMillis;
use crate::kind::{StateMachine, StepSpec, TransitionError};

crate::lifecycle! {
    /// Where a complaint is in its handling.
    pub enum ComplaintState of "complaint" {
        New => ("new", "New", "new", New, ["acknowledge", "respond", "withdraw"]),
        Investigating => ("investigating", "Investigating", "being investigated", Active,
            ["respond", "withdraw"]),
        Responded => ("responded", "Responded", "answered", Resolved, ["close", "reopen"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Withdrawn => ("withdrawn", "Withdrawn", "withdrawn", Cancelled, []),
    }
}

/// The steps of a complaint as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "acknowledge",
        label: "Acknowledge and investigate",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "respond",
        label: "Send the response",
        text: Some(("response", "Response to the customer")),
        danger: false,
    },
    StepSpec {
        action: "close",
        label: "Close",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "reopen",
        label: "Reopen (the customer is not satisfied)",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "withdraw",
        label: "Withdraw",
        text: None,
        danger: true,
    },
];

/// The part of a complaint its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ComplaintLife {
    /// The answer given to the customer (the latest, when reopened and answered again).
    pub response: Option<String>,
    pub responded_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
}

/// Applies the step `action` (with the text it records) at `now` to a
/// complaint in `state`, or says why not.
pub fn apply(
    state: ComplaintState,
    life: &ComplaintLife,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(ComplaintState, ComplaintLife), TransitionError> {
    use ComplaintState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "acknowledge" | "reopen" => Investigating,
        "respond" => {
            next.response = text;
            next.responded_at = Some(now);
            Responded
        }
        "close" => {
            next.closed_at = Some(now);
            Closed
        }
        "withdraw" => {
            next.closed_at = Some(now);
            Withdrawn
        }
        _ => return Err(state.refuse(action)),
    };
    Ok((to, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::parse_step;

    fn take(
        state: ComplaintState,
        action: &str,
        text: Option<&str>,
    ) -> Result<ComplaintState, String> {
        let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
        apply(state, &ComplaintLife::default(), spec.action, text, 5)
            .map(|(s, _)| s)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_complaint_is_answered_then_closed() {
        use ComplaintState::*;
        assert_eq!(take(New, "acknowledge", None), Ok(Investigating));
        assert_eq!(
            take(Investigating, "respond", Some("Refund sent")),
            Ok(Responded)
        );
        assert_eq!(take(New, "respond", Some("Sorry")), Ok(Responded));
        assert_eq!(take(Responded, "reopen", None), Ok(Investigating));
        assert_eq!(take(Responded, "close", None), Ok(Closed));
        assert_eq!(take(Investigating, "withdraw", None), Ok(Withdrawn));
    }

    #[test]
    fn a_response_is_required_and_steps_follow_the_lifecycle() {
        use ComplaintState::*;
        let e = take(Investigating, "respond", Some("  ")).unwrap_err();
        assert!(e.contains("response"), "{e}");
        let e = take(New, "close", None).unwrap_err();
        assert!(e.contains("cannot close a complaint that is new"), "{e}");
        assert!(e.contains("acknowledge"), "{e}");
        let e = take(Closed, "reopen", None).unwrap_err();
        assert!(e.contains("closed"), "{e}");
        let e = take(New, "escalate", None).unwrap_err();
        assert!(
            e.contains("use one of acknowledge, respond, close, reopen, withdraw"),
            "{e}"
        );
        let (_, life) = apply(
            New,
            &ComplaintLife::default(),
            "respond",
            Some("ok".into()),
            9,
        )
        .unwrap();
        assert_eq!(life.responded_at, Some(9));
        assert_eq!(life.response.as_deref(), Some("ok"));
    }

    #[test]
    fn codes_round_trip() {
        for s in ComplaintState::ALL {
            assert_eq!(ComplaintState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ComplaintState::parse("open"), None);
    }
}
