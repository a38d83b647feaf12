//! Each kind's descriptor: its code, number, names, path, and who may do
//! what with it (a verb not granted is refused to everyone).

use super::*;
use crate::access::Role;
use crate::number::NumberKind;

use Role::{Admin, Agent, Auditor, Customer, Manager};

const EVERYONE: &[Role] = &[Admin, Agent, Manager, Auditor, Customer];
const STAFF: &[Role] = &[Admin, Agent, Manager, Auditor];
const WORKERS: &[Role] = &[Admin, Agent, Manager];
const WORKERS_AND_CUSTOMERS: &[Role] = &[Admin, Agent, Manager, Customer];
/// Internal auditors carry out audits; the people who run the SMS plan them.
const AUDITING: &[Role] = &[Admin, Manager, Auditor];

pub(super) static INCIDENT_SPEC: KindSpec = KindSpec {
    kind: Kind::Incident,
    code: INCIDENT,
    number: NumberKind::Incident,
    label: "Incident",
    plural: "Incidents",
    path: "incidents",
    grants: &[
        (Verb::Read, EVERYONE),
        (Verb::Create, WORKERS_AND_CUSTOMERS),
        (Verb::Update, WORKERS),
        // Which steps a customer may take is the lifecycle's rule.
        (Verb::Transition, WORKERS_AND_CUSTOMERS),
        (Verb::Comment, WORKERS_AND_CUSTOMERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
        // The customer rates how their incident was resolved.
        (Verb::Rate, &[Customer]),
    ],
};

/// Problems are the provider's own work: staff see them; customers see only
/// the known errors published to them, never the problem record.
pub(super) static PROBLEM_SPEC: KindSpec = KindSpec {
    kind: Kind::Problem,
    code: PROBLEM,
    number: NumberKind::Problem,
    label: "Problem",
    plural: "Problems",
    path: "problems",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, WORKERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// Complaints are the customer's voice: customers raise them and read their
/// own organisation's; the provider answers and closes them.
pub(super) static COMPLAINT_SPEC: KindSpec = KindSpec {
    kind: Kind::Complaint,
    code: COMPLAINT,
    number: NumberKind::Complaint,
    label: "Complaint",
    plural: "Complaints",
    path: "complaints",
    grants: &[
        (Verb::Read, EVERYONE),
        (Verb::Create, WORKERS_AND_CUSTOMERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS_AND_CUSTOMERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// Nonconformities are the provider's own: staff (auditors included) read
/// them; the people who run the SMS handle them.
pub(super) static NONCONFORMITY_SPEC: KindSpec = KindSpec {
    kind: Kind::Nonconformity,
    code: NONCONFORMITY,
    number: NumberKind::Nonconformity,
    label: "Nonconformity",
    plural: "Nonconformities",
    path: "nonconformities",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, WORKERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// Actions follow from the provider's own records (a nonconformity, a
/// review): staff read them, the people who run the SMS carry them out.
pub(super) static ACTION_SPEC: KindSpec = KindSpec {
    kind: Kind::Action,
    code: ACTION,
    number: NumberKind::Action,
    label: "Action",
    plural: "Actions",
    path: "actions",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, WORKERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// The improvement register is the provider's own: staff read it, the people
/// who run the SMS propose, approve and carry out improvements.
pub(super) static IMPROVEMENT_SPEC: KindSpec = KindSpec {
    kind: Kind::Improvement,
    code: IMPROVEMENT,
    number: NumberKind::Improvement,
    label: "Improvement",
    plural: "Improvements",
    path: "improvements",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, WORKERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// Internal audits are planned by the SMS's managers and carried out by
/// internal auditors; all staff read them (the people audited too).
pub(super) static AUDIT_SPEC: KindSpec = KindSpec {
    kind: Kind::Audit,
    code: AUDIT,
    number: NumberKind::Audit,
    label: "Audit",
    plural: "Audits",
    path: "audits",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, AUDITING),
        (Verb::Update, AUDITING),
        (Verb::Transition, AUDITING),
        (Verb::Comment, AUDITING),
        (Verb::WorkNote, AUDITING),
        (Verb::Link, AUDITING),
    ],
};

/// An audit's findings are the auditors' to record; all staff read them,
/// and the people who run the SMS answer them with nonconformities.
pub(super) static FINDING_SPEC: KindSpec = KindSpec {
    kind: Kind::Finding,
    code: FINDING,
    number: NumberKind::Finding,
    label: "Finding",
    plural: "Findings",
    path: "findings",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, AUDITING),
        (Verb::Update, AUDITING),
        (Verb::Transition, AUDITING),
        (Verb::Comment, STAFF),
        (Verb::WorkNote, STAFF),
        (Verb::Link, STAFF),
    ],
};

/// Management reviews are top management's: staff read them; managers (and
/// admins) plan, hold and record them.
pub(super) static REVIEW_SPEC: KindSpec = KindSpec {
    kind: Kind::Review,
    code: REVIEW,
    number: NumberKind::Review,
    label: "Management review",
    plural: "Reviews",
    path: "reviews",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Create, &[Admin, Manager]),
        (Verb::Update, &[Admin, Manager]),
        (Verb::Transition, &[Admin, Manager]),
        (Verb::Comment, &[Admin, Manager]),
        (Verb::WorkNote, &[Admin, Manager]),
        (Verb::Link, &[Admin, Manager]),
    ],
};

/// Knowledge articles: staff write, review and publish them; who reads a
/// published one is its audience (the kernel's read rule asks the store for
/// customers). Its readers, auditors aside, say whether it helped.
pub(super) static ARTICLE_SPEC: KindSpec = KindSpec {
    kind: Kind::Article,
    code: ARTICLE,
    number: NumberKind::Article,
    label: "Article",
    plural: "Knowledge",
    path: "articles",
    grants: &[
        (Verb::Read, EVERYONE),
        (Verb::Create, WORKERS),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
        // Its readers, but not auditors, who change nothing.
        (Verb::Feedback, WORKERS_AND_CUSTOMERS),
    ],
};

/// Service requests: customers order them for their organisation and
/// follow them; staff fulfil them. Whoever the offering names approves
/// (the policy lets any signed-in worker or customer ask; the request's
/// approvals say whether they are one of its approvers).
pub(super) static REQUEST_SPEC: KindSpec = KindSpec {
    kind: Kind::Request,
    code: REQUEST,
    number: NumberKind::Request,
    label: "Request",
    plural: "Requests",
    path: "requests",
    grants: &[
        (Verb::Read, EVERYONE),
        (Verb::Create, WORKERS_AND_CUSTOMERS),
        (Verb::Update, WORKERS),
        // A customer cancels their own; which steps is the request's rule.
        (Verb::Transition, WORKERS_AND_CUSTOMERS),
        (Verb::Comment, WORKERS_AND_CUSTOMERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
        (Verb::Approve, WORKERS_AND_CUSTOMERS),
    ],
};

/// A request's fulfilment tasks are the provider's own work: made by the
/// offering's plan (nobody raises one by hand), read by staff, done by workers.
pub(super) static TASK_SPEC: KindSpec = KindSpec {
    kind: Kind::Task,
    code: TASK,
    number: NumberKind::Task,
    label: "Task",
    plural: "Tasks",
    path: "tasks",
    grants: &[
        (Verb::Read, STAFF),
        (Verb::Update, WORKERS),
        (Verb::Transition, WORKERS),
        (Verb::Comment, WORKERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};

/// Service reviews are held with a customer: its people read their own
/// organisation's and comment; the provider's managers plan and record them.
pub(super) static SERVICE_REVIEW_SPEC: KindSpec = KindSpec {
    kind: Kind::ServiceReview,
    code: SERVICE_REVIEW,
    number: NumberKind::ServiceReview,
    label: "Service review",
    plural: "Service reviews",
    path: "service-reviews",
    grants: &[
        (Verb::Read, EVERYONE),
        (Verb::Create, &[Admin, Manager]),
        (Verb::Update, &[Admin, Manager]),
        (Verb::Transition, &[Admin, Manager]),
        (Verb::Comment, WORKERS_AND_CUSTOMERS),
        (Verb::WorkNote, WORKERS),
        (Verb::Link, WORKERS),
    ],
};
