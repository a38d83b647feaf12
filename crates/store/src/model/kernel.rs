//! Rows of the work-record kernel (ADR 0010) and of the kinds built on it
//! beyond incidents: record references, typed links, problems.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::action::{ActionLife, ActionState, Effectiveness};
use steward_domain::audit::Changes;
use steward_domain::complaint::{ComplaintLife, ComplaintState};
use steward_domain::improvement::{ImprovementLife, ImprovementSource, ImprovementState, Promise};
use steward_domain::kind::Kind;
use steward_domain::link::LinkType;
use steward_domain::nonconformity::{
    Analysis, CauseCategory, Finding, NonconformityLife, NonconformityState, Severity, Source,
};
use steward_domain::problem::{ProblemLife, ProblemState};

use crate::StoreError;

/// Any work record, by what the kernel knows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RecordRef {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub org_id: i64,
    pub title: String,
    pub state: String,
    pub state_category: String,
    pub service_id: Option<i64>,
    pub category: Option<String>,
}

impl RecordRef {
    /// The record's kind; a kind no descriptor knows fails loudly.
    pub fn kind(&self) -> Result<Kind, StoreError> {
        Kind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "record {} has an unknown kind {:?}",
                self.number, self.kind
            ))
        })
    }
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

/// A row of a keyset list of records, newest first: where the next page starts after it.
pub trait Listed {
    fn cursor(&self) -> Cursor;
}

/// Which records of a kind a list shows, by the kernel's columns.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// State codes; empty for all.
    pub states: Vec<String>,
    pub assignee_id: Option<i64>,
    /// Text in the title, or a record number.
    pub text: Option<String>,
    /// Only this organisation's (a customer's view).
    pub org_id: Option<i64>,
}

/// A link as one of its ends reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordLink {
    pub id: i64,
    /// The type from the reading record's side ("caused_by" on the incident).
    pub link_type: LinkType,
    pub other: RecordRef,
    pub created_at: UtcMillis,
}

/// A stored link row joined with the record at its other end.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LinkRow {
    pub link_id: i64,
    pub a_id: i64,
    pub link_type: String,
    pub created_at: UtcMillis,
    #[sqlx(flatten)]
    pub other: RecordRef,
}

impl LinkRow {
    pub(crate) fn read_from(self, record_id: i64) -> Result<RecordLink, StoreError> {
        let stored = LinkType::parse(&self.link_type).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "link {} has an unknown type {:?}",
                self.link_id, self.link_type
            ))
        })?;
        Ok(RecordLink {
            id: self.link_id,
            link_type: if self.a_id == record_id {
                stored
            } else {
                stored.inverse()
            },
            other: self.other,
            created_at: self.created_at,
        })
    }
}

/// A work record of one kind as the kernel stores it, with the names of what
/// it refers to: what every kind's list, page and view read. A kind's row
/// flattens it beside its own fields (`record_select!` selects both).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RecordRow<S> {
    pub id: i64,
    pub number: String,
    pub org_id: i64,
    pub service_id: Option<i64>,
    pub service_number: Option<String>,
    pub service_name: Option<String>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: i64,
    pub urgency: i64,
    pub priority: i64,
    pub state: crate::Code<S>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub requester_id: Option<i64>,
    pub requester_name: Option<String>,
    pub target_at: Option<UtcMillis>,
    pub opened_at: UtcMillis,
    pub resolved_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
    pub updated_at: UtcMillis,
    pub version: i64,
}

impl<S: crate::code::CodeValue> RecordRow<S> {
    pub fn state(&self) -> S {
        self.state.0
    }

    /// The fields a change may touch, as they are.
    pub fn core(&self) -> RecordCore {
        RecordCore {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            impact: self.impact,
            urgency: self.urgency,
            priority: self.priority,
            service_id: self.service_id,
            group_id: self.group_id,
            assignee_id: self.assignee_id,
            target_at: self.target_at,
        }
    }
}

impl<S> Listed for RecordRow<S> {
    fn cursor(&self) -> Cursor {
        Cursor {
            priority: self.priority,
            opened_at: self.opened_at,
            id: self.id,
            sla_due_at: 0,
        }
    }
}

/// A kind's row is its work record and its own fields: it reads as its
/// record (`p.title`, `p.state()`), as a task's child reads its parent.
macro_rules! kind_row {
    ($row:ty, $state:ty) => {
        impl std::ops::Deref for $row {
            type Target = RecordRow<$state>;
            fn deref(&self) -> &RecordRow<$state> {
                &self.record
            }
        }

        impl Listed for $row {
            fn cursor(&self) -> Cursor {
                self.record.cursor()
            }
        }
    };
}
pub(crate) use kind_row;

