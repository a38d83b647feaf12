//! Problem management (ISO/IEC 20000-1 8.6.3), a kind of the work-record
//! kernel: the operations the API, the web UI and the demo share. Comments,
//! links and history are the kernel's (`crate::records`).

pub mod api;
pub mod demo;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, Verb};
use steward_domain::link::LinkType;
use steward_domain::number::NumberKind;
use steward_domain::problem::{self, ProblemState, ProblemStep, TrendRule};
use steward_store::{
    AuditActor, NewProblem, Page, Problem, ProblemFields, ProblemFilter, RecordFilter,
};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::paging::ListBasics;
use crate::policy::require;
use crate::records::{self, Refs, RefsInput};
use crate::views::{ServiceRef, opt_time, time};

const READ: Action = Action::Work(Kind::Problem, Verb::Read);

new_record_input! {
    /// A new problem as people give it (references by number, name or e-mail);
    /// `service` is required: the service it affects first.
    pub struct ProblemInput {
        /// Incidents to link to it as caused by it, e.g. `["INC-000012"]`.
        #[serde(default)]
        pub incidents: Vec<String>,
    }
}

record_patch! {
    /// Changes to a problem; absent fields stay as they are, `null` clears.
    pub struct ProblemPatch {
        /// Show the known error's workaround to customers of the affected services.
        pub published: Option<bool>,
        /// Correct the root cause, once its step recorded one.
        pub root_cause: Option<String>,
        /// Correct the workaround, once the problem became a known error.
        pub workaround: Option<String>,
        /// Correct the permanent fix, once the problem was resolved.
        pub permanent_fix: Option<String>,
    }
}

/// A lifecycle step of a problem.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemStepInput {
    /// investigate, root_cause, known_error, resolve, close, reopen or cancel.
    pub action: String,
    /// For root_cause: what causes the incidents.
    pub root_cause: Option<String>,
    /// For known_error: how people get going again until it is fixed.
    pub workaround: Option<String>,
    /// For resolve: the permanent fix.
    pub permanent_fix: Option<String>,
}

/// Filters and paging of the problem list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProblemListParams {
    /// Comma-separated states, or `open` for all not resolved, closed or cancelled.
    pub state: Option<String>,
    /// Service number.
    pub service: Option<String>,
    /// Only known errors (a workaround recorded, still open).
    pub known_error: Option<bool>,
    /// Text in the title, or a problem number.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A problem: its record (state new, under_investigation, root_cause_known,
/// known_error, resolved, closed or cancelled) and its own fields.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    #[serde(flatten)]
    pub record: RecordView,
    /// Every service it affects.
    pub services: Vec<ServiceRef>,
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
    pub permanent_fix: Option<String>,
    pub known_error: bool,
    pub known_error_at: Option<String>,
    pub published: bool,
    pub incident_count: i64,
}

