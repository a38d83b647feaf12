//! An audit's checklist: the requirements in its scope with their evidence
//! status as of its first day.

use jiff::civil::Date;
use serde::Serialize;
use steward_domain::access::Actor;
use steward_domain::conformity::Outcome;
use steward_domain::internal_audit as ia;

use super::get;
use crate::AppState;
use crate::error::AppResult;

/// One requirement of an audit's checklist.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub clause: String,
    pub title: String,
    /// What the requirement asks, in Steward's words.
    pub summary: String,
    /// Its evidence status as of the checklist's day: met, partly_met,
    /// not_met, no_data or not_assessed.
    pub evidence: String,
    /// The same in words.
    pub evidence_label: String,
    /// The audit's findings on it.
    pub findings: Vec<String>,
}

/// An audit's checklist: the catalogue's requirements in its scope, each
/// with its evidence status as of the audit's first day (or today, before).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    /// The day the evidence is judged as of: the audit's first day, or
    /// today before it (or when no snapshot was kept on or before it).
    pub as_of: String,
    /// The day of the snapshot that judgement comes from, for a past day.
    pub snapshot_of: Option<String>,
    pub items: Vec<ChecklistItem>,
}

pub async fn checklist(state: &AppState, actor: &Actor, number: &str) -> AppResult<Checklist> {
    let audit = get(state, actor, number).await?;
    let today = crate::registers::today();
    let day = audit.starts_on.parse::<Date>().ok().filter(|d| *d < today);
    let (mut assessment, mut snapshot_of) = crate::conformity::judged_as_of(state, day).await?;
    // No snapshot kept on or before that day: judged as of today, and said so.
    let mut judged_on = day.unwrap_or(today);
    if day.is_some() && snapshot_of.is_none() {
        (assessment, snapshot_of) = crate::conformity::judged_as_of(state, None).await?;
        judged_on = today;
    }
    let outcome = |clause: &str| {
        assessment
            .requirement(clause)
            .map_or(Outcome::NotAssessed, |a| a.outcome)
    };
    let findings = state.store.findings_of(audit.id).await?;
    let items = ia::requirements_in(&audit.scope())
        .into_iter()
        .map(|r| ChecklistItem {
            clause: r.clause.clone(),
            title: r.title.clone(),
            summary: r.summary.clone(),
            evidence: outcome(&r.clause).as_str().to_owned(),
            evidence_label: outcome(&r.clause).label().to_owned(),
            findings: findings
                .iter()
                .filter(|f| f.clause == r.clause)
                .map(|f| f.number.clone())
                .collect(),
        })
        .collect();
    Ok(Checklist {
        as_of: judged_on.to_string(),
        snapshot_of,
        items,
    })
}
