//! Nonconformities (ISO/IEC 20000-1 10.1), a kind of the work-record kernel:
//! the operations the API, the web UI and the demo share. Raised by hand or
//! from the record that revealed them (a complaint, a breached incident, an
//! audit finding), corrected, analysed for their root cause and closed once
//! their corrective actions ([`crate::actions`]) are done and found
//! effective. Comments, links and history are the kernel's (`crate::records`).

pub mod api;
pub mod demo;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::link::LinkType;
use steward_domain::nonconformity::{
    self, Analysis, CauseCategory, Finding, NonconformityState, STEPS, Severity, Source,
    parse_clause, parse_code,
};
use steward_domain::number::NumberKind;
use steward_store::{AuditActor, NewNonconformity, Nonconformity, NonconformityFields, Page};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::records;

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Nonconformity, verb)
}

new_record_input! {
    /// A new nonconformity: the requirement not met (title, description,
    /// clause) and where it was found. Raised from a record (`from`), it is
    /// linked to it.
    pub struct NonconformityInput {
        /// finding, complaint, sla_breach, review or other (default: the kind
        /// of `from`, or other).
        pub source: Option<String>,
        /// major or minor (default minor).
        pub severity: Option<String>,
        /// The requirement not met, a clause of 4 to 10 (`8.6.1`).
        pub clause: Option<String>,
        /// The record it was found on (`CMP-0001`, `INC-000123`): linked to it.
        pub from: Option<String>,
        /// What was done at once to contain it.
        pub correction: Option<String>,
    }
}

record_patch! {
    /// Changes to a nonconformity: absent fields stay as they are; an empty
    /// text, clause or cause category clears it.
    pub struct NonconformityPatch {
        pub source: Option<String>,
        pub severity: Option<String>,
        pub clause: Option<String>,
        pub correction: Option<String>,
        /// Why it happened: the five whys, or the cause found another way.
        pub root_cause: Option<String>,
        /// people, process, technology, supplier, information or external.
        pub cause_category: Option<String>,
    }
}

/// A step of a nonconformity's handling.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NonconformityStepInput {
    /// investigate, close or reject.
    pub action: String,
    /// For reject: why it is not a nonconformity.
    pub reason: Option<String>,
}

/// Filters and paging of the nonconformities.
pub type NonconformityListParams = crate::paging::KindListParams;

/// A nonconformity: its record (state new, investigating, closed or
/// rejected), what was found, its analysis, its open actions and whether its
/// cause recurs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NonconformityView {
    #[serde(flatten)]
    pub record: RecordView,
    pub source: Source,
    pub severity: Severity,
    pub clause: Option<String>,
    pub correction: Option<String>,
    pub root_cause: Option<String>,
    pub cause_category: Option<CauseCategory>,
    pub rejected_reason: Option<String>,
    /// Its corrective actions not yet closed or cancelled.
    pub open_actions: i64,
    /// Other nonconformities with the same clause or cause category within a
    /// year: the cause recurs.
    pub recurring: i64,
}

