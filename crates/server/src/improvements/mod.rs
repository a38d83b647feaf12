//! The improvement register (ISO/IEC 20000-1 10.2), a kind of the
//! work-record kernel: the operations the API, the web UI and the demo
//! share. An improvement says what benefit it expects and how it will be
//! measured (both needed to approve it), may serve an objective of the SMS,
//! is carried out (with actions, [`crate::actions`]) and is evaluated against
//! the benefit expected.

pub mod api;
pub mod demo;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::improvement::{self, ImprovementSource, ImprovementState, STEPS};
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::link::LinkType;
use steward_domain::nonconformity::{Analysis, parse_code};
use steward_domain::number::NumberKind;
use steward_domain::register::Register;
use steward_store::{AuditActor, Improvement, ImprovementFields, NewImprovement, Page};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::records;
use crate::views::opt_time;

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Improvement, verb)
}

new_record_input! {
    /// A new improvement: the opportunity (title, description), where it
    /// came from, the benefit expected and how it will be measured.
    pub struct ImprovementInput {
        /// audit, review, complaint, nonconformity, staff or customer (default:
        /// the kind of `from`, or staff).
        pub source: Option<String>,
        pub expected_benefit: Option<String>,
        /// How the benefit will be measured.
        pub measure: Option<String>,
        /// The objective it serves, e.g. `OBJ-0002`.
        pub objective: Option<String>,
        /// The record it came from (`NCR-0001`, `CMP-0003`): linked to it.
        pub from: Option<String>,
    }
}

record_patch! {
    /// Changes to an improvement: absent fields stay as they are; an empty
    /// benefit, measure or objective clears it.
    pub struct ImprovementPatch {
        pub source: Option<String>,
        pub expected_benefit: Option<String>,
        pub measure: Option<String>,
        pub objective: Option<String>,
    }
}

/// A step of an improvement.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImprovementStepInput {
    /// approve, start, complete, evaluate_met, evaluate_not_met or reject.
    pub action: String,
    /// For the evaluations: what the measure showed.
    pub evaluation: Option<String>,
    /// For reject: why.
    pub reason: Option<String>,
}

/// Filters and paging of the improvements.
pub type ImprovementListParams = crate::paging::KindListParams;

/// An improvement: its record (state proposed, approved, in_progress, done,
/// evaluated or rejected), what it promises and how it was evaluated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImprovementView {
    #[serde(flatten)]
    pub record: RecordView,
    pub source: ImprovementSource,
    pub expected_benefit: Option<String>,
    pub measure: Option<String>,
    /// The objective it serves.
    pub objective: Option<String>,
    pub rejected_reason: Option<String>,
    pub done_at: Option<String>,
    /// Whether the benefit expected was achieved, once evaluated.
    pub benefit_met: Option<bool>,
    pub evaluation: Option<String>,
    pub evaluated_at: Option<String>,
}