impl ProblemView {
    pub fn of(p: &Problem, services: Vec<ServiceRef>, now: i64) -> ProblemView {
        ProblemView {
            record: RecordView::of(p, now),
            services,
            root_cause: p.root_cause.clone(),
            workaround: p.workaround.clone(),
            permanent_fix: p.permanent_fix.clone(),
            known_error: is_known_error(p),
            known_error_at: opt_time(p.known_error_at),
            published: p.published,
            incident_count: p.incident_count,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemPage {
    pub items: Vec<ProblemView>,
    pub next_cursor: Option<String>,
}

/// A known error: a workaround is recorded and the problem is still open.
pub fn is_known_error(p: &Problem) -> bool {
    p.workaround.is_some() && p.state().category().is_open()
}

/// The canonical problem number, or 404 for anything that is not one.
pub fn problem_number(s: &str) -> AppResult<String> {
    NumberKind::Problem.canonical(s).ok_or(AppError::NotFound)
}

/// A problem the actor may see, or 404 (customers never learn of problems).
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Problem> {
    let number = problem_number(number)?;
    let p = state.store.problem(&number).await?;
    require(actor, READ, Some(p.org_id))?;
    Ok(p)
}

pub async fn services(state: &AppState, p: &Problem) -> AppResult<Vec<ServiceRef>> {
    let list = state.store.problem_services(p.id).await?;
    Ok(list
        .into_iter()
        .map(|(number, name)| ServiceRef { number, name })
        .collect())
}

pub async fn create(state: &AppState, actor: &Actor, input: &ProblemInput) -> AppResult<Problem> {
    require(actor, Action::Work(Kind::Problem, Verb::Create), None)?;
    let mut p = Problems::default();
    let core = new_core(state, actor, &mut p, input.core(), true).await;
    // Every incident to link is found, visible and linkable before anything
    // is written; the same one named twice is linked once.
    let mut linked: Vec<steward_store::RecordRef> = Vec::new();
    if !input.incidents.is_empty() {
        require(
            actor,
            Action::Work(Kind::Problem, Verb::Link),
            Some(actor.org_id),
        )?;
    }
    for n in &input.incidents {
        let found = match crate::incidents::incident_number(n) {
            Ok(number) => records::get(state, actor, &number).await.ok(),
            Err(_) => None,
        };
        match found {
            Some(r) => {
                require(
                    actor,
                    Action::Work(Kind::Incident, Verb::Link),
                    Some(r.org_id),
                )?;
                if !linked.iter().any(|l| l.id == r.id) {
                    linked.push(r);
                }
            }
            None => p.add(
                "incidents",
                format!("no incident {:?} that you may see", n.trim()),
            ),
        }
    }
    let core = p.finish(core)?.ok_or(AppError::NotFound)?;
    let fields = ProblemFields {
        core,
        ..Default::default()
    };
    let new = NewProblem {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields,
    };
    let created = state
        .store
        .create_problem(&AuditActor::from(actor), &new)
        .await?;
    let this = records::get(state, actor, &created.number).await?;
    for incident in &linked {
        records::link_refs(state, actor, incident, &this, LinkType::CausedBy).await?;
    }
    Ok(state.store.problem(&created.number).await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ProblemPatch,
    if_match: Option<i64>,
) -> AppResult<Problem> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(Kind::Problem, Verb::Update),
        Some(current.org_id),
    )?;
    // References are resolved first; every rule that reads the problem runs
    // again on the row as it is locked, so that a step taken meanwhile is
    // never undone by this change.
    let refs = patch_refs(state, actor, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_problem(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| apply_patch(now, patch, &matrix, &refs),
        )
        .await;
    Ok(updated?)
}

/// The patch applied to the problem as it is now (locked): the same field
/// rules as a new problem, texts only where their step recorded them.
fn apply_patch(
    now: &Problem,
    patch: &ProblemPatch,
    matrix: &steward_domain::priority::PriorityMatrix,
    refs: &Refs,
) -> Result<ProblemFields, steward_domain::RuleError> {
    now.state().check_changeable()?;
    let f = now.fields();
    let mut p = Problems::default();
    let core = patched_core(matrix, &f.core, patch.core(), refs, &mut p);
    let mut life = f.life.clone();
    for (field, given, kept) in [
        ("root_cause", &patch.root_cause, &mut life.root_cause),
        ("workaround", &patch.workaround, &mut life.workaround),
        (
            "permanent_fix",
            &patch.permanent_fix,
            &mut life.permanent_fix,
        ),
    ] {
        if let Some(text) = given {
            if kept.is_none() {
                p.add(field, "is recorded by its lifecycle step first");
            } else {
                let t = steward_domain::text::required_body(
                    &mut p,
                    field,
                    text,
                    steward_domain::text::BODY_MAX,
                );
                *kept = Some(t);
            }
        }
    }
    if patch.published == Some(true) && life.workaround.is_none() {
        p.add(
            "published",
            "only a known error (with a workaround) can be published",
        );
    }
    let core = p.finish(core)?.unwrap_or(f.core);
    Ok(ProblemFields {
        core,
        published: patch.published.unwrap_or(f.published),
        life,
        state: f.state,
    })
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &ProblemStepInput,
    if_match: Option<i64>,
) -> AppResult<Problem> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(Kind::Problem, Verb::Transition),
        Some(current.org_id),
    )?;
    let text = match input.action.as_str() {
        "root_cause" => input.root_cause.as_deref(),
        "known_error" => input.workaround.as_deref(),
        "resolve" => input.permanent_fix.as_deref(),
        _ => None,
    };
    let step = ProblemStep::parse(&input.action, text)?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_problem(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            step.name(),
            |p| {
                let mut f = p.fields();
                (f.state, f.life) = problem::apply(p.state(), &p.life(), &step, now)?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ProblemListParams,
) -> AppResult<Page<Problem>> {
    require(actor, READ, None)?;
    let mut p = Problems::default();
    let basics = ListBasics::parse::<ProblemState>(
        &mut p,
        params.state.as_deref(),
        params.q.as_deref(),
        params.cursor.as_deref(),
        params.limit,
        200,
    );
    let service = params.service.as_deref().filter(|s| !s.trim().is_empty());
    let refs = RefsInput {
        service,
        ..Default::default()
    };
    let service_id = records::resolve_refs(state, actor, &mut p, refs)
        .await
        .service_id;
    p.finish(())?;
    let filter = ProblemFilter {
        record: RecordFilter {
            states: basics.states,
            assignee_id: None,
            text: basics.text,
            org_id: None,
        },
        service_id,
        known_errors: params.known_error.unwrap_or(false),
    };
    Ok(state
        .store
        .list_problems(&filter, basics.cursor, basics.limit)
        .await?)
}

/// The trend rule as configured.
pub fn trend_rule(state: &AppState) -> TrendRule {
    TrendRule {
        min_incidents: state.config.problem_trend_incidents,
        window_days: state.config.problem_trend_days,
    }
}

/// Candidate problems: repeated incidents of one service and category with no
/// problem linked (staff who may read problems).
pub async fn candidates(state: &AppState, actor: &Actor) -> AppResult<Vec<problem::TrendGroup>> {
    require(actor, READ, None)?;
    let rule = trend_rule(state);
    let groups = state
        .store
        .trend_groups(rule.since(steward_store::now_ms()))
        .await?;
    Ok(rule.candidates(groups))
}

/// A candidate problem on the problem board.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateView {
    pub service: ServiceRef,
    pub category: String,
    /// A title for the problem, for the form.
    pub suggested_title: String,
    /// Incidents in the window with no problem linked.
    pub incidents: i64,
    pub first_opened_at: String,
    pub last_opened_at: String,
}

impl From<&problem::TrendGroup> for CandidateView {
    fn from(g: &problem::TrendGroup) -> Self {
        CandidateView {
            service: ServiceRef {
                number: g.service_number.clone(),
                name: g.service_name.clone(),
            },
            category: g.category.clone(),
            suggested_title: format!("Repeated {} incidents on {}", g.category, g.service_name),
            incidents: g.incidents,
            first_opened_at: time(g.first_opened_at),
            last_opened_at: time(g.last_opened_at),
        }
    }
}

/// Paging of a problem's linked incidents.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkedParams {
    /// The `link_id` of the last incident of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkedIncidentView {
    pub link_id: i64,
    pub number: String,
    pub title: String,
    pub state: String,
    pub priority: String,
    pub organisation: String,
    pub opened_at: String,
}

impl From<&steward_store::LinkedIncident> for LinkedIncidentView {
    fn from(i: &steward_store::LinkedIncident) -> Self {
        LinkedIncidentView {
            link_id: i.link_id,
            number: i.number.clone(),
            title: i.title.clone(),
            state: i.state.clone(),
            priority: format!("P{}", i.priority),
            organisation: i.org_name.clone(),
            opened_at: time(i.opened_at),
        }
    }
}

pub async fn linked_incidents(
    state: &AppState,
    p: &Problem,
    params: &LinkedParams,
) -> AppResult<Vec<steward_store::LinkedIncident>> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    Ok(state
        .store
        .problem_incidents(p.id, params.cursor, limit)
        .await?)
}

/// A known error as an incident shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KnownErrorView {
    pub number: String,
    pub title: String,
    pub workaround: String,
    /// Shown to customers of the affected services.
    pub published: bool,
    /// Linked to this incident (otherwise it matches its service and category).
    pub linked: bool,
}

impl From<&steward_store::KnownError> for KnownErrorView {
    fn from(k: &steward_store::KnownError) -> Self {
        KnownErrorView {
            number: k.number.clone(),
            title: k.title.clone(),
            workaround: k.workaround.clone(),
            published: k.published,
            linked: k.linked,
        }
    }
}

/// Which known error's workaround to apply.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyWorkaroundInput {
    /// The problem, e.g. `PRB-000001`.
    pub problem: String,
}

/// Whether the actor may record a problem (the form is shown only then).
pub fn may_record(actor: &Actor) -> AppResult<()> {
    require(actor, Action::Work(Kind::Problem, Verb::Create), None)
}
