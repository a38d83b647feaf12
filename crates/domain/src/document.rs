//! Control of documented information (clause 7.5): the approval workflow of
//! a document, draft -> in review -> approved -> obsolete.

use crate::error::{RuleError, ValidationError};
use crate::kind::{StateCategory, StateMachine};

/// Where a document is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    InReview,
    Approved,
    Obsolete,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Obsolete,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Obsolete => "obsolete",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The same shape as every lifecycle: a step not allowed from a status is
/// refused with the one transition error (409) that names the allowed ones.
impl StateMachine for Status {
    const KIND: &'static str = "document";
    const ALL: &'static [Self] = &Status::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn words(self) -> &'static str {
        match self {
            Status::Draft => "a draft",
            Status::InReview => "in review",
            Status::Approved => "approved",
            Status::Obsolete => "obsolete",
        }
    }
    fn category(self) -> StateCategory {
        match self {
            Status::Draft => StateCategory::New,
            Status::InReview => StateCategory::Waiting,
            Status::Approved => StateCategory::Resolved,
            Status::Obsolete => StateCategory::Closed,
        }
    }
    fn allowed(self) -> &'static [&'static str] {
        match self {
            Status::Draft => &["submit", "retire"],
            Status::InReview => &["approve", "reject", "retire"],
            Status::Approved => &["revise", "retire"],
            Status::Obsolete => &[],
        }
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Draft to in review: the approver is asked to approve.
    Submit,
    /// In review to approved: this version is in force.
    Approve,
    /// In review back to draft.
    Reject,
    /// Approved to draft: work on the next version starts.
    Revise,
    /// Any state but obsolete to obsolete.
    Retire,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Submit,
        Step::Approve,
        Step::Reject,
        Step::Revise,
        Step::Retire,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Approve => "approve",
            Step::Reject => "reject",
            Step::Revise => "revise",
            Step::Retire => "retire",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Step::Submit => "Submit for approval",
            Step::Approve => "Approve",
            Step::Reject => "Send back to draft",
            Step::Revise => "Start a new version",
            Step::Retire => "Make obsolete",
        }
    }
}

/// Who takes a step and on what document.
#[derive(Debug, Clone, Copy)]
pub struct StepRequest<'a> {
    pub status: &'a str,
    pub author_id: Option<i64>,
    pub approver_id: Option<i64>,
    pub actor_id: i64,
    /// Administrators may approve in the named approver's place.
    pub actor_is_admin: bool,
    /// The policy: may an author approve their own document? (default: no)
    pub self_approval_allowed: bool,
}

/// The status after `step`, or why it may not be taken: a step the status
/// does not allow is the lifecycle's refusal (409); a step allowed but not
/// to this person, or not yet, is a validation error (422).
pub fn take(step: Step, r: StepRequest<'_>) -> Result<&'static str, RuleError> {
    let refuse = |m: &str| Err(RuleError::from(ValidationError::single("step", m)));
    let status = Status::parse(r.status).ok_or_else(|| {
        ValidationError::single(
            "step",
            format!("the document's status {:?} is unknown", r.status),
        )
    })?;
    status.check(step.as_str())?;
    match step {
        Step::Submit => {
            if r.approver_id.is_none() {
                return refuse("name an approver before submitting the document");
            }
            Ok(Status::InReview.as_str())
        }
        Step::Approve | Step::Reject => {
            if r.approver_id != Some(r.actor_id) && !r.actor_is_admin {
                return refuse("only the document's approver may approve it or send it back");
            }
            if step == Step::Approve && r.author_id == Some(r.actor_id) && !r.self_approval_allowed
            {
                return refuse(
                    "the policy forbids approving your own document: another approver must do it",
                );
            }
            Ok(if step == Step::Approve {
                Status::Approved.as_str()
            } else {
                Status::Draft.as_str()
            })
        }
        Step::Revise => Ok(Status::Draft.as_str()),
        Step::Retire => Ok(Status::Obsolete.as_str()),
    }
}

/// The steps open on a document in `status`, for a form to offer.
pub fn steps_from(status: &str) -> Vec<Step> {
    let allowed = Status::parse(status).map_or(&[][..], Status::allowed);
    Step::ALL
        .into_iter()
        .filter(|s| allowed.contains(&s.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(status: &str, actor: i64) -> StepRequest<'_> {
        StepRequest {
            status,
            author_id: Some(1),
            approver_id: Some(2),
            actor_id: actor,
            actor_is_admin: false,
            self_approval_allowed: false,
        }
    }

    #[test]
    fn the_happy_path() {
        assert_eq!(take(Step::Submit, req("draft", 1)), Ok("in_review"));
        assert_eq!(take(Step::Approve, req("in_review", 2)), Ok("approved"));
        assert_eq!(take(Step::Revise, req("approved", 1)), Ok("draft"));
        assert_eq!(take(Step::Retire, req("approved", 1)), Ok("obsolete"));
    }

    #[test]
    fn only_the_approver_approves_and_never_their_own_document() {
        assert!(take(Step::Approve, req("in_review", 3)).is_err());
        let mut own = req("in_review", 1);
        own.approver_id = Some(1);
        let Err(RuleError::Validation(e)) = take(Step::Approve, own) else {
            panic!("a validation error")
        };
        assert!(e.0[0].message.contains("own document"));
        own.self_approval_allowed = true;
        assert_eq!(take(Step::Approve, own), Ok("approved"));
        let mut admin = req("in_review", 9);
        admin.actor_is_admin = true;
        assert_eq!(take(Step::Approve, admin), Ok("approved"));
    }

    #[test]
    fn steps_offered_are_exactly_the_steps_allowed() {
        for status in ["draft", "in_review", "approved", "obsolete"] {
            for step in Step::ALL {
                let mut r = req(status, 2);
                r.actor_is_admin = true;
                assert_eq!(
                    take(step, r).is_ok(),
                    steps_from(status).contains(&step),
                    "{status} {step:?}"
                );
            }
        }
        let mut no_approver = req("draft", 1);
        no_approver.approver_id = None;
        assert!(take(Step::Submit, no_approver).is_err());
    }

    #[test]
    fn a_step_the_status_does_not_allow_is_the_lifecycle_refusal() {
        let Err(RuleError::Transition(e)) = take(Step::Approve, req("draft", 2)) else {
            panic!("a transition error")
        };
        assert_eq!(e.kind, "document");
        assert_eq!(e.allowed, ["submit", "retire"]);
        assert_eq!(
            e.to_string(),
            "cannot approve a document that is a draft; allowed from here: submit, retire"
        );
    }
}
