//! Service requests (8.6.2): catalogue offerings, requests with their
//! approvals and fulfilment tasks.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::access::Role;
use steward_domain::form::FormSpec;
use steward_domain::request::{
    ApprovalLine, ApprovalMode, ApprovalRule, ApproverKind, ApproverRef, Decision, RequestState,
    TaskPlan, TaskState, TaskTemplate,
};

use super::kernel::kind_row;
use super::{Cursor, Listed, RecordCore, RecordRow};

/// A catalogue offering as stored: its form, approval rule and plan are
/// JSON the domain checked when it was written.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Offering {
    pub id: i64,
    pub number: String,
    pub service_id: i64,
    pub service_number: String,
    pub service_name: String,
    pub name: String,
    pub description: String,
    pub form: String,
    pub approval: String,
    pub plan: String,
    pub roles: String,
    pub price: i64,
    pub target_minutes: i64,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub active: bool,
    /// Its service is live: only then may it be ordered.
    pub service_live: bool,
    /// The organisations named, comma-separated ids (none: the service's customers).
    pub org_ids: Option<String>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

impl Offering {
    pub fn form(&self) -> FormSpec {
        serde_json::from_str(&self.form).unwrap_or_default()
    }

    pub fn approval(&self) -> ApprovalRule {
        serde_json::from_str(&self.approval).unwrap_or_default()
    }

    pub fn plan(&self) -> TaskPlan {
        serde_json::from_str(&self.plan).unwrap_or_default()
    }

    pub fn roles(&self) -> Vec<Role> {
        self.roles
            .split_whitespace()
            .filter_map(Role::parse)
            .collect()
    }

    pub fn orgs(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .org_ids
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        v.sort_unstable();
        v
    }
}

/// An offering as an admin writes it, references resolved and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferingWrite {
    pub service_id: i64,
    pub name: String,
    pub description: String,
    pub form: FormSpec,
    pub approval: ApprovalRule,
    pub plan: TaskPlan,
    pub roles: Vec<Role>,
    pub price: i64,
    pub target_minutes: i64,
    pub calendar_id: i64,
    pub active: bool,
    pub orgs: Vec<i64>,
}

/// Which offerings a list shows.
#[derive(Debug, Clone, Default)]
pub struct OfferingFilter {
    pub service_id: Option<i64>,
    /// Only those a requester of this organisation and role may order (active,
    /// offered to the organisation, or to the service's customers).
    pub orderable_by: Option<(i64, Role)>,
    pub active_only: bool,
}

/// A request: its record and its own fields.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Request {
    #[sqlx(flatten)]
    pub record: RecordRow<RequestState>,
    pub offering_id: i64,
    pub offering_number: String,
    pub offering_name: String,
    pub answers: String,
    pub cost: i64,
    pub approval_mode: crate::Code<ApprovalMode>,
    pub approval_required: bool,
    pub sequential: bool,
    pub note: Option<String>,
    /// Who ordered it (staff may order for someone): never its approver.
    pub ordered_by: Option<i64>,
}

kind_row!(Request, RequestState);

impl Request {
    /// The answers as stored, in the form's order.
    pub fn answers(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.answers).unwrap_or_default()
    }
}

/// A fulfilment task: its record and the request it serves.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Task {
    #[sqlx(flatten)]
    pub record: RecordRow<TaskState>,
    pub request_id: i64,
    pub request_number: String,
    pub seq: i64,
    pub note: Option<String>,
}

kind_row!(Task, TaskState);

/// One approval of a request, with the names people read.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Approval {
    pub id: i64,
    pub seq: i64,
    pub approver: crate::Code<ApproverKind>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub decision: crate::Code<Decision>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<UtcMillis>,
}

impl Approval {
    pub fn line(&self) -> ApprovalLine {
        ApprovalLine {
            approver: ApproverRef {
                kind: self.approver.get(),
                group_id: self.group_id,
            },
            user_id: self.user_id,
            decision: self.decision.get(),
            decided_by: self.decided_by,
            decided_at: self.decided_at,
        }
    }
}

/// A new request, checked: its record, what was ordered and answered, who
/// approves (a manager by id, a group by id) and how it is fulfilled.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub org_id: i64,
    pub requester_id: i64,
    pub core: RecordCore,
    pub offering_id: i64,
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub cost: i64,
    pub mode: ApprovalMode,
    /// The approvals asked (none: straight to fulfilment).
    pub approvals: Vec<(ApproverRef, Option<i64>)>,
    pub tasks: Vec<TaskTemplate>,
    pub sequential: bool,
    /// The approval e-mail job to queue with it (when mail goes out and
    /// someone has to approve), its attempts.
    pub mail_attempts: Option<i64>,
}

/// Someone a pending approval asks, to be mailed a link.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApprovalAsk {
    pub approval_id: i64,
    pub user_id: i64,
    pub email: String,
    pub name: String,
}

/// A mailed approval link, found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApprovalLink {
    pub approval_id: i64,
    pub user_id: i64,
    pub expires_at: UtcMillis,
    /// The request's number.
    pub number: String,
}

/// A request as a change sees it, read under its lock: the record, its
/// approvals and its tasks (id, state, in order).
#[derive(Debug, Clone)]
pub struct RequestNow {
    pub request: Request,
    pub approvals: Vec<ApprovalLine>,
    pub tasks: Vec<TaskState>,
}

/// What a change to a request decides: its approvals and, for a step on the
/// request itself, its state and note. The store derives the rest.
#[derive(Debug, Clone)]
pub struct RequestChange {
    pub approvals: Vec<ApprovalLine>,
    pub state: Option<RequestState>,
    pub note: Option<String>,
}
