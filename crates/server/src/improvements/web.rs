//! The improvement register's pages: the register, propose an improvement,
//! and an improvement's page with what it promises, its actions, its
//! evaluation, links and timeline.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::improvement::{ImprovementSource, STEPS};
use steward_domain::incident::CATEGORIES;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::Improvement;

use super::{ImprovementInput, ImprovementListParams, ImprovementPatch, ImprovementStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{CoreForm, EditValues, LEVELS, form_version, overdue};
use crate::error::AppError;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time, some_text};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/improvements", "GET", get(list))
        .route("/improvements/new", "GET POST", get(new_page).post(create))
        .route("/improvements/{number}", "GET", get(show))
        .route("/improvements/{number}/edit", "POST", post(edit))
        .route("/improvements/{number}/promise", "POST", post(promise))
        .route("/improvements/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, kind: Kind, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(kind, verb), None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "improvements.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ImprovementListParams,
    rows: Vec<Improvement>,
    now: i64,
    tz: String,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn target(&self, i: &Improvement) -> String {
        local_opt(i.target_at, &self.tz)
    }

    fn overdue(&self, i: &Improvement) -> bool {
        overdue(i, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ImprovementListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/improvements", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        can_create: allowed(&s, Kind::Improvement, Verb::Create),
        next_link,
        error,
        f,
    })
}

/// An improvement as the propose form posts it.
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(flatten)]
    core: CoreForm,
    #[serde(default)]
    source: String,
    #[serde(default)]
    expected_benefit: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    objective: String,
    /// The record it comes from (`?from=NCR-0001`).
    #[serde(default)]
    from: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "improvement_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    core: CoreForm,
    form: NewForm,
    staff: bool,
    errors: Errors,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    levels: &'static [(&'static str, &'static str)],
    sources: &'static [ImprovementSource],
}

async fn new_form(
    state: &AppState,
    s: &WebSession,
    mut form: NewForm,
    errors: Errors,
) -> WebResult<NewPage> {
    Ok(NewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        core: std::mem::take(&mut form.core),
        form,
        staff: true,
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        categories: &CATEGORIES,
        levels: LEVELS,
        sources: ImprovementSource::ALL,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(mut form): Query<NewForm>,
) -> WebResult<NewPage> {
    crate::policy::require(
        &s.actor,
        Action::Work(Kind::Improvement, Verb::Create),
        None,
    )?;
    // Proposed from a record: its title is a start.
    if let Ok(r) = records::get(&state, &s.actor, &form.from).await {
        if form.core.title.is_empty() {
            form.core.title = r.title.clone();
        }
        form.from = r.number;
    }
    new_form(&state, &s, form, Errors::default()).await
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.input();
    let input = ImprovementInput {
        title: c.title.to_owned(),
        description: c.description.to_owned(),
        service: c.service.and_then(some_text),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        group: None,
        assignee: c.assignee.and_then(some_text),
        target_date: c.target_date.and_then(some_text),
        source: some_text(&form.source),
        expected_benefit: some_text(&form.expected_benefit),
        measure: some_text(&form.measure),
        objective: some_text(&form.objective),
        from: some_text(&form.from),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(i) => {
            Ok(Redirect::to(&format!("/improvements/{}?m=recorded", i.number)).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = new_form(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "improvement.html")]
pub struct ImprovementPage {
    nav: Option<Nav>,
    csrf: String,
    p: Improvement,
    flash: &'static str,
    errors: Errors,
    links: Vec<LinkView>,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_edit: bool,
    can_link: bool,
    can_comment: bool,
    can_plan: bool,
    overdue: bool,
    opened: String,
    target: String,
    evaluated: String,
    edit: EditValues,
    actions: Vec<crate::actions::web::ActionRow>,
    review_days: &'static str,
    sources: &'static [ImprovementSource],
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

async fn page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<ImprovementPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let changeable = !p.state().is_final();
    let can_edit = changeable && allowed(s, Kind::Improvement, Verb::Update);
    let steps = if allowed(s, Kind::Improvement, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    Ok(ImprovementPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/improvements/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_link: changeable && allowed(s, Kind::Improvement, Verb::Link),
        can_comment: changeable && allowed(s, Kind::Improvement, Verb::Comment),
        can_plan: changeable && allowed(s, Kind::Action, Verb::Create),
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        evaluated: local_opt(p.evaluated_at, &tz),
        edit: EditValues::of(state, &p, can_edit).await?,
        actions: crate::actions::web::rows(state, p.id, &tz).await?,
        review_days: "",
        sources: ImprovementSource::ALL,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ImprovementPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("recorded", "Improvement recorded."),
            ("promised", "Benefit and measure saved."),
        ],
    );
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the improvement's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "improvement")?;
    let mut page = page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(flatten)]
    core: CoreForm,
    #[serde(default)]
    source: String,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.patch();
    let patch = ImprovementPatch {
        title: c.title.map(str::to_owned),
        description: c.description.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: Some(c.refs.assignee.map(str::to_owned)),
        target_date: Some(c.refs.target_date.map(str::to_owned)),
        source: some_text(&form.source),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(i) => Ok(Redirect::to(&format!("/improvements/{}?m=saved", i.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

/// The benefit expected, its measure and the objective as their form posts them.
#[derive(Debug, Deserialize)]
pub struct PromiseForm {
    version: String,
    #[serde(default)]
    expected_benefit: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    objective: String,
}

pub async fn promise(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<PromiseForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let patch = ImprovementPatch {
        expected_benefit: Some(form.expected_benefit),
        measure: Some(form.measure),
        objective: Some(form.objective),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(i) => {
            Ok(Redirect::to(&format!("/improvements/{}?m=promised", i.number)).into_response())
        }
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ImprovementStepInput {
        action: form.action,
        evaluation: form.text.clone(),
        reason: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(i) => Ok(Redirect::to(&format!("/improvements/{}?m=moved", i.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
