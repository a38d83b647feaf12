//! Control of documented information (clause 7.5): the approval workflow of
//! a document, draft -> in review -> approved -> obsolete.

use crate::error::ValidationError;

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

/// The status after `step`, or why it may not be taken.
pub fn take(step: Step, r: StepRequest<'_>) -> Result<&'static str, ValidationError> {
    let refuse = |m: &str| Err(ValidationError::single("step", m));
    match (step, r.status) {
        (Step::Submit, "draft") => {
            if r.approver_id.is_none() {
                return refuse("name an approver before submitting the document");
            }
            Ok("in_review")
        }
        (Step::Approve | Step::Reject, "in_review") => {
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
                "approved"
            } else {
                "draft"
            })
        }
        (Step::Revise, "approved") => Ok("draft"),
        (Step::Retire, "draft" | "in_review" | "approved") => Ok("obsolete"),
        (step, status) => refuse(&format!(
            "a document that is {} cannot be {}",
            status.replace('_', " "),
            match step {
                Step::Submit => "submitted",
                Step::Approve => "approved",
                Step::Reject => "sent back",
                Step::Revise => "revised",
                Step::Retire => "made obsolete",
            }
        )),
    }
}

/// The steps open on a document in `status`, for a form to offer.
pub fn steps_from(status: &str) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| {
            matches!(
                (s, status),
                (Step::Submit, "draft")
                    | (Step::Approve | Step::Reject, "in_review")
                    | (Step::Revise, "approved")
                    | (Step::Retire, "draft" | "in_review" | "approved")
            )
        })
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
        let e = take(Step::Approve, own).unwrap_err();
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
}
