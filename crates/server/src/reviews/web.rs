//! The management review pages: the reviews, plan one, a review's page with
//! its period, attendees, minutes, decisions, actions and timeline, and its
//! input pack (printable page or PDF).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_domain::review::STEPS;
use steward_store::Review;

use super::{ReviewInput, ReviewListParams, ReviewPatch, ReviewStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{EditValues, form_version};
use crate::error::AppError;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_time, some_text};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/reviews", "GET", get(list))
        .route("/reviews/new", "GET POST", get(new_page).post(create))
        .route("/reviews/{number}", "GET", get(show))
        .route("/reviews/{number}/pack", "GET", get(pack))
        .route("/reviews/{number}/edit", "POST", post(edit))
        .route("/reviews/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, kind: Kind, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(kind, verb), None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ReviewListParams,
    rows: Vec<Review>,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn day(&self, r: &Review) -> String {
        crate::period::day_of(r.target_at)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ReviewListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/reviews", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        can_create: allowed(&s, Kind::Review, Verb::Create),
        next_link,
        error,
        f,
    })
}

/// A review as the plan form posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    title: String,
    period: String,
    target_date: String,
    attendees: String,
    assignee: String,
    description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "review_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: NewForm,
    errors: Errors,
}

pub async fn new_page(s: WebSession, Query(form): Query<NewForm>) -> WebResult<NewPage> {
    crate::policy::require(&s.actor, Action::Work(Kind::Review, Verb::Create), None)?;
    Ok(NewPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        form,
        errors: Errors::default(),
    })
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ReviewInput {
        title: form.title.clone(),
        description: form.description.clone(),
        period: form.period.clone(),
        attendees: some_text(&form.attendees),
        target_date: some_text(&form.target_date),
        assignee: some_text(&form.assignee),
        ..Default::default()
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/reviews/{}?m=recorded", r.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = NewPage {
                nav: Nav::of(&s),
                csrf: s.csrf.clone(),
                form,
                errors: Errors(v.0),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
pub struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    p: Review,
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
    day: String,
    opened: String,
    edit: EditValues,
    actions: Vec<crate::actions::web::ActionRow>,
    review_days: &'static str,
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
) -> WebResult<ReviewPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let open = !p.state().is_final();
    let can_edit = open && allowed(s, Kind::Review, Verb::Update);
    let steps = if allowed(s, Kind::Review, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    Ok(ReviewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/reviews/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_link: open && allowed(s, Kind::Review, Verb::Link),
        can_comment: open && allowed(s, Kind::Review, Verb::Comment),
        can_plan: open && allowed(s, Kind::Action, Verb::Create),
        day: crate::period::day_of(p.target_at),
        opened: local_time(p.opened_at, &tz),
        edit: EditValues::of(state, &p, can_edit).await?,
        actions: crate::actions::web::rows(state, p.id, &tz).await?,
        review_days: "",
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ReviewPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("recorded", "Review planned."),
            ("decided", "Decisions saved."),
        ],
    );
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the review's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "review")?;
    let mut page = page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    decisions: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    target_date: String,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let patch = ReviewPatch {
        title: some_text(&form.title),
        period: some_text(&form.period),
        attendees: Some(form.attendees),
        decisions: Some(form.decisions),
        assignee: Some(some_text(&form.assignee)),
        target_date: Some(some_text(&form.target_date)),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(r) => Ok(Redirect::to(&format!("/reviews/{}?m=decided", r.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ReviewStepInput {
        action: form.action,
        minutes: form.text.clone(),
        reason: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(r) => Ok(Redirect::to(&format!("/reviews/{}?m=moved", r.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Deserialize)]
pub struct PackParams {
    format: Option<String>,
}

/// The review's input pack, as a printable page or a PDF (`?format=pdf`).
pub async fn pack(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<PackParams>,
) -> WebResult<Response> {
    let r = super::get(&state, &s.actor, &number).await?;
    let p = super::pack::of_review(&state, &r).await?;
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "html") => Ok(crate::web::report_page(super::pack::html(&p)?)),
        Some("pdf") => Ok(crate::attachments::download_response(
            &format!("review-pack-{}.pdf", r.number),
            "application/pdf",
            super::pack::pdf(&p).await?,
        )),
        Some(_) => Err(AppError::field("format", "must be html or pdf").into()),
    }
}
