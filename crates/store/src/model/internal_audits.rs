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
