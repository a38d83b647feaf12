//! The action pages: the list, an action's page with the record it follows
//! from, its outcome and effectiveness review; planned from that record's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action as Do, Decision, authorize};
use steward_domain::action::STEPS;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::Action;

use super::{ActionInput, ActionListParams, ActionPatch, ActionStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{CoreForm, EditValues, form_version, overdue};
use crate::error::AppError;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time, some_text};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/actions", "GET", get(list))
        .route("/actions/new", "POST", post(create))
        .route("/actions/{number}", "GET", get(show))
        .route("/actions/{number}/edit", "POST", post(edit))
        .route("/actions/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, verb: Verb) -> bool {
    authorize(&s.actor, Do::Work(Kind::Action, verb), None) == Decision::Allow
}

/// Where the record an action follows from lives: `/{path}/{number}`.
fn parent_link(a: &Action) -> String {
    Kind::parse(&a.parent_kind).map_or_else(String::new, |k| {
        format!("/{}/{}", k.spec().path, a.parent_number)
    })
}

/// One action as the page of the record it follows from lists it
/// (`_record_actions.html`).
pub struct ActionRow {
    pub number: String,
    pub title: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub effectiveness: &'static str,
    pub review_due: String,
}

/// The actions that follow from the record `parent_id`, as its page lists them.
pub async fn rows(state: &AppState, parent_id: i64, tz: &str) -> WebResult<Vec<ActionRow>> {
    let now = steward_store::now_ms();
    Ok(state
        .store
        .actions_of(parent_id)
        .await
        .map_err(AppError::from)?
        .iter()
        .map(|a| ActionRow {
            number: a.number.clone(),
            title: a.title.clone(),
            state: a.state().as_str(),
            state_label: a.state().label(),
            owner: a.assignee_name.clone().unwrap_or_default(),
            due: local_opt(a.target_at, tz),
            overdue: overdue(a, now),
            effectiveness: a.effectiveness.map_or("", |e| e.get().label()),
            review_due: a
                .review_due_at
                .map_or_else(String::new, |t| local_time(t, tz)),
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "actions.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ActionListParams,
    rows: Vec<Action>,
    now: i64,
    tz: String,
    next_link: String,
    error: String,
}

impl ListPage {
    fn due(&self, a: &Action) -> String {
        local_opt(a.target_at, &self.tz)
    }

    fn review_due(&self, a: &Action) -> String {
        local_opt(a.review_due_at, &self.tz)
    }

    fn overdue(&self, a: &Action) -> bool {
        overdue(a, self.now)
    }

    fn parent_link(&self, a: &Action) -> String {
        parent_link(a)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ActionListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/actions", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        next_link,
        error,
        f,
    })
}

/// A new action as the form on its parent's page posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    parent: String,
    title: String,
    description: String,
    assignee: String,
    target_date: String,
    review_after_days: String,
}

/// The wait before the effectiveness review as a form posts it: empty is none.
fn review_days(typed: &str) -> Result<Option<i64>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        d => d
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("review_after_days", "must be a whole number of days")),
    }
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let review_after_days = match review_days(&form.review_after_days) {
        Ok(d) => d,
        Err(e) => return parent_refused(&state, &s, &form.parent, e).await,
    };
    let input = ActionInput {
        title: form.title.clone(),
        description: form.description.clone(),
        assignee: some_text(&form.assignee),
        target_date: some_text(&form.target_date),
        parent: some_text(&form.parent),
        review_after_days,
        ..Default::default()
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/actions/{}?m=recorded", a.number)).into_response()),
        Err(e) => parent_refused(&state, &s, &form.parent, e).await,
    }
}

/// A refused new action, shown on the page of the record it was to follow
/// from (or as an error page when there is none to show).
async fn parent_refused(
    state: &AppState,
    s: &WebSession,
    parent: &str,
    e: AppError,
) -> WebResult<Response> {
    match Kind::canonical_number(parent) {
        Some((kind, number)) if kind != Kind::Action => {
            crate::web::record::refused(state, s, kind, &number, e, String::new()).await
        }
        _ => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "action.html")]
pub struct ActionPage {
    nav: Option<Nav>,
    csrf: String,
    p: Action,
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
    overdue: bool,
    opened: String,
    target: String,
    completed: String,
    review_due: String,
    reviewed: String,
    parent_link: String,
    edit: EditValues,
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
) -> WebResult<ActionPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let changeable = p.state().category().is_open();
    let can_edit = changeable && allowed(s, Verb::Update);
    let steps = if allowed(s, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    Ok(ActionPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/actions/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_link: !p.state().is_final() && allowed(s, Verb::Link),
        can_comment: !p.state().is_final() && allowed(s, Verb::Comment),
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        completed: local_opt(p.completed_at, &tz),
        review_due: p
            .review_due_at
            .map_or_else(String::new, |t| local_time(t, &tz)),
        reviewed: local_opt(p.reviewed_at, &tz),
        parent_link: parent_link(&p),
        edit: EditValues::of(state, &p, can_edit).await?,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ActionPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("recorded", "Action planned."),
            (
                "follow_up",
                "The review found the last action not effective: this one follows it up.",
            ),
        ],
    );
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the action's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "action")?;
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
    review_after_days: String,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let c = form.core.patch();
    let review_after_days = match review_days(&form.review_after_days) {
        Ok(d) => d,
        Err(e) => return refused(&state, &s, &number, e, String::new()).await,
    };
    let patch = ActionPatch {
        title: c.title.map(str::to_owned),
        description: c.description.map(str::to_owned),
        category: c.category.map(str::to_owned),
        impact: c.impact,
        urgency: c.urgency,
        assignee: Some(c.refs.assignee.map(str::to_owned)),
        target_date: Some(c.refs.target_date.map(str::to_owned)),
        review_after_days,
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(a) => Ok(Redirect::to(&format!("/actions/{}?m=saved", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ActionStepInput {
        action: form.action,
        outcome: form.text.clone(),
        review: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok((_, Some(next))) => {
            Ok(Redirect::to(&format!("/actions/{}?m=follow_up", next.number)).into_response())
        }
        Ok((a, None)) => {
            Ok(Redirect::to(&format!("/actions/{}?m=moved", a.number)).into_response())
        }
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
