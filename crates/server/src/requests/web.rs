//! The request pages: the catalogue to order from, the order form an
//! offering's form builds, the request list and a request's page (its
//! answers, approvals with the approver's buttons, tasks, steps and
//! activity), and a task's page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision as Allowed, authorize};
use steward_domain::form::{FieldType, FormSpec};
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_domain::request::{self, ApproverKind, Decision};
use steward_store::{Approval, Offering, Request, Task};

use super::{DecisionInput, OfferingParams, RequestInput, RequestStepInput, TaskStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::paging::KindListParams;
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/catalogue", "GET", get(catalogue))
        .route("/requests", "GET", get(list))
        .route("/requests/new", "GET POST", get(new_page).post(create))
        .route("/requests/{number}", "GET", get(show))
        .route("/requests/{number}/decision", "POST", post(decide))
        .route("/requests/{number}/transitions", "POST", post(step))
        .route("/tasks", "GET", get(task_list))
        .route("/tasks/{number}", "GET", get(task_show))
        .route("/tasks/{number}/transitions", "POST", post(task_step))
        .route(
            "/approvals/{token}",
            "GET POST",
            get(super::link::page).post(super::link::decide),
        )
}

fn allowed(s: &WebSession, kind: Kind, verb: Verb, org: Option<i64>) -> bool {
    authorize(&s.actor, Action::Work(kind, verb), org) == Allowed::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue.html")]
pub struct CataloguePage {
    nav: Option<Nav>,
    offerings: Vec<Offering>,
    can_order: bool,
}

/// What the actor may order, by service.
pub async fn catalogue(State(state): State<AppState>, s: WebSession) -> WebResult<CataloguePage> {
    let mut offerings = super::offerings(&state, &s.actor, &OfferingParams::default()).await?;
    offerings.retain(|o| o.active);
    Ok(CataloguePage {
        nav: Nav::of(&s),
        offerings,
        can_order: allowed(&s, Kind::Request, Verb::Create, None),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "requests.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: KindListParams,
    rows: Vec<Request>,
    awaiting: Vec<Request>,
    tz: String,
    staff: bool,
    next_link: String,
    error: String,
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<KindListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let awaiting = if allowed(&s, Kind::Request, Verb::Approve, None) {
        super::awaiting(&state, &s.actor).await?
    } else {
        Vec::new()
    };
    Ok(ListPage {
        nav: Nav::of(&s),
        next_link: next_link("/requests", &f, page.next.as_ref()),
        rows: page.items,
        awaiting,
        tz: s.user.effective_time_zone().to_owned(),
        staff: s.actor.role.is_staff(),
        error,
        f,
    })
}

impl ListPage {
    fn opened(&self, r: &Request) -> String {
        local_time(r.opened_at, &self.tz)
    }
}

/// One field of an order form as the page shows it.
pub struct FieldRow {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub help: String,
    pub options: Vec<String>,
    pub value: String,
    /// "Only when ..." for a field shown on another's answer.
    pub when: String,
}

fn field_rows(
    form: &FormSpec,
    given: &serde_json::Map<String, serde_json::Value>,
) -> Vec<FieldRow> {
    form.fields
        .iter()
        .map(|f| FieldRow {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: match f.kind {
                FieldType::Text => "text",
                FieldType::Number => "number",
                FieldType::Date => "date",
                FieldType::Choice => "choice",
                FieldType::User => "email",
                FieldType::Checkbox => "checkbox",
            },
            required: f.required,
            help: f.help.clone(),
            options: f.options.clone(),
            value: match given.get(&f.key) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) if !v.is_null() => v.to_string(),
                _ => String::new(),
            },
            when: f.shown_when.as_ref().map_or_else(String::new, |w| {
                let on = form.fields.iter().find(|x| x.key == w.field);
                let label = on.map_or(w.field.as_str(), |x| x.label.as_str());
                let ticked = on.is_some_and(|x| x.kind == FieldType::Checkbox);
                match &w.equals {
                    Some(v) => format!("only when {label} is {v}"),
                    None if ticked => format!("only when {label} is ticked"),
                    None => format!("only when {label} is answered"),
                }
            }),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct NewParams {
    #[serde(default)]
    offering: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "request_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    o: Offering,
    fields: Vec<FieldRow>,
    description: String,
    requested_for: String,
    staff: bool,
    errors: Errors,
}

impl NewPage {
    fn error_of(&self, key: &str) -> String {
        let at = format!("answers.{key}");
        self.errors
            .0
            .iter()
            .filter(|e| e.field == at)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<NewParams>,
) -> WebResult<Response> {
    crate::policy::require(&s.actor, Action::Work(Kind::Request, Verb::Create), None)?;
    // Ordering starts from the catalogue.
    if q.offering.trim().is_empty() {
        return Ok(Redirect::to("/catalogue").into_response());
    }
    let o = super::offering(&state, &s.actor, &q.offering).await?;
    Ok(NewPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        fields: field_rows(&o.form(), &Default::default()),
        o,
        description: String::new(),
        requested_for: String::new(),
        staff: s.actor.role.is_staff(),
        errors: Errors::default(),
    }
    .into_response())
}

/// The order form as posted: `offering`, `description`, `requested_for`,
/// and one `a_<key>` per field.
pub async fn create(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (s, pairs) = (f.session, f.form);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let o = super::offering(&state, &s.actor, &get("offering")).await?;
    let form = o.form();
    let mut answers = serde_json::Map::new();
    for field in &form.fields {
        let v = get(&format!("a_{}", field.key));
        let value = match field.kind {
            FieldType::Checkbox => serde_json::Value::Bool(!v.is_empty()),
            _ if v.trim().is_empty() => continue,
            _ => serde_json::Value::String(v),
        };
        answers.insert(field.key.clone(), value);
    }
    let staff = s.actor.role.is_staff();
    let input = RequestInput {
        offering: o.number.clone(),
        answers: answers.clone(),
        description: get("description"),
        requested_for: Some(get("requested_for")).filter(|v| staff && !v.trim().is_empty()),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/requests/{}?m=ordered", r.number)).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let (status, errors) = match e {
                AppError::Validation(v) => (StatusCode::UNPROCESSABLE_ENTITY, v.0),
                AppError::Conflict(m) => (StatusCode::CONFLICT, vec![problem("offering", m)]),
                AppError::Forbidden(m) => (StatusCode::FORBIDDEN, vec![problem("offering", m)]),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new()),
            };
            let page = NewPage {
                nav: Nav::of(&s),
                csrf: s.csrf.clone(),
                fields: field_rows(&form, &answers),
                description: input.description,
                requested_for: input.requested_for.unwrap_or_default(),
                staff,
                errors: Errors(errors),
                o,
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn problem(field: &str, message: String) -> steward_domain::FieldError {
    steward_domain::FieldError {
        field: field.to_owned(),
        message,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "request.html")]
pub struct RequestPage {
    nav: Option<Nav>,
    csrf: String,
    p: Request,
    flash: &'static str,
    errors: Errors,
    answers: Vec<(String, String)>,
    approvals: Vec<Approval>,
    tasks: Vec<Task>,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_comment: bool,
    /// The actor may decide one of its pending approvals.
    can_decide: bool,
    opened: String,
    closed: String,
    clock: String,
    tz: String,
}

impl RequestPage {
    fn decided(&self, a: &Approval) -> String {
        local_opt(a.decided_at, &self.tz)
    }
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

async fn request_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<RequestPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = crate::records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let approvals = state.store.request_approvals(p.id).await?;
    let tasks = if s.actor.role.is_staff() {
        state.store.request_tasks(p.id).await?
    } else {
        Vec::new()
    };
    let staff = s.actor.role.is_staff();
    let mut steps = if allowed(s, Kind::Request, Verb::Transition, Some(p.org_id)) {
        steps_from(p.state(), request::STEPS)
    } else {
        Vec::new()
    };
    if !staff {
        let own = p.requester_id == Some(s.actor.user_id);
        steps.retain(|t| t.action == "cancel" && own);
    }
    let groups = state.store.groups_of_user(s.actor.user_id).await?;
    let can_decide = p.state() == request::RequestState::AwaitingApproval
        && p.requester_id != Some(s.actor.user_id)
        && allowed(s, Kind::Request, Verb::Approve, Some(p.org_id))
        && approvals.iter().any(|a| {
            a.decision.get() == Decision::Pending
                && match a.approver.get() {
                    ApproverKind::Manager => a.user_id == Some(s.actor.user_id),
                    ApproverKind::Group => a.group_id.is_some_and(|g| groups.contains(&g)),
                }
        });
    let clocks = state.store.sla_clocks(p.id).await?;
    let now = steward_store::now_ms();
    let clock = clocks.first().map_or_else(String::new, |c| {
        let c = c.clock();
        let standing = c.standing(now);
        match c.due_at {
            Some(d) => format!(
                "{} · due {} ({} business minutes target)",
                standing.label(),
                local_time(d, &tz),
                c.target_minutes
            ),
            None => format!(
                "{} ({} business minutes target)",
                standing.label(),
                c.target_minutes
            ),
        }
    });
    let answers = super::answer_lines(state, &p).await;
    Ok(RequestPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        answers,
        approvals,
        tasks,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/requests/{}", p.number),
        staff,
        draft: String::new(),
        notes_first: false,
        steps,
        can_comment: !p.state().is_final()
            && allowed(s, Kind::Request, Verb::Comment, Some(p.org_id)),
        can_decide,
        opened: local_time(p.opened_at, &tz),
        closed: local_opt(p.closed_at, &tz),
        clock,
        tz,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<RequestPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("ordered", "Request sent."),
            ("decided", "Your decision is recorded."),
        ],
    );
    request_page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the request's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "request")?;
    let mut page = request_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    version: i64,
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<DecideForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = DecisionInput {
        decision: form.decision,
    };
    match super::decide(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(r) => Ok(Redirect::to(&format!("/requests/{}?m=decided", r.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = RequestStepInput {
        action: form.action,
        note: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(r) => Ok(Redirect::to(&format!("/requests/{}?m=moved", r.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TaskListPage {
    nav: Option<Nav>,
    f: KindListParams,
    rows: Vec<Task>,
    next_link: String,
    error: String,
}

pub async fn task_list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<KindListParams>,
) -> WebResult<TaskListPage> {
    let (page, error) = listed(super::tasks(&state, &s.actor, &f).await)?;
    Ok(TaskListPage {
        nav: Nav::of(&s),
        next_link: next_link("/tasks", &f, page.next.as_ref()),
        rows: page.items,
        error,
        f,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
pub struct TaskPage {
    nav: Option<Nav>,
    csrf: String,
    p: Task,
    flash: &'static str,
    errors: Errors,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_comment: bool,
    opened: String,
}

async fn task_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<TaskPage> {
    let p = super::task(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = crate::records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let steps = if allowed(s, Kind::Task, Verb::Transition, Some(p.org_id)) {
        steps_from(p.state(), request::TASK_STEPS)
    } else {
        Vec::new()
    };
    Ok(TaskPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/tasks/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_comment: !p.state().is_final()
            && allowed(s, Kind::Task, Verb::WorkNote, Some(p.org_id)),
        opened: local_time(p.opened_at, &tz),
        p,
    })
}

pub async fn task_show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<TaskPage> {
    let flash = crate::web::record::flash(q.m.as_deref(), &[]);
    task_page(&state, &s, &number, flash, Errors::default()).await
}

pub(crate) async fn task_refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "task")?;
    let mut page = task_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

pub async fn task_step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = TaskStepInput {
        action: form.action,
        note: form.text,
    };
    match super::task_step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}?m=moved", t.number)).into_response()),
        Err(e) => task_refused(&state, &s, &number, e, String::new()).await,
    }
}