impl NonconformityView {
    pub fn of(n: &Nonconformity, now: i64) -> NonconformityView {
        NonconformityView {
            record: RecordView::of(n, now),
            source: n.source.get(),
            severity: n.severity.get(),
            clause: n.clause.clone(),
            correction: n.correction.clone(),
            root_cause: n.root_cause.clone(),
            cause_category: n.cause_category.map(steward_store::Code::get),
            rejected_reason: n.rejected_reason.clone(),
            open_actions: n.open_actions,
            recurring: n.recurring,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NonconformityPage {
    pub items: Vec<NonconformityView>,
    pub next_cursor: Option<String>,
}

/// A nonconformity the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Nonconformity> {
    let number = NumberKind::Nonconformity
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let n = state.store.nonconformity(&number).await?;
    require(actor, action(Verb::Read), Some(n.org_id))?;
    Ok(n)
}

fn source(p: &mut Problems, typed: &str) -> Option<Source> {
    parse_code(p, "source", typed, Source::parse, Source::codes)
}

fn severity(p: &mut Problems, typed: &str) -> Option<Severity> {
    parse_code(p, "severity", typed, Severity::parse, Severity::codes)
}

/// Where a nonconformity raised from a record of `kind` comes from.
pub fn source_of(kind: Kind) -> Source {
    match kind {
        Kind::Complaint => Source::Complaint,
        Kind::Incident => Source::SlaBreach,
        Kind::Finding => Source::Finding,
        _ => Source::Other,
    }
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &NonconformityInput,
) -> AppResult<Nonconformity> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    // The record it was found on: one the actor sees (404 otherwise).
    let from = match input.from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(records::get(state, actor, n).await.map_err(|e| match e {
            AppError::NotFound => {
                AppError::field("from", format!("no record {n:?} to raise it from"))
            }
            e => e,
        })?),
    };
    let source = match input.source.as_deref() {
        Some(s) => source(&mut p, s),
        None => Some(
            from.as_ref()
                .map(|r| r.kind())
                .transpose()?
                .map_or(Source::Other, source_of),
        ),
    };
    // Raised from an audit finding, it takes the finding's clause and grade.
    let finding = match from.as_ref() {
        Some(r) if r.kind == steward_domain::kind::FINDING => {
            Some(state.store.finding(&r.number).await?)
        }
        _ => None,
    };
    let severity = match (input.severity.as_deref(), &finding) {
        (Some(s), _) => severity(&mut p, s),
        (None, Some(f)) if f.grade.get() == steward_domain::internal_audit::Grade::Major => {
            Some(Severity::Major)
        }
        _ => Some(Severity::Minor),
    };
    let typed_clause = match (input.clause.as_deref().map(str::trim), &finding) {
        (None | Some(""), Some(f)) => f.clause.as_str(),
        (c, _) => c.unwrap_or_default(),
    };
    let clause = parse_clause(&mut p, "clause", typed_clause);
    let correction = Analysis::text(
        &mut p,
        "correction",
        input.correction.as_deref().unwrap_or_default(),
    );
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let (core, source, severity) = p.finish((core, source, severity))?;
    let (Some(core), Some(source), Some(severity)) = (core, source, severity) else {
        return Err(AppError::NotFound);
    };
    let new = NewNonconformity {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: NonconformityFields {
            core,
            finding: Finding {
                source,
                severity,
                clause,
            },
            analysis: Analysis {
                correction,
                ..Default::default()
            },
            ..Default::default()
        },
    };
    let n = state
        .store
        .create_nonconformity(&AuditActor::from(actor), &new)
        .await?;
    if let Some(from) = from {
        let this = records::get(state, actor, &n.number).await?;
        records::link_refs(state, actor, &this, &from, LinkType::RelatedTo).await?;
    }
    Ok(n)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &NonconformityPatch,
    if_match: Option<i64>,
) -> AppResult<Nonconformity> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_nonconformity(
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
                if let Some(s) = patch.source.as_deref() {
                    f.finding.source = source(&mut p, s).unwrap_or(f.finding.source);
                }
                if let Some(s) = patch.severity.as_deref() {
                    f.finding.severity = severity(&mut p, s).unwrap_or(f.finding.severity);
                }
                if let Some(c) = patch.clause.as_deref() {
                    f.finding.clause = parse_clause(&mut p, "clause", c);
                }
                let a = &mut f.analysis;
                if let Some(t) = patch.correction.as_deref() {
                    a.correction = Analysis::text(&mut p, "correction", t);
                }
                if let Some(t) = patch.root_cause.as_deref() {
                    a.root_cause = Analysis::text(&mut p, "root_cause", t);
                }
                if let Some(c) = patch.cause_category.as_deref().map(str::trim) {
                    a.cause_category = match c {
                        "" => None,
                        c => parse_code(
                            &mut p,
                            "cause_category",
                            c,
                            CauseCategory::parse,
                            CauseCategory::codes,
                        ),
                    };
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
    input: &NonconformityStepInput,
    if_match: Option<i64>,
) -> AppResult<Nonconformity> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let (spec, text) = parse_step(STEPS, &input.action, input.reason.as_deref())?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_nonconformity(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |n| {
                let mut f = n.fields();
                (f.state, f.life) = nonconformity::apply(
                    n.state(),
                    &f.life,
                    &f.analysis,
                    n.open_actions,
                    spec.action,
                    text,
                    now,
                )?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// Nonconformities newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &NonconformityListParams,
) -> AppResult<Page<Nonconformity>> {
    require(actor, action(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<NonconformityState>()?;
    Ok(state
        .store
        .list_nonconformities(&filter, cursor, limit)
        .await?)
}
