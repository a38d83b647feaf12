//! The findings pages: the board of every audit's findings, and a finding's
//! page with its evidence, the nonconformity raised from it, links and timeline.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::internal_audit::{FINDING_STEPS, Grade};
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::Finding;

use super::{FindingListParams, FindingPatch, FindingStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{EditValues, form_version, overdue};
use crate::error::AppError;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time, some_text};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/findings", "GET", get(list))
        .route("/findings/{number}", "GET", get(show))
        .route("/findings/{number}/edit", "POST", post(edit))
        .route("/findings/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, kind: Kind, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(kind, verb), None) == Decision::Allow
}

/// The board: a column per grade.
#[derive(Template, WebTemplate)]
#[template(path = "findings.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: FindingListParams,
    columns: Vec<(Grade, Vec<Finding>)>,
    now: i64,
    tz: String,
    next_link: String,
    error: String,
}

impl ListPage {
    fn target(&self, f: &Finding) -> String {
        local_opt(f.target_at, &self.tz)
    }

    fn overdue(&self, f: &Finding) -> bool {
        overdue(f, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<FindingListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/findings", &f, page.next.as_ref());
    let columns = Grade::ALL
        .iter()
        .map(|g| {
            let items = page
                .items
                .iter()
                .filter(|x| x.grade.get() == *g)
                .cloned()
                .collect();
            (*g, items)
        })
        .collect();
    Ok(ListPage {
        nav: Nav::of(&s),
        columns,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        next_link,
        error,
        f,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "finding.html")]
pub struct FindingPage {
    nav: Option<Nav>,
    csrf: String,
    p: Finding,
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
    can_raise: bool,
    can_propose: bool,
    overdue: bool,
    opened: String,
    target: String,
    edit: EditValues,
    grades: &'static [Grade],
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
) -> WebResult<FindingPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let open = !p.state().is_final();
    let can_edit = open && allowed(s, Kind::Finding, Verb::Update);
    let steps = if allowed(s, Kind::Finding, Verb::Transition) {
        steps_from(p.state(), FINDING_STEPS)
    } else {
        Vec::new()
    };
    Ok(FindingPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/findings/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_edit,
        can_link: open && allowed(s, Kind::Finding, Verb::Link),
        can_comment: open && allowed(s, Kind::Finding, Verb::Comment),
        can_raise: open
            && p.grade.get().is_nonconformity()
            && allowed(s, Kind::Nonconformity, Verb::Create),
        can_propose: open && allowed(s, Kind::Improvement, Verb::Create),
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        target: local_opt(p.target_at, &tz),
        edit: EditValues::of(state, &p, can_edit).await?,
        grades: Grade::ALL,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<FindingPage> {
    let flash = crate::web::record::flash(q.m.as_deref(), &[("recorded", "Finding recorded.")]);
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the finding's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "finding")?;
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
    grade: String,
    #[serde(default)]
    clause: String,
    #[serde(default)]
    evidence: String,
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
    let patch = FindingPatch {
        title: Some(form.title),
        grade: Some(form.grade),
        clause: Some(form.clause),
        evidence: Some(form.evidence),
        assignee: Some(some_text(&form.assignee)),
        target_date: Some(some_text(&form.target_date)),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(x) => Ok(Redirect::to(&format!("/findings/{}?m=saved", x.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = FindingStepInput {
        action: form.action,
        reason: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(x) => Ok(Redirect::to(&format!("/findings/{}?m=moved", x.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
