//! The records the store reads and writes, as plain rows.
//!
//! Enumerations travel as their snake_case names; the domain parses them.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::access::{Actor, Role, Visibility};
use steward_domain::agreement::{Candidate, Target};
use steward_domain::calendar::CalendarSpec;
use steward_domain::incident::{HoldReason, IncidentState, Lifecycle, ResolutionCode};
use steward_domain::sla::{CaseFacts, ClockKind, ClockStatus, SlaClock, SlaTerms};

/// Who a write is attributed to in the audit trail.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub label: String,
}

impl AuditActor {
    /// A change made by Steward itself or an operator at the command line.
    pub fn system(label: &str) -> AuditActor {
        AuditActor {
            user_id: None,
            label: label.to_owned(),
        }
    }
}

impl From<&Actor> for AuditActor {
    fn from(a: &Actor) -> Self {
        AuditActor {
            user_id: Some(a.user_id),
            label: a.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub time_zone: String,
    pub created_at: UtcMillis,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `provider` or `customer`.
    pub org_kind: String,
    pub email: String,
    pub name: String,
    pub role: crate::Code<Role>,
    pub time_zone: Option<String>,
    pub org_time_zone: String,
    pub active: bool,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.get()
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role(),
            org_id: self.org_id,
            name: self.name.clone(),
        }
    }

    /// The user's own time zone, or their organisation's.
    pub fn effective_time_zone(&self) -> &str {
        self.time_zone.as_deref().unwrap_or(&self.org_time_zone)
    }
}

/// A user with the secret needed to log in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AssignmentGroup {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub members: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: UtcMillis,
    pub last_used_at: Option<UtcMillis>,
    pub revoked_at: Option<UtcMillis>,
}

/// A live browser session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub user_id: i64,
    pub created_at: UtcMillis,
    pub csrf_token: String,
    pub last_seen_at: UtcMillis,
    pub expires_at: UtcMillis,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Service {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// New or changed fields of a service.
#[derive(Debug, Clone)]
pub struct ServiceFields {
    pub name: String,
    pub description: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub customer_org_ids: Vec<i64>,
}

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

/// Position after which the next page starts. Opaque to clients (the server encodes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub priority: i64,
    pub opened_at: UtcMillis,
    pub id: i64,
    pub sla_due_at: UtcMillis,
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub record_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub visibility: String,
    pub body: String,
    pub created_at: UtcMillis,
}

/// A file attached to an incident.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub record_id: i64,
    pub record_number: String,
    pub org_id: i64,
    /// The comment it was attached to, if any.
    pub comment_id: Option<i64>,
    /// `public` (the customer sees it) or `internal` (staff only, like a work note).
    pub visibility: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where the bytes are kept in the data folder; never shown to users.
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: Option<String>,
    pub created_at: UtcMillis,
}

/// A file to record, already checked and stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The comment it belongs to; its visibility must then be the comment's.
    pub comment_id: Option<i64>,
    pub visibility: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: UtcMillis,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub org_id: Option<i64>,
    pub record_type: String,
    pub record_number: String,
    pub action: String,
    pub changes: String,
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub record_type: Option<String>,
    pub record_number: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    /// Entries with an id below this one (keyset, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Sealed entries whose link was checked.
    pub verified: i64,
    /// Entries not yet sealed (written, waiting for the sealer).
    pub unsealed: i64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub entry_id: Option<i64>,
    pub reason: String,
}

/// Visibility turns into SQL through this one helper so that handlers never
/// write their own organisation filters.
pub fn scope_org(v: Visibility) -> Option<i64> {
    match v {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    }
}

/// A record an evidence figure counted as not good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Gap {
    /// incident, service, organisation, group or audit.
    pub kind: String,
    /// Its number or name.
    pub record_key: String,
    pub title: String,
}

