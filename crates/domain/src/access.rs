//! Who may do what: the one policy module. Handlers ask it; they never decide.
//!
//! Two questions are answered here:
//! - [`authorize`]: may this actor perform this action on a record that belongs
//!   to this organisation? The answer distinguishes *forbidden* (403: the actor
//!   may see the record but not do this) from *not found* (404: the actor may
//!   not even learn that the record exists).
//! - [`Visibility`]: which records does this actor see at all? The store turns
//!   it into the one filter that scopes every list and search.

use serde::{Deserialize, Serialize};

use crate::kind::{Kind, Verb};

/// A role held by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs Steward: users, organisations, configuration.
    Admin,
    /// Service desk and support staff: works incidents.
    Agent,
    /// Process owner: everything an agent does, plus the service catalogue.
    Manager,
    /// Reads everything, including the audit trail; changes nothing.
    Auditor,
    /// A person of a customer organisation: sees only that organisation's records.
    Customer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Agent,
        Role::Manager,
        Role::Auditor,
        Role::Customer,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Auditor => "auditor",
            Role::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff of the provider (everyone but customers).
    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Customer)
    }
}

/// The authenticated person behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub org_id: i64,
    pub name: String,
}

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Something done with a work record of a kind: the kind's descriptor
    /// ([`crate::kind::KindSpec::grants`]) says who may.
    Work(Kind, Verb),
    ServiceRead,
    ServiceWrite,
    GroupRead,
    GroupWrite,
    UserRead,
    UserWrite,
    OrgRead,
    OrgWrite,
    AuditRead,
    /// The requirement catalogue, the evidence checks and their figures.
    ConformityRead,
    /// A requirement's owner, how it is met and its notes.
    RequirementWrite,
    /// Link manual evidence or add a note to a requirement (auditors too).
    EvidenceWrite,
    /// The SMS registers: context, parties, roles, risks, objectives, plan,
    /// training, communication, documents.
    SmsRead,
    /// Create and change SMS records, take document workflow steps.
    SmsWrite,
    /// Acknowledge having read a document distributed to oneself.
    DocumentAcknowledge,
    /// Service level management: business calendars and agreements.
    ServiceLevelRead,
    /// Create and change calendars and agreements.
    ServiceLevelWrite,
    /// Create or revoke one's own API tokens.
    OwnTokens,
    /// Change one's own preferences (time zone, notifications).
    OwnSettings,
    /// See background jobs and their runs.
    JobRead,
    /// Put a dead job back in the queue.
    JobRetry,
    /// Service reports (9.4): staff read every customer's, customers their
    /// own organisation's.
    ServiceReportRead,
    /// Issue a customer's service report for a period into the archive.
    ServiceReportIssue,
    /// Satisfaction surveys and their results (customers: those they are
    /// asked to answer).
    SurveyRead,
    /// Write, send and close surveys.
    SurveyWrite,
    /// Answer a survey one was asked to answer.
    SurveyAnswer,
    /// A customer's profile and contacts (business relationship, 8.3.2).
    CustomerWrite,
    /// Incoming e-mail and its quarantine.
    MailRead,
    /// Release or dismiss a quarantined message.
    MailReview,
}

impl Action {
    /// Every action that is not about a work record, for exhaustive tests.
    pub const GENERAL: [Action; 29] = [
        Action::ServiceRead,
        Action::ServiceWrite,
        Action::GroupRead,
        Action::GroupWrite,
        Action::UserRead,
        Action::UserWrite,
        Action::OrgRead,
        Action::OrgWrite,
        Action::AuditRead,
        Action::ConformityRead,
        Action::RequirementWrite,
        Action::EvidenceWrite,
        Action::SmsRead,
        Action::SmsWrite,
        Action::DocumentAcknowledge,
        Action::ServiceLevelRead,
        Action::ServiceLevelWrite,
        Action::OwnTokens,
        Action::OwnSettings,
        Action::JobRead,
        Action::JobRetry,
        Action::ServiceReportRead,
        Action::ServiceReportIssue,
        Action::SurveyRead,
        Action::SurveyWrite,
        Action::SurveyAnswer,
        Action::CustomerWrite,
        Action::MailRead,
        Action::MailReview,
    ];

    /// The roles this action is granted to. Nothing is allowed by default:
    /// an action is allowed only to the roles named here, or, for work
    /// records, in the kind's descriptor.
    pub fn granted(self) -> &'static [Role] {
        use Action::*;
        use Role::{Admin, Agent, Auditor, Customer, Manager};
        const EVERYONE: &[Role] = &[Admin, Agent, Manager, Auditor, Customer];
        const STAFF: &[Role] = &[Admin, Agent, Manager, Auditor];
        const OWNERS: &[Role] = &[Admin, Manager];
        const ADMIN: &[Role] = &[Admin];
        match self {
            Work(kind, verb) => kind.granted(verb),
            ServiceRead | OwnTokens | OwnSettings | ServiceReportRead => EVERYONE,
            GroupRead | UserRead | OrgRead | ConformityRead | SmsRead | ServiceLevelRead
            | SurveyRead | MailRead => STAFF,
            ServiceWrite | GroupWrite | RequirementWrite | SmsWrite | ServiceLevelWrite
            | ServiceReportIssue | SurveyWrite | CustomerWrite => OWNERS,
            SurveyAnswer => &[Customer],
            EvidenceWrite => &[Admin, Manager, Auditor],
            DocumentAcknowledge | MailReview => &[Admin, Agent, Manager],
            AuditRead | JobRead => &[Admin, Auditor],
            UserWrite | OrgWrite | JobRetry => ADMIN,
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 403: the actor may know the record exists but may not do this.
    Forbidden,
    /// 404: the actor may not learn that the record exists.
    Hidden,
}

/// Which records of organisation-owned types an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    Organisation(i64),
}

