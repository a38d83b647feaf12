//! Where operations ask the policy (`domain::access`): every permission
//! check of the server is made in an operation, through [`require`] or a
//! [`Caller`], never in a handler. Handlers may still ask `authorize` what to
//! *show* (a button, a menu entry); what they may *do* is decided here.

use steward_domain::access::{Action, Actor, Decision, authorize};
use steward_store::AuditActor;

use crate::error::{AppError, AppResult};

/// Answers the policy's decision as an error, or nothing when allowed.
pub fn require(actor: &Actor, action: Action, record_org: Option<i64>) -> AppResult<()> {
    match authorize(actor, action, record_org) {
        Decision::Allow => Ok(()),
        Decision::Hidden => Err(AppError::NotFound),
        Decision::Forbidden => Err(AppError::Forbidden(format!(
            "your role ({}) may not do this",
            actor.role.as_str()
        ))),
    }
}

/// Who asks for an administrative operation: a signed-in user, whom the
/// policy decides for, or the operator of the machine (the command line, the
/// demo seeder), who is trusted and recorded by name.
#[derive(Clone, Copy)]
pub enum Caller<'a> {
    User(&'a Actor),
    System(&'a AuditActor),
}

impl<'a> From<&'a Actor> for Caller<'a> {
    fn from(a: &'a Actor) -> Self {
        Caller::User(a)
    }
}

impl<'a> From<&'a AuditActor> for Caller<'a> {
    fn from(a: &'a AuditActor) -> Self {
        Caller::System(a)
    }
}

impl Caller<'_> {
    /// The policy's answer for a user; the operator may do anything.
    pub fn require(&self, action: Action, record_org: Option<i64>) -> AppResult<()> {
        match self {
            Caller::User(a) => require(a, action, record_org),
            Caller::System(_) => Ok(()),
        }
    }

    /// The caller as the audit trail names them.
    pub fn audit(&self) -> AuditActor {
        match self {
            Caller::User(a) => AuditActor::from(*a),
            Caller::System(a) => (*a).clone(),
        }
    }

    /// Whether this caller is the user `id` acting on their own account.
    pub fn is_user(&self, id: i64) -> bool {
        matches!(self, Caller::User(a) if a.user_id == id)
    }
}
