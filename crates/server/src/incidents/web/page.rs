//! An incident's page: its timeline, SLA clocks, known errors, links, and
//! the forms that edit it and move it on.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::incident::{CATEGORIES, HoldReason, ResolutionCode, Transition};
use steward_domain::kind::{Kind, Verb};
use steward_store::Incident;

use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::incidents::{self, IncidentPatch, TransitionInput};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time, some_text};

use super::*;

/// A button (and its extra fields) for one lifecycle step.
pub struct TransitionView {
    action: &'static str,
    label: String,
    hold: bool,
    resolve: bool,
    danger: bool,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "incident.html")]
pub struct IncidentPage {
    nav: Option<Nav>,
    csrf: String,
    i: Incident,
    staff: bool,
    flash: &'static str,
    errors: Errors,
    state_label: &'static str,
    hold_label: &'static str,
    resolution_label: &'static str,
    opened: String,
    first_response: String,
    resolved: String,
    closed: String,
    timeline: Vec<crate::web::record::TimelineItem>,
    can_transition: bool,
    can_edit: bool,
    can_comment: bool,
    attachments: Vec<crate::web::record::AttachmentRow>,
    /// The record's own path, where its forms post.
    base: String,
    /// Whether the comment forms offer a work note first.
    notes_first: bool,
    /// The comment being written, kept when it was refused.
    draft: String,
    /// The SLA clocks, explained.
    sla: crate::sla::SlaView,
    transitions: Vec<TransitionView>,
    hold_reasons: Vec<(&'static str, &'static str)>,
    resolution_codes: Vec<(&'static str, &'static str)>,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    levels: Vec<(String, &'static str)>,
    groups: Vec<String>,
    impact: String,
    urgency: String,
    group: String,
    assignee_email: String,
    known_errors: Vec<steward_store::KnownError>,
    links: Vec<crate::records::LinkView>,
    can_link: bool,
    /// The customer's rating, once given; whether the actor may give it now.
    rating: Option<steward_store::Rating>,
    can_rate: bool,
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

async fn incident_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<IncidentPage> {
    let i = incidents::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let record = crate::records::get(state, &s.actor, &i.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &record, &tz).await?;
    let known_errors = if i.state().is_final() {
        Vec::new()
    } else {
        crate::records::known_errors(state, &s.actor, &i).await?
    };
    let staff = s.actor.role.is_staff();
    let can_transition = authorize(
        &s.actor,
        Action::Work(Kind::Incident, Verb::Transition),
        Some(i.org_id),
    ) == Decision::Allow;
    let changeable = !i.state().is_final();
    let can_edit = changeable
        && authorize(
            &s.actor,
            Action::Work(Kind::Incident, Verb::Update),
            Some(i.org_id),
        ) == Decision::Allow;
    let groups = if can_edit {
        state
            .store
            .list_groups()
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect()
    } else {
        Vec::new()
    };
    let assignee_email = match i.assignee_id {
        Some(id) if can_edit => state.store.user_by_id(id).await?.email,
        _ => String::new(),
    };
    let lifecycle = i.lifecycle();
    let sla = crate::sla::of_incident(state, &s.actor, &i, &|ms| local_time(ms, &tz)).await?;
    let rating = crate::satisfaction::rating(state, &record).await?;
    let can_rate = rating.is_none()
        && steward_domain::satisfaction::ratable(i.state().category())
        && authorize(
            &s.actor,
            Action::Work(Kind::Incident, Verb::Rate),
            Some(i.org_id),
        ) == Decision::Allow;
    Ok(IncidentPage {
        sla,
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        staff,
        flash,
        errors,
        state_label: lifecycle.state.label(),
        hold_label: lifecycle.hold_reason.map(|h| h.label()).unwrap_or(""),
        resolution_label: lifecycle.resolution_code.map(|c| c.label()).unwrap_or(""),
        opened: local_time(i.opened_at, &tz),
        first_response: local_opt(i.first_response_at, &tz),
        resolved: local_opt(i.resolved_at, &tz),
        closed: local_opt(i.closed_at, &tz),
        timeline: parts.timeline,
        can_transition,
        can_edit,
        // Auditors read the conversation but take no part in it.
        can_comment: changeable
            && authorize(
                &s.actor,
                Action::Work(Kind::Incident, Verb::Comment),
                Some(i.org_id),
            ) == Decision::Allow,
        attachments: parts.attachments,
        base: format!("/incidents/{}", i.number),
        notes_first: false,
        draft: String::new(),
        transitions: if staff {
            Transition::available_from(lifecycle.state).to_vec()
        } else {
            Transition::customer_available_from(lifecycle.state)
        }
        .iter()
        .map(|a| TransitionView {
            action: a,
            label: capitalise(a),
            hold: *a == "hold",
            resolve: *a == "resolve",
            danger: *a == "cancel",
        })
        .collect(),
        hold_reasons: HoldReason::ALL
            .iter()
            .map(|h| (h.as_str(), h.label()))
            .collect(),
        resolution_codes: ResolutionCode::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        services: if can_edit {
            crate::web::record::service_options(state, &s.actor).await?
        } else {
            Vec::new()
        },
        categories: &CATEGORIES,
        levels: levels(),
        groups,
        impact: i.impact.to_string(),
        urgency: i.urgency.to_string(),
        group: i.group_name.clone().unwrap_or_default(),
        assignee_email,
        known_errors,
        links: parts.links,
        can_link: authorize(
            &s.actor,
            Action::Work(Kind::Incident, Verb::Link),
            Some(i.org_id),
        ) == Decision::Allow,
        rating,
        can_rate,
        i,
    })
}

fn flash_for(m: Option<&str>) -> &'static str {
    crate::web::record::flash(
        m,
        &[
            ("raised", "Incident raised."),
            (
                "workaround",
                "Workaround applied: the customer sees it as a comment.",
            ),
        ],
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(p): Query<ShowParams>,
) -> WebResult<IncidentPage> {
    incident_page(
        &state,
        &s,
        &number,
        flash_for(p.m.as_deref()),
        Errors::default(),
    )
    .await
}

/// A refused change from another page's form, shown on the incident's page.
pub(crate) async fn refused_with(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
) -> WebResult<Response> {
    refused(state, s, number, e, String::new()).await
}

pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "incident")?;
    let mut page = incident_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    assignee: String,
    major: Option<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let patch = IncidentPatch {
        title: Some(form.title),
        description: Some(form.description),
        service: Some(form.service),
        category: Some(form.category),
        impact: Some(level(&form.impact).unwrap_or(0)),
        urgency: Some(level(&form.urgency).unwrap_or(0)),
        group: Some(some_text(&form.group)),
        assignee: Some(some_text(&form.assignee)),
        major: Some(form.major.is_some()),
    };
    match incidents::update(&state, &s.actor, &number, &patch, Some(form.version)).await {
        Ok(i) => Ok(Redirect::to(&format!("/incidents/{}?m=saved", i.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct BreachReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn breach_reason(
    State(state): State<AppState>,
    Path((number, kind)): Path<(String, String)>,
    f: WebForm<BreachReasonForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = crate::sla::BreachReasonInput {
        reason: form.reason,
    };
    match crate::sla::record_breach_reason(&state, &s.actor, &number, &kind, &input).await {
        Ok(i) => Ok(Redirect::to(&format!("/incidents/{}?m=saved#sla", i.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    version: i64,
    action: String,
    hold_reason: Option<String>,
    resolution_code: Option<String>,
    resolution_notes: Option<String>,
}

pub async fn transition(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<TransitionForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = TransitionInput {
        action: form.action,
        hold_reason: form.hold_reason,
        resolution_code: form.resolution_code,
        resolution_notes: form.resolution_notes,
    };
    match incidents::transition(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(i) => Ok(Redirect::to(&format!("/incidents/{}?m=moved", i.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn download(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (a, bytes) = crate::attachments::download(&state, &s.actor, id).await?;
    Ok(crate::attachments::download_response(
        &a.file_name,
        &a.content_type,
        bytes,
    ))
}
