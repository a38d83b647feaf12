//! Business relationship management (ISO/IEC 20000-1 8.3.2): who the
//! provider deals with at each customer, and the service reviews held with
//! them.
//!
//! ```text
//! planned ─hold (minutes)─▶ held
//!    └─────cancel (why)───▶ cancelled
//! ```

use crate::UtcMillis;
use crate::error::{Problems, ValidationError};
use crate::kind::{StateMachine, StepSpec, TransitionError};

crate::code_enum! {
    /// What a contact is to the provider.
    pub enum ContactRole {
        DecisionMaker => ("decision_maker", "Decision maker"),
        ServiceOwner => ("service_owner", "Service owner at the customer"),
        UserRepresentative => ("user_representative", "Users' representative"),
        Escalation => ("escalation", "Escalation contact"),
        Technical => ("technical", "Technical contact"),
        Billing => ("billing", "Billing contact"),
    }
}

/// A contact as checked: name, role, and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub name: String,
    pub role: ContactRole,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl ContactDraft {
    pub fn parse(
        name: &str,
        role: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<ContactDraft, ValidationError> {
        let mut p = Problems::default();
        let name = crate::text::required_line(&mut p, "name", name, crate::text::LINE_MAX);
        let role = ContactRole::parse(role.trim()).unwrap_or_else(|| {
            p.add("role", format!("use one of {}", ContactRole::codes()));
            ContactRole::DecisionMaker
        });
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| crate::text::email(&mut p, "email", e));
        let phone = phone.map(str::trim).filter(|t| !t.is_empty()).map(|t| {
            if t.chars().count() > 40
                || !t
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
            {
                p.add("phone", "digits, spaces and + - ( ) . / only, at most 40");
            }
            t.to_owned()
        });
        if email.is_none() && phone.is_none() {
            p.add("email", "give an e-mail or a phone number to reach them by");
        }
        p.finish(ContactDraft {
            name,
            role,
            email,
            phone,
        })
    }
}

crate::lifecycle! {
    /// Where a service review meeting is.
    pub enum ServiceReviewState of "service review" {
        Planned => ("planned", "Planned", "planned", New, ["hold", "cancel"]),
        Held => ("held", "Held", "held", Resolved, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps of a service review.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "hold",
        label: "Record it as held",
        text: Some(("minutes", "Minutes")),
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel it",
        text: Some(("reason", "Why it is cancelled")),
        danger: true,
    },
];

/// The part of a service review its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceReviewLife {
    pub minutes: Option<String>,
    pub held_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
}

/// Applies `action` (with its text) at `now` to a review in `state`.
pub fn apply(
    state: ServiceReviewState,
    life: &ServiceReviewLife,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(ServiceReviewState, ServiceReviewLife), TransitionError> {
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "hold" => {
            next.minutes = text;
            next.held_at = Some(now);
            ServiceReviewState::Held
        }
        _ => {
            next.cancelled_reason = text;
            ServiceReviewState::Cancelled
        }
    };
    Ok((to, next))
}

/// How long a customer may go without a held service review before the
/// evidence counts it against 8.3.2: twelve months.
pub const REVIEW_EVERY_MS: i64 = 365 * 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_has_a_name_a_role_and_a_way_to_reach_them() {
        let c = ContactDraft::parse(
            " Ann Lee ",
            "decision_maker",
            Some("ann@acme.example"),
            None,
        )
        .unwrap();
        assert_eq!(c.name, "Ann Lee");
        assert_eq!(c.role, ContactRole::DecisionMaker);
        let e = ContactDraft::parse("", "boss", None, Some("call me")).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "role", "phone"]);
        let e = ContactDraft::parse("Ann", "billing", None, None).unwrap_err();
        assert_eq!(e.0[0].field, "email");
    }

    #[test]
    fn a_review_is_held_with_minutes_or_cancelled() {
        use ServiceReviewState::*;
        let (s, l) = apply(
            Planned,
            &Default::default(),
            "hold",
            Some("Went well".into()),
            7,
        )
        .unwrap();
        assert_eq!((s, l.held_at), (Held, Some(7)));
        assert!(apply(Held, &l, "cancel", None, 8).is_err());
        let (s, _) = apply(
            Planned,
            &Default::default(),
            "cancel",
            Some("Moved".into()),
            9,
        )
        .unwrap();
        assert_eq!(s, Cancelled);
    }
}