/// A problem: its work record and its own fields.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Problem {
    #[sqlx(flatten)]
    pub record: RecordRow<ProblemState>,
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
    pub permanent_fix: Option<String>,
    pub known_error_at: Option<UtcMillis>,
    pub published: bool,
    /// Incidents linked to it (any link type).
    pub incident_count: i64,
}

kind_row!(Problem, ProblemState);

impl Problem {
    pub fn life(&self) -> ProblemLife {
        ProblemLife {
            root_cause: self.root_cause.clone(),
            workaround: self.workaround.clone(),
            permanent_fix: self.permanent_fix.clone(),
            known_error_at: self.known_error_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
        }
    }

    pub fn fields(&self) -> ProblemFields {
        ProblemFields {
            core: self.core(),
            published: self.published,
            state: self.state(),
            life: self.life(),
        }
    }
}

/// A new record of a kind (its `fields`), with its references resolved: in
/// the organisation `org_id`, raised by `requester_id`.
#[derive(Debug, Clone)]
pub struct NewRecord<F> {
    pub org_id: i64,
    pub requester_id: Option<i64>,
    pub fields: F,
}

/// What every kind's record keeps on `work_records` besides its lifecycle:
/// the fields a kind's create and versioned change write with the kernel's
/// columns (`queries::records::core_set`), compared once for the history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordCore {
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: i64,
    pub urgency: i64,
    pub priority: i64,
    pub service_id: Option<i64>,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub target_at: Option<UtcMillis>,
}

impl RecordCore {
    /// What changed from `self` to `to` (references by id), added to `c`.
    pub fn diff(&self, to: &RecordCore, c: &mut Changes) {
        c.diff("title", &self.title, &to.title);
        c.diff("description", &self.description, &to.description);
        c.diff("category", &self.category, &to.category);
        c.diff("impact", &self.impact, &to.impact);
        c.diff("urgency", &self.urgency, &to.urgency);
        c.diff("priority", &self.priority, &to.priority);
        c.diff("service_id", &self.service_id, &to.service_id);
        c.diff("group_id", &self.group_id, &to.group_id);
        c.diff("assignee_id", &self.assignee_id, &to.assignee_id);
        c.diff("target_at", &self.target_at, &to.target_at);
    }
}

/// What a change to a problem may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProblemFields {
    pub core: RecordCore,
    pub published: bool,
    pub state: ProblemState,
    pub life: ProblemLife,
}

/// A new problem with its references resolved.
#[derive(Debug, Clone)]
pub struct NewProblem {
    pub org_id: i64,
    pub requester_id: Option<i64>,
    pub fields: ProblemFields,
}

/// Which problems to list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub record: RecordFilter,
    /// Those that affect this service (among others).
    pub service_id: Option<i64>,
    /// Only known errors (a workaround recorded, not closed or cancelled).
    pub known_errors: bool,
}

/// A known error as an incident's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct KnownError {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub workaround: String,
    pub published: bool,
    /// Whether it is linked to the incident (otherwise it matched by service and category).
    pub linked: bool,
}

/// An incident linked to a problem, for the problem's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LinkedIncident {
    pub link_id: i64,
    pub id: i64,
    pub number: String,
    pub title: String,
    pub state: String,
    pub priority: i64,
    pub org_name: String,
    pub opened_at: UtcMillis,
}

/// A complaint: its work record (in the complaining customer's organisation)
/// and its own fields.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Complaint {
    #[sqlx(flatten)]
    pub record: RecordRow<ComplaintState>,
    pub response: Option<String>,
    pub responded_at: Option<UtcMillis>,
    pub org_name: String,
}

kind_row!(Complaint, ComplaintState);