impl Visibility {
    pub fn of(actor: &Actor) -> Visibility {
        if actor.role.is_staff() {
            Visibility::All
        } else {
            Visibility::Organisation(actor.org_id)
        }
    }

    pub fn includes(self, record_org: i64) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Organisation(org) => org == record_org,
        }
    }
}

/// May `actor` do `action` on a record of `record_org` (or on the collection, when `None`)?
pub fn authorize(actor: &Actor, action: Action, record_org: Option<i64>) -> Decision {
    if let Some(org) = record_org
        && !Visibility::of(actor).includes(org)
    {
        return Decision::Hidden;
    }
    let allowed = action.granted().contains(&actor.role);
    if allowed {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: i64) -> Actor {
        Actor {
            user_id: 1,
            role,
            org_id: org,
            name: "x".into(),
        }
    }

    #[test]
    fn customers_never_learn_of_other_organisations_records() {
        let c = actor(Role::Customer, 7);
        for action in [
            Action::Work(Kind::Incident, Verb::Read),
            Action::Work(Kind::Incident, Verb::Comment),
            Action::Work(Kind::Incident, Verb::Update),
        ] {
            assert_eq!(authorize(&c, action, Some(8)), Decision::Hidden);
        }
        assert_eq!(
            authorize(&c, Action::Work(Kind::Incident, Verb::Read), Some(7)),
            Decision::Allow
        );
        assert_eq!(
            authorize(&c, Action::Work(Kind::Incident, Verb::WorkNote), Some(7)),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(&c, Action::Work(Kind::Incident, Verb::Update), Some(7)),
            Decision::Forbidden
        );
    }

    #[test]
    fn auditor_reads_but_never_writes() {
        let a = actor(Role::Auditor, 1);
        assert_eq!(authorize(&a, Action::AuditRead, None), Decision::Allow);
        assert_eq!(
            authorize(&a, Action::Work(Kind::Incident, Verb::Read), Some(5)),
            Decision::Allow
        );
        for w in [
            Action::Work(Kind::Incident, Verb::Create),
            Action::Work(Kind::Incident, Verb::Update),
            Action::Work(Kind::Incident, Verb::Comment),
            Action::ServiceWrite,
            Action::UserWrite,
        ] {
            assert_eq!(authorize(&a, w, Some(5)), Decision::Forbidden);
        }
    }

    #[test]
    fn admins_hold_every_general_right_and_customers_only_their_own() {
        // Answering a survey is a customer contact's own act: nobody else is asked.
        for action in Action::GENERAL {
            let admin = action.granted().contains(&Role::Admin);
            assert_eq!(admin, action != Action::SurveyAnswer, "{action:?}");
        }
        let customer: Vec<_> = Action::GENERAL
            .into_iter()
            .filter(|a| a.granted().contains(&Role::Customer))
            .collect();
        assert_eq!(
            customer,
            [
                Action::ServiceRead,
                Action::OwnTokens,
                Action::OwnSettings,
                Action::ServiceReportRead,
                Action::SurveyAnswer
            ]
        );
    }

    #[test]
    fn a_verb_no_descriptor_grants_is_refused_to_everyone() {
        // A kind that grants nothing for a verb: nobody may, admins included.
        for kind in Kind::ALL {
            for verb in Verb::ALL {
                let roles = kind.granted(verb);
                for role in Role::ALL {
                    let d = authorize(&actor(role, 1), Action::Work(kind, verb), None);
                    assert_eq!(d == Decision::Allow, roles.contains(&role));
                }
            }
        }
    }

    #[test]
    fn staff_rights() {
        let agent = actor(Role::Agent, 1);
        assert_eq!(
            authorize(
                &agent,
                Action::Work(Kind::Incident, Verb::WorkNote),
                Some(3)
            ),
            Decision::Allow
        );
        assert_eq!(
            authorize(&agent, Action::ServiceWrite, None),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(&agent, Action::UserWrite, None),
            Decision::Forbidden
        );
        let mgr = actor(Role::Manager, 1);
        assert_eq!(authorize(&mgr, Action::ServiceWrite, None), Decision::Allow);
        assert_eq!(
            authorize(&mgr, Action::AuditRead, None),
            Decision::Forbidden
        );
        let admin = actor(Role::Admin, 1);
        assert_eq!(authorize(&admin, Action::OrgWrite, None), Decision::Allow);
    }
}
