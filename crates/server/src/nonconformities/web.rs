//! The nonconformity pages: the list, raise one, and a nonconformity's page
//! with its correction and root cause, its corrective actions, the others
//! that share its cause, links and timeline.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::incident::CATEGORIES;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_domain::nonconformity::{CauseCategory, STEPS, Severity, Source};
use steward_store::Nonconformity;

use super::{
    NonconformityInput, NonconformityListParams, NonconformityPatch, NonconformityStepInput,
};
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
        .route("/nonconformities", "GET", get(list))
        .route(
            "/nonconformities/new",
            "GET POST",
            get(new_page).post(create),
        )
        .route("/nonconformities/{number}", "GET", get(show))
        .route("/nonconformities/{number}/edit", "POST", post(edit))
        .route("/nonconformities/{number}/analysis", "POST", post(analysis))
        .route("/nonconformities/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(Kind::Nonconformity, verb), None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "nonconformities.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: NonconformityListParams,
    rows: Vec<Nonconformity>,
    now: i64,
    tz: String,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn target(&self, n: &Nonconformity) -> String {
        local_opt(n.target_at, &self.tz)
    }

    fn overdue(&self, n: &Nonconformity) -> bool {
        overdue(n, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<NonconformityListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/nonconformities", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        can_create: allowed(&s, Verb::Create),
        next_link,
        error,
        f,
    })
}

/// The fields of a nonconformity as the raise form posts them.
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(flatten)]
    core: CoreForm,
    #[serde(default)]
    source: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    clause: String,
    #[serde(default)]
    correction: String,
    /// The record it is raised from (`?from=CMP-0001`).
    #[serde(default)]
    from: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "nonconformity_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    core: CoreForm,
    form: NewForm,
    /// The page of the record it is raised from.
    from_link: String,
    staff: bool,
    errors: Errors,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    levels: &'static [(&'static str, &'static str)],
    sources: &'static [Source],
    severities: &'static [Severity],
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
        from_link: Kind::of_number(&form.from)
            .map(|k| format!("/{}/{}", k.spec().path, form.from))
            .unwrap_or_default(),
        form,
        staff: true,
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        categories: &CATEGORIES,
        levels: LEVELS,
        sources: Source::ALL,
        severities: Severity::ALL,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(mut form): Query<NewForm>,
) -> WebResult<NewPage> {
    crate::policy::require(
        &s.actor,
        Action::Work(Kind::Nonconformity, Verb::Create),
        None,
    )?;
    // Raised from a record: the source follows from its kind, its title is a start.
    if let Ok(r) = records::get(&state, &s.actor, &form.from).await {
        if form.source.is_empty() {
            form.source = super::source_of(r.kind()?).as_str().to_owned();
        }
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
    let input = NonconformityInput {
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
        severity: some_text(&form.severity),
        clause: some_text(&form.clause),
        from: some_text(&form.from),
        correction: some_text(&form.correction),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/nonconformities/{}?m=recorded", n.number)).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = new_form(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "nonconformity.html")]
pub struct NonconformityPage {
    nav: Option<Nav>,
    csrf: String,
    p: Nonconformity,
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
    edit: EditValues,
    actions: Vec<crate::actions::web::ActionRow>,
    review_days: &'static str,
    recurring: Vec<Nonconformity>,
    sources: &'static [Source],
    severities: &'static [Severity],
    causes: &'static [CauseCategory],
}

impl NonconformityPage {
    fn cause_is(&self, c: &CauseCategory) -> bool {
        self.p.cause_category.map(steward_store::Code::get) == Some(*c)
    }
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
) -> WebResult<NonconformityPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let now = steward_store::now_ms();
    let actions = crate::actions::web::rows(state, p.id, &tz).await?;
    let recurring = if p.recurring > 0 {
        state.store.recurring_nonconformities(p.id).await?
    } else {
        Vec::new()
    };
    let changeable = !p.state().is_final();
    let can_edit = changeable && allowed(s, Verb::Update);
    let steps = if allowed(s, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    Ok(NonconformityPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/nonconformities/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_link: changeable && allowed(s, Verb::Link),
        can_comment: changeable && allowed(s, Verb::Comment),
        can_plan: changeable
            && authorize(&s.actor, Action::Work(Kind::Action, Verb::Create), None)
                == Decision::Allow,
        overdue: overdue(&p, now),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        edit: EditValues::of(state, &p, can_edit).await?,
        actions,
        review_days: "30",
        recurring,
        sources: Source::ALL,
        severities: Severity::ALL,
        causes: CauseCategory::ALL,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<NonconformityPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("recorded", "Nonconformity recorded."),
            ("analysed", "Correction and root cause saved."),
        ],
    );
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the nonconformity's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "nonconformity")?;
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
    #[serde(default)]
    severity: String,
    #[serde(default)]
    clause: String,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.patch();
    let patch = NonconformityPatch {
        title: c.title.map(str::to_owned),
        description: c.description.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: Some(c.refs.assignee.map(str::to_owned)),
        target_date: Some(c.refs.target_date.map(str::to_owned)),
        source: Some(form.source),
        severity: Some(form.severity),
        clause: Some(form.clause),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/nonconformities/{}?m=saved", n.number)).into_response())
        }
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

/// The correction and root cause analysis as their form posts them.
#[derive(Debug, Deserialize)]
pub struct AnalysisForm {
    version: String,
    #[serde(default)]
    correction: String,
    #[serde(default)]
    root_cause: String,
    #[serde(default)]
    cause_category: String,
}

pub async fn analysis(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<AnalysisForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let patch = NonconformityPatch {
        correction: Some(form.correction),
        root_cause: Some(form.root_cause),
        cause_category: Some(form.cause_category),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/nonconformities/{}?m=analysed", n.number)).into_response())
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
    let input = NonconformityStepInput {
        action: form.action,
        reason: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/nonconformities/{}?m=moved", n.number)).into_response())
        }
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
