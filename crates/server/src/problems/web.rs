//! The problem pages: the problem board (list, filters, candidates), record a
//! problem, and a problem's page with its lifecycle, linked incidents and
//! timeline. Also the incident page's links and known-error actions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::incident::CATEGORIES;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_domain::problem::STEPS;
use steward_store::{LinkedIncident, Problem};

use super::{ProblemInput, ProblemListParams, ProblemPatch, ProblemStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{CoreForm, EditValues, form_version, overdue};
use crate::error::AppError;
use crate::records;
use crate::records::LinkView;
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/problems", "GET", get(list))
        .route("/problems/new", "GET POST", get(new_page).post(create))
        .route("/problems/{number}", "GET", get(show))
        .route("/problems/{number}/edit", "POST", post(edit))
        .route("/problems/{number}/transitions", "POST", post(step))
        .route(
            "/incidents/{number}/workaround",
            "POST",
            post(apply_workaround),
        )
}

pub struct Row {
    number: String,
    title: String,
    state: &'static str,
    state_code: &'static str,
    priority: i64,
    service: String,
    assignee: String,
    incidents: i64,
    target: String,
    overdue: bool,
    known_error: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "problems.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ProblemListParams,
    rows: Vec<Row>,
    candidates: Vec<super::CandidateView>,
    rule: steward_domain::problem::TrendRule,
    can_create: bool,
    next_link: String,
    error: String,
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ProblemListParams>,
) -> WebResult<ListPage> {
    let tz = s.user.effective_time_zone().to_owned();
    let now = steward_store::now_ms();
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let candidates = super::candidates(&state, &s.actor).await?;
    let next_link = next_link("/problems", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page
            .items
            .iter()
            .map(|p| Row {
                number: p.number.clone(),
                title: p.title.clone(),
                state: p.state().label(),
                state_code: p.state().as_str(),
                priority: p.priority,
                service: p.service_name.clone().unwrap_or_default(),
                assignee: p.assignee_name.clone().unwrap_or_default(),
                incidents: p.incident_count,
                target: local_opt(p.target_at, &tz),
                overdue: overdue(p, now),
                known_error: super::is_known_error(p),
            })
            .collect(),
        candidates: candidates.iter().map(super::CandidateView::from).collect(),
        rule: super::trend_rule(&state),
        can_create: allowed(&s, Verb::Create, None),
        next_link,
        error,
        f,
    })
}

fn allowed(s: &WebSession, verb: Verb, org: Option<i64>) -> bool {
    authorize(&s.actor, Action::Work(Kind::Problem, verb), org) == Decision::Allow
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(flatten)]
    core: CoreForm,
    /// Incident numbers separated by commas or spaces.
    #[serde(default)]
    incidents: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "problem_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    core: CoreForm,
    incidents: String,
    errors: Errors,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    levels: &'static [(&'static str, &'static str)],
    staff: bool,
}

async fn new_form(
    state: &AppState,
    s: &WebSession,
    form: NewForm,
    errors: Errors,
) -> WebResult<NewPage> {
    Ok(NewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        core: form.core,
        incidents: form.incidents,
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        categories: &CATEGORIES,
        levels: crate::core_fields::LEVELS,
        staff: true,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(form): Query<NewForm>,
) -> WebResult<NewPage> {
    super::may_record(&s.actor)?;
    new_form(&state, &s, form, Errors::default()).await
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.input();
    let input = ProblemInput {
        title: c.title.to_owned(),
        description: c.description.to_owned(),
        service: c.service.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: c.assignee.map(str::to_owned),
        target_date: c.target_date.map(str::to_owned),
        group: None,
        incidents: form
            .incidents
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/problems/{}?m=recorded", p.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = new_form(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Linked incidents shown on a problem's page; the API pages through all.
const SHOWN_INCIDENTS: i64 = 200;

#[derive(Template, WebTemplate)]
#[template(path = "problem.html")]
pub struct ProblemPage {
    nav: Option<Nav>,
    csrf: String,
    p: Problem,
    state_label: &'static str,
    flash: &'static str,
    errors: Errors,
    services: Vec<crate::views::ServiceRef>,
    incidents: Vec<LinkedIncident>,
    links: Vec<LinkView>,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    /// The problem's own path, where its forms post.
    base: String,
    staff: bool,
    /// A refused comment, kept to write again.
    draft: String,
    /// Problems are the provider's: their comment forms offer a work note first.
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_edit: bool,
    can_comment: bool,
    known_error: bool,
    overdue: bool,
    opened: String,
    target: String,
    edit: EditValues,
    tz: String,
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

fn flash_for(m: Option<&str>) -> &'static str {
    crate::web::record::flash(m, &[("recorded", "Problem recorded.")])
}

async fn problem_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<ProblemPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    // Linked incidents have their own list.
    let links = parts
        .links
        .into_iter()
        .filter(|l| l.kind != "incident")
        .collect();
    let incidents = state
        .store
        .problem_incidents(p.id, None, SHOWN_INCIDENTS)
        .await?;
    let changeable = !p.state().is_final();
    let can_edit = changeable && allowed(s, Verb::Update, Some(p.org_id));
    let steps = if allowed(s, Verb::Transition, Some(p.org_id)) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    let edit = EditValues::of(state, &p, can_edit).await?;
    Ok(ProblemPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        state_label: p.state().label(),
        flash,
        errors,
        services: super::services(state, &p).await?,
        incidents,
        links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/problems/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_comment: changeable && allowed(s, Verb::Comment, Some(p.org_id)),
        known_error: super::is_known_error(&p),
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        edit,
        tz,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ProblemPage> {
    problem_page(
        &state,
        &s,
        &number,
        flash_for(q.m.as_deref()),
        Errors::default(),
    )
    .await
}

/// A refused change, shown on the problem's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "problem")?;
    let mut page = problem_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(flatten)]
    core: CoreForm,
    published: Option<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.patch();
    let patch = ProblemPatch {
        title: c.title.map(str::to_owned),
        description: c.description.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: Some(c.refs.assignee.map(str::to_owned)),
        target_date: Some(c.refs.target_date.map(str::to_owned)),
        published: Some(form.published.is_some()),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(p) => Ok(Redirect::to(&format!("/problems/{}?m=saved", p.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ProblemStepInput {
        root_cause: form.text.clone(),
        workaround: form.text.clone(),
        permanent_fix: form.text,
        action: form.action,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(p) => Ok(Redirect::to(&format!("/problems/{}?m=moved", p.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct WorkaroundForm {
    problem: String,
}

/// "Apply workaround" on an incident's page.
pub async fn apply_workaround(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<WorkaroundForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    match records::apply_workaround(&state, &s.actor, &number, &form.problem).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/incidents/{}?m=workaround",
            crate::incidents::incident_number(&number)?
        ))
        .into_response()),
        Err(e) => Ok(crate::incidents::web::refused_with(&state, &s, &number, e).await?),
    }
}

/// `tz` is kept for templates that show more times later.
impl ProblemPage {
    pub fn time(&self, ms: i64) -> String {
        local_time(ms, &self.tz)
    }
}