/// A scalar field of an SMS record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Int(i64),
    Real(f64),
    /// Text, a choice, a date (`YYYY-MM-DD`) or a figure name.
    Text(String),
    User {
        id: i64,
        email: String,
        name: String,
    },
}

/// One entry of a many-valued field of an SMS record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmsLink {
    pub field: String,
    /// user, service, record or process.
    pub target_type: String,
    pub target_id: Option<i64>,
    /// E-mail, service number, record number or clause.
    pub key: String,
    /// Name or title of what it points at.
    pub label: String,
    /// The RACI letter of a process link.
    pub value: Option<String>,
}

/// A record of one of the SMS registers.
#[derive(Debug, Clone, Serialize)]
pub struct SmsRecord {
    pub id: i64,
    pub register: steward_domain::register::Register,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: String,
    /// The register's scalar fields by name.
    pub values: std::collections::BTreeMap<String, FieldValue>,
    pub links: Vec<SmsLink>,
    /// Documents: the version being written and the one in force.
    pub doc_version: i64,
    pub approved_version: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<UtcMillis>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

impl SmsRecord {
    pub fn value(&self, field: &str) -> &FieldValue {
        self.values.get(field).unwrap_or(&FieldValue::Null)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        match self.value(field) {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn links_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a SmsLink> {
        self.links.iter().filter(move |l| l.field == field)
    }
}

/// What to write for an SMS record: checked and resolved by the caller.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    pub register: steward_domain::register::Register,
    pub title: String,
    pub description: String,
    pub status: String,
    /// The scalar fields by name (users carry their id).
    pub values: std::collections::BTreeMap<&'static str, FieldValue>,
    /// Every link of the record (the previous ones are replaced).
    pub links: Vec<SmsLink>,
    /// For the audit trail.
    pub changes: steward_domain::audit::Changes,
}

/// A file of an SMS record (a document version) or of manual evidence.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RecordFile {
    pub id: i64,
    pub record_id: Option<i64>,
    pub version_no: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_by_name: Option<String>,
    pub created_at: UtcMillis,
}

/// When an evidence figure is computed: the instant, the calendar day (UTC)
/// that date fields are compared with, and the risk score that counts as high.
#[derive(Debug, Clone)]
pub struct FigureAt {
    pub now: UtcMillis,
    /// `YYYY-MM-DD`.
    pub today: String,
    pub high_score: i64,
}

/// One check's result on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SnapshotRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub check_id: String,
    pub outcome: String,
    pub counted: i64,
    pub good: i64,
}

/// A requirement's owner, how it is met, and notes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct RequirementNote {
    pub clause: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    /// `us`, or `other_party` (with the controls we keep over it).
    pub operated_by: String,
    pub controls: String,
    pub notes: String,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// Manual evidence or a note on a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub clause: String,
    /// record, file or note.
    pub kind: String,
    /// incident, service or record (an SMS record).
    pub record_type: Option<String>,
    pub record_key: Option<String>,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub note: String,
    pub created_by_name: Option<String>,
    pub created_at: UtcMillis,
}

#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub clause: String,
    pub kind: String,
    pub record_type: Option<String>,
    pub record_key: Option<String>,
    pub file_id: Option<i64>,
    pub note: String,
}

/// A business calendar as stored: its spec is the JSON of
/// `steward_domain::calendar::CalendarSpec`.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredCalendar {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub spec: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// A service level (`sla`) or operational level (`ola`) agreement.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Agreement {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub title: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_email: Option<String>,
    pub review_on: Option<String>,
    pub warn_percent: i64,
    /// JSON: `{"1": [response, resolution], ...}` in business minutes.
    pub targets: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
    /// (service id, number), filled by the store.
    #[sqlx(skip)]
    pub services: Vec<(i64, String)>,
}

