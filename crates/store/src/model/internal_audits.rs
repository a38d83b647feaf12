//! Internal audits and their findings (ISO/IEC 20000-1 9.2), kinds of the
//! work-record kernel, and the samples drawn for an audit.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::internal_audit::{AuditLife, AuditState, FindingLife, FindingState, Grade};

use super::kernel::kind_row;
use super::{Cursor, Listed, NewRecord, RecordCore, RecordRow};

/// An audit: its work record (the assignee is the lead auditor, the target
/// date its last day), its programme, scope, criteria, team and life.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Audit {
    #[sqlx(flatten)]
    pub record: RecordRow<AuditState>,
    pub programme_id: Option<i64>,
    pub programme_number: Option<String>,
    pub programme_title: Option<String>,
    /// The clauses covered, as stored (`" 8.6 9.1 "`): see [`Audit::scope`].
    #[sqlx(rename = "scope")]
    pub scope_text: String,
    pub criteria: Option<String>,
    pub starts_on: String,
    /// The team besides the lead auditor, as stored: see [`Audit::team`].
    #[sqlx(rename = "team")]
    pub team_text: String,
    pub started_at: Option<UtcMillis>,
    pub conclusion: Option<String>,
    pub reported_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
    /// Its findings, and those still open.
    pub findings: i64,
    pub open_findings: i64,
}

kind_row!(Audit, AuditState);

/// How an audit's scope is stored: clauses separated and surrounded by spaces.
pub fn scope_text(scope: &[String]) -> String {
    format!(" {} ", scope.join(" "))
}

/// How an audit's team is stored: user ids, comma-separated.
pub fn team_text(team: &[i64]) -> String {
    team.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Audit {
    /// The clauses the audit covers, in catalogue order.
    pub fn scope(&self) -> Vec<String> {
        self.scope_text
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// The ids of the audit team besides the lead auditor.
    pub fn team(&self) -> Vec<i64> {
        self.team_text
            .split(',')
            .filter_map(|t| t.trim().parse().ok())
            .collect()
    }

    pub fn fields(&self) -> AuditFields {
        AuditFields {
            core: self.core(),
            state: self.state(),
            programme_id: self.programme_id,
            plan: AuditPlan {
                scope: self.scope(),
                criteria: self.criteria.clone(),
                starts_on: self.starts_on.clone(),
                team: self.team(),
            },
            life: AuditLife {
                started_at: self.started_at,
                conclusion: self.conclusion.clone(),
                reported_at: self.reported_at,
                cancelled_reason: self.cancelled_reason.clone(),
                closed_at: self.closed_at,
            },
        }
    }
}

/// What an audit plans: its scope, criteria, first day and team.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditPlan {
    pub scope: Vec<String>,
    pub criteria: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub team: Vec<i64>,
}

/// What a change to an audit may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFields {
    pub core: RecordCore,
    pub state: AuditState,
    pub programme_id: Option<i64>,
    pub plan: AuditPlan,
    pub life: AuditLife,
}

/// A new audit with its references resolved.
pub type NewAudit = NewRecord<AuditFields>;

/// A finding of an audit: its work record, the audit, its grade, the clause
/// and the evidence.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Finding {
    #[sqlx(flatten)]
    pub record: RecordRow<FindingState>,
    pub audit_id: i64,
    pub audit_number: String,
    pub audit_title: String,
    pub grade: crate::Code<Grade>,
    pub clause: String,
    pub evidence: String,
    pub withdrawn_reason: Option<String>,
    /// Nonconformities linked to it (raised from it).
    pub nonconformities: i64,
}

kind_row!(Finding, FindingState);

