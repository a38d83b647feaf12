//! Findings of internal audits (ISO/IEC 20000-1 9.2), a kind of the
//! work-record kernel: the operations the API, the web UI and the demo
//! share. A finding is recorded on an audit in progress, names the clause and
//! the evidence, links the records it was seen on, and is answered: a major
//! or minor nonconformity closes once a nonconformity is raised from it.

pub mod api;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::internal_audit::{self as ia, FINDING_STEPS, FindingState, Grade};
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::link::LinkType;
use steward_domain::nonconformity::{parse_clause, parse_code};
use steward_domain::number::NumberKind;
use steward_domain::text;
use steward_store::{AuditActor, Finding, FindingFields, NewFinding, Page};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::records;

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Finding, verb)
}

new_record_input! {
    /// A new finding of an audit in progress: its grade, the clause, the
    /// evidence, and the records it was seen on.
    pub struct FindingInput {
        /// The audit, e.g. `AUD-0001`.
        #[serde(default)]
        pub audit: String,
        /// major, minor, observation or opportunity.
        #[serde(default)]
        pub grade: String,
        /// The requirement it is about, e.g. `8.6.1`.
        #[serde(default)]
        pub clause: String,
        /// What the auditor saw.
        #[serde(default)]
        pub evidence: String,
        /// Records it was seen on (`INC-000042`): linked to it.
        #[serde(default)]
        pub records: Vec<String>,
    }
}

record_patch! {
    /// Changes to an open finding: absent fields stay as they are.
    pub struct FindingPatch {
        pub grade: Option<String>,
        pub clause: Option<String>,
        pub evidence: Option<String>,
    }
}

/// A step of a finding.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingStepInput {
    /// close, or withdraw (with the reason).
    pub action: String,
    pub reason: Option<String>,
}

/// Filters and paging of the findings.
pub type FindingListParams = crate::paging::KindListParams;

/// A finding: its record (state open, closed or withdrawn), audit, grade,
/// clause and evidence.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    #[serde(flatten)]
    pub record: RecordView,
    pub audit: String,
    pub grade: Grade,
    pub clause: String,
    pub evidence: String,
    pub withdrawn_reason: Option<String>,
    /// Nonconformities raised from it.
    pub nonconformities: i64,
}

impl FindingView {
    pub fn of(f: &Finding, now: i64) -> FindingView {
        FindingView {
            record: RecordView::of(f, now),
            audit: f.audit_number.clone(),
            grade: f.grade.get(),
            clause: f.clause.clone(),
            evidence: f.evidence.clone(),
            withdrawn_reason: f.withdrawn_reason.clone(),
            nonconformities: f.nonconformities,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingView>,
    pub next_cursor: Option<String>,
}

/// A finding the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Finding> {
    let number = NumberKind::Finding
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let f = state.store.finding(&number).await?;
    require(actor, action(Verb::Read), Some(f.org_id))?;
    Ok(f)
}

fn grade(p: &mut Problems, typed: &str) -> Option<Grade> {
    parse_code(p, "grade", typed, Grade::parse, Grade::codes)
}

fn evidence(p: &mut Problems, typed: &str) -> String {
    text::required_body(p, "evidence", typed, text::BODY_MAX)
}

fn clause(p: &mut Problems, typed: &str) -> Option<String> {
    let c = parse_clause(p, "clause", typed);
    if typed.trim().is_empty() {
        p.add("clause", "name the requirement it is about, e.g. 8.6.1");
    }
    c
}

pub async fn create(state: &AppState, actor: &Actor, input: &FindingInput) -> AppResult<Finding> {
    require(actor, action(Verb::Create), None)?;
    let audit = crate::audits::get(state, actor, &input.audit)
        .await
        .map_err(|e| match e {
            AppError::NotFound => {
                AppError::field("audit", format!("no audit {:?}", input.audit.trim()))
            }
            e => e,
        })?;
    ia::takes_findings(audit.state())?;
    let mut p = Problems::default();
    let grade = grade(&mut p, &input.grade);
    let clause = clause(&mut p, &input.clause);
    let evidence = evidence(&mut p, &input.evidence);
    // The records it was seen on, each one the actor sees.
    let mut seen = Vec::new();
    for n in input.records.iter().flat_map(|r| r.split([',', ' ', '\n'])) {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        match records::get(state, actor, n).await {
            Ok(r) => seen.push(r),
            Err(AppError::NotFound) => p.add("records", format!("no record {n:?}")),
            Err(e) => return Err(e),
        }
    }
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let (core, grade, clause) = p.finish((core, grade, clause))?;
    let (Some(core), Some(grade), Some(clause)) = (core, grade, clause) else {
        return Err(AppError::NotFound);
    };
    let new = NewFinding {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: FindingFields {
            core,
            audit_id: audit.id,
            grade,
            clause,
            evidence,
            ..Default::default()
        },
    };
    let f = state
        .store
        .create_finding(&AuditActor::from(actor), &new)
        .await?;
    if !seen.is_empty() {
        let this = records::get(state, actor, &f.number).await?;
        for r in &seen {
            records::link_refs(state, actor, &this, r, LinkType::RelatedTo).await?;
        }
        return get(state, actor, &f.number).await;
    }
    Ok(f)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &FindingPatch,
    if_match: Option<i64>,
) -> AppResult<Finding> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_finding(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| {
                if now.state().is_final() {
                    return Err(now.state().refuse("change").into());
                }
                let mut f = now.fields();
                let mut p = Problems::default();
                let core = patched_core(&matrix, &f.core, patch.core(), &refs, &mut p);
                if let Some(g) = patch.grade.as_deref() {
                    f.grade = grade(&mut p, g).unwrap_or(f.grade);
                }
                if let Some(c) = patch.clause.as_deref() {
                    f.clause = clause(&mut p, c).unwrap_or(f.clause);
                }
                if let Some(e) = patch.evidence.as_deref() {
                    f.evidence = evidence(&mut p, e);
                }
                f.core = p.finish(core)?.unwrap_or(f.core);
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &FindingStepInput,
    if_match: Option<i64>,
) -> AppResult<Finding> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let (spec, text) = parse_step(FINDING_STEPS, &input.action, input.reason.as_deref())?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_finding(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |f| {
                let mut x = f.fields();
                (x.state, x.life) = ia::apply_finding(
                    f.state(),
                    &x.life,
                    x.grade,
                    f.nonconformities,
                    spec.action,
                    text,
                    now,
                )?;
                Ok(x)
            },
        )
        .await;
    Ok(updated?)
}

/// The findings, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &FindingListParams,
) -> AppResult<Page<Finding>> {
    require(actor, action(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<FindingState>()?;
    Ok(state.store.list_findings(&filter, cursor, limit).await?)
}