impl Agreement {
    pub fn fields(&self) -> AgreementFields {
        AgreementFields {
            kind: self.kind.clone(),
            title: self.title.clone(),
            org_id: self.org_id,
            group_id: self.group_id,
            calendar_id: self.calendar_id,
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            status: self.status.clone(),
            owner_id: self.owner_id,
            review_on: self.review_on.clone(),
            warn_percent: self.warn_percent,
            targets: self.targets.clone(),
            service_ids: self.services.iter().map(|(id, _)| *id).collect(),
        }
    }
}

/// What to write for an agreement, checked and resolved by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgreementFields {
    pub kind: String,
    pub title: String,
    pub org_id: Option<i64>,
    pub group_id: Option<i64>,
    pub calendar_id: i64,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub status: String,
    pub owner_id: Option<i64>,
    pub review_on: Option<String>,
    pub warn_percent: i64,
    pub targets: String,
    pub service_ids: Vec<i64>,
}

/// An SLA clock as stored; [`ClockRow::into_clock`] gives the domain's clock.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClockRow {
    pub record_id: i64,
    pub kind: crate::Code<ClockKind>,
    pub agreement: String,
    pub calendar_id: i64,
    pub priority: i64,
    pub target_minutes: i64,
    pub warn_percent: i64,
    pub status: crate::Code<ClockStatus>,
    pub elapsed_ms: i64,
    pub running_since: Option<UtcMillis>,
    pub due_at: Option<UtcMillis>,
    pub warn_at: Option<UtcMillis>,
    pub warned_at: Option<UtcMillis>,
    pub breached_at: Option<UtcMillis>,
    pub stopped_at: Option<UtcMillis>,
    pub breach_reason: Option<String>,
}

impl ClockRow {
    pub fn clock(&self) -> SlaClock {
        self.clone().into_clock()
    }

    pub fn into_clock(self) -> SlaClock {
        SlaClock {
            kind: self.kind.get(),
            agreement: self.agreement,
            calendar_id: self.calendar_id,
            priority: u8::try_from(self.priority).unwrap_or(5),
            target_minutes: self.target_minutes,
            warn_percent: self.warn_percent,
            status: self.status.get(),
            elapsed_ms: self.elapsed_ms,
            running_since: self.running_since,
            due_at: self.due_at,
            warn_at: self.warn_at,
            warned_at: self.warned_at,
            breached_at: self.breached_at,
            stopped_at: self.stopped_at,
        }
    }
}

/// A closed interval of an SLA clock.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ClockIntervalRow {
    pub kind: String,
    pub started_at: UtcMillis,
    pub ended_at: UtcMillis,
    pub business_ms: i64,
    pub ended_by: String,
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON.
    pub payload: String,
    /// The record whose event caused the job.
    pub record_id: Option<i64>,
    /// Not before (default: now).
    pub run_at: Option<UtcMillis>,
    pub max_attempts: i64,
}

impl NewJob {
    /// The notification job of an incident event.
    pub fn notify(
        event: steward_domain::notify::Event,
        record_id: i64,
        actor_id: Option<i64>,
        comment_id: Option<i64>,
    ) -> NewJob {
        let mut j = NewJob::new(
            "notify",
            &serde_json::json!({
                "event": event.as_str(),
                "actor_id": actor_id,
                "comment_id": comment_id,
            }),
        );
        j.record_id = Some(record_id);
        j
    }

    pub fn new(kind: &str, payload: &serde_json::Value) -> NewJob {
        NewJob {
            kind: kind.to_owned(),
            payload: payload.to_string(),
            record_id: None,
            run_at: None,
            max_attempts: 5,
        }
    }
}

/// A claimed job that ran to success, with the jobs it causes.
#[derive(Debug, Clone, Copy)]
pub struct CompletedJob<'a> {
    pub job: &'a Job,
    pub started_at: UtcMillis,
    pub caused: &'a [NewJob],
}