impl Finding {
    pub fn fields(&self) -> FindingFields {
        FindingFields {
            core: self.core(),
            state: self.state(),
            audit_id: self.audit_id,
            grade: self.grade.get(),
            clause: self.clause.clone(),
            evidence: self.evidence.clone(),
            life: FindingLife {
                withdrawn_reason: self.withdrawn_reason.clone(),
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to a finding may touch (its audit is fixed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFields {
    pub core: RecordCore,
    pub state: FindingState,
    pub audit_id: i64,
    pub grade: Grade,
    pub clause: String,
    pub evidence: String,
    pub life: FindingLife,
}

impl Default for FindingFields {
    fn default() -> Self {
        FindingFields {
            core: RecordCore::default(),
            state: FindingState::default(),
            audit_id: 0,
            grade: Grade::Observation,
            clause: String::new(),
            evidence: String::new(),
            life: FindingLife::default(),
        }
    }
}

/// A new finding with its references resolved.
pub type NewFinding = NewRecord<FindingFields>;

/// A sample of records drawn for an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Sample {
    pub id: i64,
    pub audit_id: i64,
    /// The kind of record drawn (incident, problem, complaint...).
    pub kind: String,
    /// The period (`YYYY-MM-DD`, both days included) the records were opened in.
    pub from_on: String,
    pub to_on: String,
    pub size: i64,
    pub seed: String,
    pub population: i64,
    /// The numbers drawn, space-separated, in the order drawn.
    pub numbers: String,
    pub drawn_by_name: String,
    pub drawn_at: UtcMillis,
}

/// A sample to keep, drawn by the server.
#[derive(Debug, Clone)]
pub struct NewSample<'a> {
    pub audit_id: i64,
    pub audit_number: &'a str,
    pub kind: &'a str,
    pub from_on: &'a str,
    pub to_on: &'a str,
    pub size: i64,
    pub seed: &'a str,
    pub population: i64,
    pub numbers: Vec<String>,
    pub drawn_by: i64,
}

/// A role an auditor holds, with a process it names in its RACI.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoleHolding {
    pub user_id: i64,
    pub email: String,
    pub role_number: String,
    pub role_title: String,
    pub process: String,
    pub letter: Option<String>,
}

/// An audit as the programme's coverage reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlannedAudit {
    pub number: String,
    pub title: String,
    pub state: String,
    pub scope: String,
    pub starts_on: String,
    pub target_at: Option<UtcMillis>,
    pub assignee_name: Option<String>,
}

/// A management review: its work record (the target date is the review's
/// day), the period it reviews, attendees, decisions and life.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Review {
    #[sqlx(flatten)]
    pub record: RecordRow<steward_domain::review::ReviewState>,
    pub period_from: String,
    pub period_to: String,
    pub attendees: Option<String>,
    pub decisions: Option<String>,
    pub minutes: Option<String>,
    pub held_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
    /// Its actions not yet closed or cancelled.
    pub open_actions: i64,
}

kind_row!(Review, steward_domain::review::ReviewState);

impl Review {
    pub fn fields(&self) -> ReviewFields {
        ReviewFields {
            core: self.core(),
            state: self.state(),
            period_from: self.period_from.clone(),
            period_to: self.period_to.clone(),
            attendees: self.attendees.clone(),
            decisions: self.decisions.clone(),
            life: steward_domain::review::ReviewLife {
                minutes: self.minutes.clone(),
                held_at: self.held_at,
                cancelled_reason: self.cancelled_reason.clone(),
                closed_at: self.closed_at,
            },
        }
    }
}

/// What a change to a review may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewFields {
    pub core: RecordCore,
    pub state: steward_domain::review::ReviewState,
    pub period_from: String,
    pub period_to: String,
    pub attendees: Option<String>,
    pub decisions: Option<String>,
    pub life: steward_domain::review::ReviewLife,
}

/// A new review with its references resolved.
pub type NewReview = NewRecord<ReviewFields>;

/// What a management review's input pack counts over its period, each one
/// SQL aggregate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct ReviewFigures {
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub major_incidents: i64,
    pub clocks_stopped: i64,
    pub clocks_met: i64,
    pub breaches: i64,
    pub problems_opened: i64,
    pub problems_resolved: i64,
    pub problems_open: i64,
    pub complaints_opened: i64,
    pub complaints_open: i64,
    pub complaints_overdue: i64,
    pub ratings: i64,
    pub ratings_satisfied: i64,
    /// Scored answers to satisfaction surveys, and those of 4 or 5.
    pub survey_answers: i64,
    pub survey_satisfied: i64,
    pub nonconformities_opened: i64,
    pub nonconformities_open: i64,
    pub actions_open: i64,
    pub actions_overdue: i64,
    pub improvements_proposed: i64,
    pub improvements_done: i64,
    pub improvements_evaluated: i64,
    pub improvements_met: i64,
    pub audits_reported: i64,
    pub findings_major: i64,
    pub findings_minor: i64,
    pub findings_other: i64,
    pub findings_open: i64,
}

/// Incidents per month of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub opened: i64,
    pub resolved: i64,
}

/// An action of an earlier review, as the next review's pack lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CarriedAction {
    pub number: String,
    pub title: String,
    pub state: String,
    pub state_category: String,
    pub target_at: Option<UtcMillis>,
    pub assignee_name: Option<String>,
    pub review_number: String,
}

/// A register record changed in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RegisterChange {
    pub number: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub updated_at: UtcMillis,
}
