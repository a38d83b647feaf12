//! Incidents: the row, its fields, filters, order and keyset pages.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Incident {
    pub id: i64,
    pub number: String,
    pub org_id: i64,
    pub org_name: String,
    pub service_id: i64,
    pub service_number: String,
    pub service_name: String,
    pub caller_id: i64,
    pub caller_name: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: i64,
    pub urgency: i64,
    pub priority: i64,
    pub state: crate::Code<IncidentState>,
    pub hold_reason: Option<crate::Code<HoldReason>>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub major: bool,
    pub resolution_code: Option<crate::Code<ResolutionCode>>,
    pub resolution_notes: Option<String>,
    pub reopen_count: i64,
    pub opened_at: UtcMillis,
    pub first_response_at: Option<UtcMillis>,
    pub resolved_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
    pub updated_at: UtcMillis,
    pub version: i64,
    /// The nearest due time of a running SLA clock; [`steward_domain::sla::NEVER`] when none runs.
    pub sla_due_at: UtcMillis,
}

impl Incident {
    /// The incident as a work record of the kernel.
    pub fn record_ref(&self) -> crate::RecordRef {
        crate::RecordRef {
            id: self.id,
            kind: steward_domain::kind::INCIDENT.to_owned(),
            number: self.number.clone(),
            org_id: self.org_id,
            title: self.title.clone(),
            state: self.state.as_str().to_owned(),
            state_category: self.state().category().as_str().to_owned(),
            service_id: Some(self.service_id),
            category: Some(self.category.clone()),
        }
    }

    pub fn state(&self) -> IncidentState {
        self.state.0
    }

    /// The nearest due time of a running SLA clock.
    pub fn sla_due(&self) -> Option<UtcMillis> {
        (self.sla_due_at < steward_domain::sla::NEVER).then_some(self.sla_due_at)
    }

    /// What decides the notifications of a change.
    pub fn snapshot(&self) -> steward_domain::notify::Snapshot {
        steward_domain::notify::Snapshot {
            state: self.state(),
            assignee_id: self.assignee_id,
        }
    }

    /// What the SLA clocks need to know of the incident.
    pub fn case_facts(&self) -> CaseFacts {
        CaseFacts {
            org_id: self.org_id,
            service_id: self.service_id,
            priority: u8::try_from(self.priority).unwrap_or(5),
            state: self.state(),
            hold_reason: self.hold_reason.map(crate::Code::get),
            opened_at: self.opened_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            group_id: self.group_id,
            assignee_id: self.assignee_id,
        }
    }

    /// The lifecycle part of the record, for the domain's state machine.
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            state: self.state(),
            hold_reason: self.hold_reason.map(crate::Code::get),
            resolution_code: self.resolution_code.map(crate::Code::get),
            resolution_notes: self.resolution_notes.clone(),
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
            reopen_count: self.reopen_count,
        }
    }

    /// The fields a change may touch, as they are now.
    pub fn fields(&self) -> IncidentFields {
        IncidentFields {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            impact: self.impact,
            urgency: self.urgency,
            priority: self.priority,
            service_id: self.service_id,
            group_id: self.group_id,
            assignee_id: self.assignee_id,
            major: self.major,
            lifecycle: self.lifecycle(),
        }
    }
}

/// The mutable part of an incident: what an update or a transition may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFields {
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: i64,
    pub urgency: i64,
    pub priority: i64,
    pub service_id: i64,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub major: bool,
    pub lifecycle: Lifecycle,
}

/// A new incident with its references resolved.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub org_id: i64,
    pub caller_id: i64,
    pub fields: IncidentFields,
    /// What the references are called, when the caller has just read them
    /// (from [`IncidentRefs`]); otherwise the store reads them.
    pub names: Option<IncidentNames>,
}

/// The names of a new incident's references, for its record and audit entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IncidentNames {
    pub org_name: String,
    pub service_number: String,
    pub service_name: String,
    pub caller_name: String,
    pub group_name: Option<String>,
    pub assignee_name: Option<String>,
}

/// The caller of a new incident: a user by id (the actor) or by e-mail.
#[derive(Debug, Clone, Copy)]
pub enum CallerRef<'a> {
    Id(i64),
    Email(&'a str),
}

/// What a new incident refers to, by the names a user types.
#[derive(Debug, Clone, Copy)]
pub struct IncidentRefsQuery<'a> {
    pub caller: CallerRef<'a>,
    /// A canonical service number (`SVC-0001`).
    pub service: &'a str,
    pub group: Option<&'a str>,
    /// An e-mail address.
    pub assignee: Option<&'a str>,
}

/// A new incident's references as found, in one read; `None` where nothing
/// answers to the name.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct IncidentRefs {
    pub caller_id: Option<i64>,
    pub caller_org_id: Option<i64>,
    pub caller_org_name: Option<String>,
    pub caller_name: Option<String>,
    pub caller_role: Option<String>,
    pub caller_active: Option<bool>,
    pub service_id: Option<i64>,
    pub service_number: Option<String>,
    pub service_name: Option<String>,
    pub service_status: Option<String>,
    /// Whether the caller's organisation receives the service.
    pub service_delivered: bool,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_role: Option<String>,
    pub assignee_active: Option<bool>,
    /// Whether the assignee belongs to the group.
    pub assignee_in_group: bool,
}

/// An incident brought in with its own history (demo data, migrations from
/// another tool): times are kept as given instead of being stamped now.
#[derive(Debug, Clone)]
pub struct ImportedIncident {
    pub incident: NewIncident,
    pub opened_at: UtcMillis,
    pub comments: Vec<ImportedComment>,
}

#[derive(Debug, Clone)]
pub struct ImportedComment {
    pub author_id: i64,
    pub visibility: String,
    pub body: String,
    pub created_at: UtcMillis,
}

/// Which incidents to list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub states: Vec<String>,
    pub priority: Option<i64>,
    pub service_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// Only incidents without an assignee.
    pub unassigned: bool,
    /// Only incidents assigned to one of these groups.
    pub group_ids: Option<Vec<i64>>,
    pub org_id: Option<i64>,
    pub major: Option<bool>,
    /// Case-insensitive words in the title, description or number.
    pub text: Option<String>,
}

/// List order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncidentOrder {
    /// Newest first (opened_at, id descending).
    #[default]
    Newest,
    /// Most urgent first, then oldest first: the order work is taken in.
    Priority,
    /// Nearest SLA due time first (least time left); incidents without a running clock last.
    Due,
}