impl ImprovementView {
    pub fn of(i: &Improvement, now: i64) -> ImprovementView {
        ImprovementView {
            record: RecordView::of(i, now),
            source: i.source.get(),
            expected_benefit: i.expected_benefit.clone(),
            measure: i.measure.clone(),
            objective: i.objective_number.clone(),
            rejected_reason: i.rejected_reason.clone(),
            done_at: opt_time(i.done_at),
            benefit_met: i.benefit_met,
            evaluation: i.evaluation.clone(),
            evaluated_at: opt_time(i.evaluated_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImprovementPage {
    pub items: Vec<ImprovementView>,
    pub next_cursor: Option<String>,
}

/// An improvement the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Improvement> {
    let number = NumberKind::Improvement
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let i = state.store.improvement(&number).await?;
    require(actor, action(Verb::Read), Some(i.org_id))?;
    Ok(i)
}

fn source(p: &mut Problems, typed: &str) -> Option<ImprovementSource> {
    parse_code(
        p,
        "source",
        typed,
        ImprovementSource::parse,
        ImprovementSource::codes,
    )
}

/// The objective `typed` names (`OBJ-0002`): its id, `None` for empty.
async fn objective(state: &AppState, p: &mut Problems, typed: &str) -> AppResult<Option<i64>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let found = match NumberKind::Record(Register::Objectives).canonical(typed) {
        Some(n) => state.store.sms_record_id(Register::Objectives, &n).await?,
        None => None,
    };
    if found.is_none() {
        p.add(
            "objective",
            format!("no objective {typed:?} (e.g. OBJ-0001)"),
        );
    }
    Ok(found)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &ImprovementInput,
) -> AppResult<Improvement> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    let from = match input.from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(records::get(state, actor, n).await.map_err(|e| match e {
            AppError::NotFound => AppError::field("from", format!("no record {n:?} it came from")),
            e => e,
        })?),
    };
    let source = match input.source.as_deref() {
        Some(s) => source(&mut p, s),
        None => Some(match from.as_ref().map(|r| r.kind()).transpose()? {
            Some(Kind::Complaint) => ImprovementSource::Complaint,
            Some(Kind::Nonconformity) => ImprovementSource::Nonconformity,
            Some(Kind::Audit | Kind::Finding) => ImprovementSource::Audit,
            _ => ImprovementSource::Staff,
        }),
    };
    let text = |p: &mut Problems, field: &str, v: &Option<String>| {
        Analysis::text(p, field, v.as_deref().unwrap_or_default())
    };
    let expected_benefit = text(&mut p, "expected_benefit", &input.expected_benefit);
    let measure = text(&mut p, "measure", &input.measure);
    let objective_id = objective(state, &mut p, input.objective.as_deref().unwrap_or("")).await?;
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let (core, source) = p.finish((core, source))?;
    let (Some(core), Some(source)) = (core, source) else {
        return Err(AppError::NotFound);
    };
    let new = NewImprovement {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: ImprovementFields {
            core,
            source,
            promise: improvement::Promise {
                expected_benefit,
                measure,
            },
            objective_id,
            ..Default::default()
        },
    };
    let i = state
        .store
        .create_improvement(&AuditActor::from(actor), &new)
        .await?;
    if let Some(from) = from {
        let this = records::get(state, actor, &i.number).await?;
        records::link_refs(state, actor, &this, &from, LinkType::RelatedTo).await?;
    }
    Ok(i)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ImprovementPatch,
    if_match: Option<i64>,
) -> AppResult<Improvement> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let mut found = Problems::default();
    let objective_id = match patch.objective.as_deref() {
        Some(o) => Some(objective(state, &mut found, o).await?),
        None => None,
    };
    found.finish(())?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_improvement(
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
                    f.source = source(&mut p, s).unwrap_or(f.source);
                }
                if let Some(t) = patch.expected_benefit.as_deref() {
                    f.promise.expected_benefit = Analysis::text(&mut p, "expected_benefit", t);
                }
                if let Some(t) = patch.measure.as_deref() {
                    f.promise.measure = Analysis::text(&mut p, "measure", t);
                }
                if let Some(o) = objective_id {
                    f.objective_id = o;
                }
                // Approved on its promise, it keeps one to be evaluated against.
                if now.state() != ImprovementState::Proposed {
                    for (field, kept) in [
                        ("expected_benefit", &f.promise.expected_benefit),
                        ("measure", &f.promise.measure),
                    ] {
                        if kept.is_none() {
                            p.add(field, "is kept once the improvement is approved");
                        }
                    }
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
    input: &ImprovementStepInput,
    if_match: Option<i64>,
) -> AppResult<Improvement> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let text = match input.action.as_str() {
        "reject" => input.reason.as_deref(),
        _ => input.evaluation.as_deref(),
    };
    let (spec, text) = parse_step(STEPS, &input.action, text)?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_improvement(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |i| {
                let mut f = i.fields();
                (f.state, f.life) =
                    improvement::apply(i.state(), &f.life, &f.promise, spec.action, text, now)?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// The improvement register, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ImprovementListParams,
) -> AppResult<Page<Improvement>> {
    require(actor, action(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<ImprovementState>()?;
    Ok(state
        .store
        .list_improvements(&filter, cursor, limit)
        .await?)
}