/// A background job.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub record_id: Option<i64>,
    /// queued, running, done or dead.
    pub state: String,
    pub run_at: UtcMillis,
    pub attempts: i64,
    pub max_attempts: i64,
    #[serde(skip)]
    pub claim: Option<String>,
    pub lease_until: Option<UtcMillis>,
    pub last_error: Option<String>,
    pub created_at: UtcMillis,
    pub finished_at: Option<UtcMillis>,
}

/// One finished attempt of a job.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct JobRun {
    pub job_id: i64,
    pub attempt: i64,
    pub worker: String,
    pub started_at: UtcMillis,
    pub finished_at: UtcMillis,
    /// done or failed.
    pub outcome: String,
    pub error: Option<String>,
}

/// Jobs per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

impl Agreement {
    /// The targets by priority.
    pub fn targets(&self) -> std::collections::BTreeMap<u8, Target> {
        serde_json::from_str::<std::collections::BTreeMap<String, [i64; 2]>>(&self.targets)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(p, [r, s])| {
                Some((
                    p.parse().ok()?,
                    Target {
                        response_minutes: r,
                        resolution_minutes: s,
                    },
                ))
            })
            .collect()
    }

    /// What the rule that picks an incident's agreement needs of this one.
    pub fn candidate(&self) -> Option<Candidate> {
        Some(Candidate {
            number: self.number.clone(),
            org_id: self.org_id,
            service_ids: self.services.iter().map(|(id, _)| *id).collect(),
            agreed: self.status == "agreed",
            valid_from: self.valid_from.parse().ok()?,
            valid_to: self.valid_to.as_deref().and_then(|d| d.parse().ok()),
            targets: self.targets(),
        })
    }
}

/// The SLAs and calendars that clocks are measured with, as the domain needs them.
pub fn sla_terms(agreements: &[Agreement], calendars: &[StoredCalendar]) -> SlaTerms {
    let slas = agreements.iter().filter(|a| a.kind == "sla");
    SlaTerms {
        candidates: slas.clone().filter_map(Agreement::candidate).collect(),
        terms: slas
            .map(|a| (a.number.clone(), (a.calendar_id, a.warn_percent)))
            .collect(),
        calendars: calendars
            .iter()
            .filter_map(|c| {
                let spec: CalendarSpec = serde_json::from_str(&c.spec).ok()?;
                Some((c.id, spec.check().ok()?))
            })
            .collect(),
    }
}

/// A clock that crossed its warning point or due time in a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub record_id: i64,
    pub number: String,
    pub clock: ClockKind,
    pub crossed: steward_domain::sla::Crossed,
    /// The incident's priority, impact and urgency when the clock crossed.
    pub priority: u8,
    pub impact: i64,
    pub urgency: i64,
}

/// A person around an incident who may be told of its events.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    /// Comma-separated events this person does not want to hear of.
    pub notify_muted: String,
    pub time_zone: String,
    pub is_caller: bool,
    pub is_assignee: bool,
    pub in_group: bool,
}

impl Recipient {
    pub fn person(&self) -> steward_domain::notify::Person {
        let role = Role::parse(&self.role);
        steward_domain::notify::Person {
            user_id: self.id,
            staff: role.is_some_and(|r| r.is_staff()),
            manager: role == Some(Role::Manager),
            active: self.active,
            muted: self
                .notify_muted
                .split(',')
                .filter_map(|e| steward_domain::notify::Event::parse(e.trim()))
                .collect(),
        }
    }
}

/// One month and clock kind of an agreement's SLA report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct SlaMonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// response or resolution.
    pub kind: String,
    /// Clocks that stopped in the month.
    pub stopped: i64,
    /// Of those, within the target.
    pub met: i64,
    pub mean_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// A breached clock and its incident, for the SLA report.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SlaBreachRow {
    pub number: String,
    pub title: String,
    pub kind: String,
    pub priority: i64,
    pub status: String,
    pub breached_at: UtcMillis,
    pub elapsed_ms: i64,
    pub target_minutes: i64,
    pub breach_reason: Option<String>,
}