impl Complaint {
    pub fn fields(&self) -> ComplaintFields {
        ComplaintFields {
            core: self.core(),
            state: self.state(),
            life: ComplaintLife {
                response: self.response.clone(),
                responded_at: self.responded_at,
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to a complaint may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ComplaintFields {
    pub core: RecordCore,
    pub state: ComplaintState,
    pub life: ComplaintLife,
}

/// A new complaint with its references resolved.
pub type NewComplaint = NewRecord<ComplaintFields>;

/// A nonconformity: its work record, what was found, its analysis, and what
/// its row is read with: its open actions and the others sharing its cause.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Nonconformity {
    #[sqlx(flatten)]
    pub record: RecordRow<NonconformityState>,
    pub source: crate::Code<Source>,
    pub severity: crate::Code<Severity>,
    pub clause: Option<String>,
    pub correction: Option<String>,
    pub root_cause: Option<String>,
    pub cause_category: Option<crate::Code<CauseCategory>>,
    pub rejected_reason: Option<String>,
    /// Its actions not yet closed or cancelled.
    pub open_actions: i64,
    /// Other nonconformities (not rejected) with the same clause or cause
    /// category opened within a year of it: a recurring cause.
    pub recurring: i64,
}

kind_row!(Nonconformity, NonconformityState);

impl Nonconformity {
    pub fn fields(&self) -> NonconformityFields {
        NonconformityFields {
            core: self.core(),
            state: self.state(),
            finding: Finding {
                source: self.source.get(),
                severity: self.severity.get(),
                clause: self.clause.clone(),
            },
            analysis: Analysis {
                correction: self.correction.clone(),
                root_cause: self.root_cause.clone(),
                cause_category: self.cause_category.map(crate::Code::get),
            },
            life: NonconformityLife {
                rejected_reason: self.rejected_reason.clone(),
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to a nonconformity may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonconformityFields {
    pub core: RecordCore,
    pub state: NonconformityState,
    pub finding: Finding,
    pub analysis: Analysis,
    pub life: NonconformityLife,
}

impl Default for NonconformityFields {
    fn default() -> Self {
        NonconformityFields {
            core: RecordCore::default(),
            state: NonconformityState::default(),
            finding: Finding {
                source: Source::Other,
                severity: Severity::Minor,
                clause: None,
            },
            analysis: Analysis::default(),
            life: NonconformityLife::default(),
        }
    }
}

/// A new nonconformity with its references resolved.
pub type NewNonconformity = NewRecord<NonconformityFields>;

/// An action: its work record, the record it follows from, and its life.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Action {
    #[sqlx(flatten)]
    pub record: RecordRow<ActionState>,
    pub parent_id: i64,
    pub parent_number: String,
    pub parent_kind: String,
    pub parent_title: String,
    pub review_after_days: Option<i64>,
    pub outcome: Option<String>,
    pub completed_at: Option<UtcMillis>,
    pub review_due_at: Option<UtcMillis>,
    pub effectiveness: Option<crate::Code<Effectiveness>>,
    pub review: Option<String>,
    pub reviewed_at: Option<UtcMillis>,
}

kind_row!(Action, ActionState);

impl Action {
    pub fn fields(&self) -> ActionFields {
        ActionFields {
            core: self.core(),
            state: self.state(),
            parent_id: self.parent_id,
            life: ActionLife {
                review_after_days: self.review_after_days,
                outcome: self.outcome.clone(),
                completed_at: self.completed_at,
                review_due_at: self.review_due_at,
                effectiveness: self.effectiveness.map(crate::Code::get),
                review: self.review.clone(),
                reviewed_at: self.reviewed_at,
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to an action may touch (its parent is fixed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionFields {
    pub core: RecordCore,
    pub state: ActionState,
    pub parent_id: i64,
    pub life: ActionLife,
}

/// A new action with its references resolved.
pub type NewAction = NewRecord<ActionFields>;

/// An improvement: its work record, what it promises, the objective it
/// serves and its evaluation.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Improvement {
    #[sqlx(flatten)]
    pub record: RecordRow<ImprovementState>,
    pub source: crate::Code<ImprovementSource>,
    pub expected_benefit: Option<String>,
    pub measure: Option<String>,
    pub objective_id: Option<i64>,
    pub objective_number: Option<String>,
    pub objective_title: Option<String>,
    pub rejected_reason: Option<String>,
    pub done_at: Option<UtcMillis>,
    pub benefit_met: Option<bool>,
    pub evaluation: Option<String>,
    pub evaluated_at: Option<UtcMillis>,
}

kind_row!(Improvement, ImprovementState);

impl Improvement {
    pub fn fields(&self) -> ImprovementFields {
        ImprovementFields {
            core: self.core(),
            state: self.state(),
            source: self.source.get(),
            promise: Promise {
                expected_benefit: self.expected_benefit.clone(),
                measure: self.measure.clone(),
            },
            objective_id: self.objective_id,
            life: ImprovementLife {
                rejected_reason: self.rejected_reason.clone(),
                done_at: self.done_at,
                benefit_met: self.benefit_met,
                evaluation: self.evaluation.clone(),
                evaluated_at: self.evaluated_at,
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to an improvement may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImprovementFields {
    pub core: RecordCore,
    pub state: ImprovementState,
    pub source: ImprovementSource,
    pub promise: Promise,
    pub objective_id: Option<i64>,
    pub life: ImprovementLife,
}

impl Default for ImprovementFields {
    fn default() -> Self {
        ImprovementFields {
            core: RecordCore::default(),
            state: ImprovementState::default(),
            source: ImprovementSource::Staff,
            promise: Promise::default(),
            objective_id: None,
            life: ImprovementLife::default(),
        }
    }
}

/// A new improvement with its references resolved.
pub type NewImprovement = NewRecord<ImprovementFields>;
