//! The complaint pages: the list, raise a complaint, and a complaint's page
//! with its handling, response, links and timeline.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::complaint::STEPS;
use steward_domain::incident::CATEGORIES;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::Complaint;

use super::{ComplaintInput, ComplaintListParams, ComplaintPatch, ComplaintStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{CoreForm, EditValues, LEVELS, form_version, overdue};
use crate::error::AppError;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/complaints", "GET", get(list))
        .route("/complaints/new", "GET POST", get(new_page).post(create))
        .route("/complaints/{number}", "GET", get(show))
        .route("/complaints/{number}/edit", "POST", post(edit))
        .route("/complaints/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, verb: Verb, org: Option<i64>) -> bool {
    authorize(&s.actor, Action::Work(Kind::Complaint, verb), org) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ComplaintListParams,
    rows: Vec<Complaint>,
    now: i64,
    tz: String,
    staff: bool,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn target(&self, c: &Complaint) -> String {
        local_opt(c.target_at, &self.tz)
    }

    fn overdue(&self, c: &Complaint) -> bool {
        overdue(c, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ComplaintListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/complaints", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        staff: s.actor.role.is_staff(),
        can_create: allowed(&s, Verb::Create, None),
        next_link,
        error,
        f,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(flatten)]
    core: CoreForm,
    /// Staff: the customer who complains.
    #[serde(default)]
    caller: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    core: CoreForm,
    caller: String,
    staff: bool,
    errors: Errors,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    levels: &'static [(&'static str, &'static str)],
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
        caller: form.caller,
        staff: s.actor.role.is_staff(),
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        categories: &CATEGORIES,
        levels: LEVELS,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(form): Query<NewForm>,
) -> WebResult<NewPage> {
    crate::policy::require(&s.actor, Action::Work(Kind::Complaint, Verb::Create), None)?;
    new_form(&state, &s, form, Errors::default()).await
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.input();
    let staff = s.actor.role.is_staff();
    let given = |v: Option<&str>| {
        v.filter(|t| staff && !t.trim().is_empty())
            .map(str::to_owned)
    };
    let input = ComplaintInput {
        title: c.title.to_owned(),
        description: c.description.to_owned(),
        service: c.service.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        group: None,
        assignee: given(c.assignee),
        target_date: given(c.target_date),
        caller: given(Some(&form.caller)),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/{}?m=recorded", c.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = new_form(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "complaint.html")]
pub struct ComplaintPage {
    nav: Option<Nav>,
    csrf: String,
    p: Complaint,
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
    /// Staff who may raise a nonconformity from it.
    can_raise_nonconformity: bool,
    overdue: bool,
    opened: String,
    target: String,
    responded: String,
    edit: EditValues,
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

async fn complaint_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<ComplaintPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let changeable = !p.state().is_final();
    let can_edit = changeable && allowed(s, Verb::Update, Some(p.org_id));
    let steps = if allowed(s, Verb::Transition, Some(p.org_id)) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    Ok(ComplaintPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/complaints/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: false,
        steps,
        can_edit,
        can_link: changeable && allowed(s, Verb::Link, Some(p.org_id)),
        can_comment: changeable && allowed(s, Verb::Comment, Some(p.org_id)),
        can_raise_nonconformity: authorize(
            &s.actor,
            Action::Work(Kind::Nonconformity, Verb::Create),
            None,
        ) == Decision::Allow,
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        responded: local_opt(p.responded_at, &tz),
        edit: EditValues::of(state, &p, can_edit).await?,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ComplaintPage> {
    let flash = crate::web::record::flash(q.m.as_deref(), &[("recorded", "Complaint recorded.")]);
    complaint_page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the complaint's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "complaint")?;
    let mut page = complaint_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(flatten)]
    core: CoreForm,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.patch();
    let patch = ComplaintPatch {
        title: c.title.map(str::to_owned),
        description: c.description.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: Some(c.refs.assignee.map(str::to_owned)),
        target_date: Some(c.refs.target_date.map(str::to_owned)),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/{}?m=saved", c.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ComplaintStepInput {
        action: form.action,
        response: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/{}?m=moved", c.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
