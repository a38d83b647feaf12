//! Incident pages: home with queues, list, raise, detail with timeline, edit,
//! transitions and comments.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, Visibility, authorize};
use steward_domain::incident::{CATEGORIES, HoldReason, IncidentState, ResolutionCode, Transition};
use steward_domain::kind::{Kind, Verb};
use steward_store::Incident;

use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::incidents::{self, IncidentInput, IncidentPatch, ListParams, TransitionInput};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time};

/// One line of an incident table.
pub struct Row {
    number: String,
    title: String,
    priority: i64,
    state: String,
    state_label: &'static str,
    service: String,
    organisation: String,
    assignee: String,
    opened: String,
    major: bool,
    /// Time to the nearest SLA due time ("2 h 10 min", "overdue 35 min"), or empty.
    due: String,
    /// `overdue`, `soon` (within the hour) or empty.
    due_class: &'static str,
}

/// Time left to a due time, as the queue shows it.
fn time_left(due: Option<i64>, now: i64) -> (String, &'static str) {
    match due {
        None => (String::new(), ""),
        Some(d) if d <= now => (
            format!("overdue {}", crate::sla::minutes_text((now - d) / 60_000)),
            "overdue",
        ),
        Some(d) => {
            let m = (d - now) / 60_000;
            (
                crate::sla::minutes_text(m),
                if m < 60 { "soon" } else { "" },
            )
        }
    }
}

fn rows(items: &[Incident], tz: &str) -> Vec<Row> {
    let now = steward_store::now_ms();
    items
        .iter()
        .map(|i| Row {
            due: time_left(i.sla_due().filter(|_| i.state().is_open()), now).0,
            due_class: time_left(i.sla_due().filter(|_| i.state().is_open()), now).1,
            number: i.number.clone(),
            title: i.title.clone(),
            priority: i.priority,
            state: i.state.to_string(),
            state_label: i.state().label(),
            service: i.service_name.clone(),
            organisation: i.org_name.clone(),
            assignee: i.assignee_name.clone().unwrap_or_default(),
            opened: local_time(i.opened_at, tz),
            major: i.major,
        })
        .collect()
}

pub struct Queue {
    key: &'static str,
    name: &'static str,
    link: String,
    count: String,
}

const COUNT_CAP: i64 = 10_000;

fn count_text(n: i64) -> String {
    if n >= COUNT_CAP {
        format!("{COUNT_CAP}+")
    } else {
        n.to_string()
    }
}

fn query_string(p: &ListParams) -> String {
    serde_urlencoded::to_string(p).unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    nav: Option<Nav>,
    staff: bool,
    organisation: String,
    queues: Vec<Queue>,
    list_title: &'static str,
    list_link: String,
    rows: Vec<Row>,
}

pub async fn home(State(state): State<AppState>, s: WebSession) -> WebResult<HomePage> {
    let staff = s.actor.role.is_staff();
    let open = |extra: ListParams| ListParams {
        state: Some("open".into()),
        ..extra
    };
    let defs: Vec<(&'static str, &'static str, ListParams)> = if staff {
        vec![
            (
                "mine",
                "Assigned to me",
                open(ListParams {
                    assignee: Some("me".into()),
                    ..Default::default()
                }),
            ),
            (
                "unassigned",
                "Unassigned in my groups",
                open(ListParams {
                    assignee: Some("none".into()),
                    group: Some("mine".into()),
                    ..Default::default()
                }),
            ),
            ("open", "All open", open(ListParams::default())),
            (
                "major",
                "Major incidents open",
                open(ListParams {
                    major: Some(true),
                    ..Default::default()
                }),
            ),
        ]
    } else {
        vec![
            ("open", "Open", open(ListParams::default())),
            (
                "resolved",
                "Resolved, awaiting closure",
                ListParams {
                    state: Some("resolved".into()),
                    ..Default::default()
                },
            ),
        ]
    };
    let mut queues = Vec::new();
    for (key, name, params) in defs {
        let (filter, ..) = incidents::build_filter(&state, &s.actor, &params).await?;
        let n = state
            .store
            .count_incidents(Visibility::of(&s.actor), &filter, COUNT_CAP)
            .await?;
        queues.push(Queue {
            key,
            name,
            link: format!("/incidents?{}", query_string(&params)),
            count: count_text(n),
        });
    }
    let (list_title, list_params) = if staff {
        (
            "Open incidents, least SLA time left first",
            open(ListParams {
                order: Some("due".into()),
                ..Default::default()
            }),
        )
    } else {
        ("Latest incidents", ListParams::default())
    };
    let (filter, order, _, _) = incidents::build_filter(&state, &s.actor, &list_params).await?;
    let page = state
        .store
        .list_incidents(Visibility::of(&s.actor), &filter, order, None, 20)
        .await?;
    let tz = s.user.effective_time_zone().to_owned();
    Ok(HomePage {
        nav: Nav::of(&s),
        staff,
        organisation: s.user.org_name.clone(),
        queues,
        list_title,
        list_link: format!("/incidents?{}", query_string(&list_params)),
        rows: rows(&page.items, &tz),
    })
}

/// The filter form's current values, as text.
#[derive(Default)]
pub struct FilterValues {
    q: String,
    state: String,
    priority: String,
    service: String,
    assignee: String,
    order: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents.html")]
pub struct ListPage {
    nav: Option<Nav>,
    staff: bool,
    f: FilterValues,
    states: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    services: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    error: String,
    count_text: String,
    rows: Vec<Row>,
    next_link: String,
    first_link: String,
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    RawQuery(raw): RawQuery,
) -> WebResult<ListPage> {
    let raw = raw.unwrap_or_default();
    let (params, mut error): (ListParams, String) = match serde_urlencoded::from_str(&raw) {
        Ok(p) => (p, String::new()),
        Err(_) => (
            ListParams::default(),
            "Some filters were not understood and were ignored.".into(),
        ),
    };
    let tz = s.user.effective_time_zone().to_owned();
    let (items, next, count) = match incidents::build_filter(&state, &s.actor, &params).await {
        Ok((filter, order, cursor, limit)) => {
            let page = state
                .store
                .list_incidents(Visibility::of(&s.actor), &filter, order, cursor, limit)
                .await?;
            let count = state
                .store
                .count_incidents(Visibility::of(&s.actor), &filter, COUNT_CAP)
                .await?;
            (page.items, page.next, count)
        }
        Err(AppError::Validation(v)) => {
            error =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
            (Vec::new(), None, 0)
        }
        Err(e) => return Err(e.into()),
    };
    let next_link = next
        .map(|c| {
            format!(
                "/incidents?{}",
                query_string(&ListParams {
                    cursor: Some(crate::paging::encode_cursor(&c)),
                    ..params.clone()
                })
            )
        })
        .unwrap_or_default();
    let first_link = if params.cursor.is_some() {
        format!(
            "/incidents?{}",
            query_string(&ListParams {
                cursor: None,
                ..params.clone()
            })
        )
    } else {
        String::new()
    };
    let mut states = vec![
        ("".to_owned(), "Any".to_owned()),
        ("open".into(), "Open (new, in progress, on hold)".into()),
    ];
    states.extend(
        IncidentState::ALL
            .iter()
            .map(|st| (st.as_str().to_owned(), st.label().to_owned())),
    );
    let mut priorities = vec![("".to_owned(), "Any".to_owned())];
    priorities.extend((1..=5).map(|p| (format!("P{p}"), format!("P{p}"))));
    let staff = s.actor.role.is_staff();
    Ok(ListPage {
        nav: Nav::of(&s),
        staff,
        f: FilterValues {
            q: params.q.clone().unwrap_or_default(),
            state: params.state.clone().unwrap_or_default(),
            priority: params.priority.clone().unwrap_or_default(),
            service: params.service.clone().unwrap_or_default(),
            assignee: params.assignee.clone().unwrap_or_default(),
            order: params.order.clone().unwrap_or_default(),
        },
        states,
        priorities,
        services: crate::web::record::service_options(&state, &s.actor).await?,
        assignees: vec![
            ("".into(), "Anyone".into()),
            ("me".into(), "Me".into()),
            ("none".into(), "Unassigned".into()),
        ],
        error,
        count_text: match count {
            0 => "No incidents match.".into(),
            1 => "1 incident matches.".into(),
            n => format!("{} incidents match.", count_text(n)),
        },
        rows: rows(&items, &tz),
        next_link,
        first_link,
    })
}

/// The raise form as typed (every field text, so that bad input is shown back).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    title: String,
    service: String,
    description: String,
    impact: String,
    urgency: String,
    category: String,
    caller: String,
    group: String,
    assignee: String,
    major: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "incident_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    staff: bool,
    form: NewForm,
    errors: Errors,
    services: Vec<(String, String)>,
    groups: Vec<String>,
    levels: Vec<(String, &'static str)>,
    categories: &'static [&'static str],
}

fn levels() -> Vec<(String, &'static str)> {
    vec![
        ("1".into(), "1 - High"),
        ("2".into(), "2 - Medium"),
        ("3".into(), "3 - Low"),
    ]
}

async fn new_page_for(
    state: &AppState,
    s: &WebSession,
    form: NewForm,
    errors: Errors,
) -> WebResult<NewPage> {
    let staff = s.actor.role.is_staff();
    let groups = if staff {
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
    Ok(NewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        staff,
        form,
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        groups,
        levels: levels(),
        categories: &CATEGORIES,
    })
}

pub async fn new_page(State(state): State<AppState>, s: WebSession) -> WebResult<NewPage> {
    incidents::may_raise(&s.actor)?;
    let form = NewForm {
        impact: "3".into(),
        urgency: "3".into(),
        category: "general".into(),
        ..Default::default()
    };
    new_page_for(&state, &s, form, Errors::default()).await
}

/// Text to number; text that is not a number becomes 0, which the domain refuses clearly.
fn level(s: &str) -> Option<i64> {
    if s.trim().is_empty() {
        None
    } else {
        Some(s.trim().parse().unwrap_or(0))
    }
}

fn some_text(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_owned())
    }
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let staff = s.actor.role.is_staff();
    let input = IncidentInput {
        title: form.title.clone(),
        description: form.description.clone(),
        service: form.service.clone(),
        category: some_text(&form.category),
        impact: level(&form.impact),
        urgency: level(&form.urgency),
        caller: some_text(&form.caller).filter(|_| staff),
        group: some_text(&form.group).filter(|_| staff),
        assignee: some_text(&form.assignee).filter(|_| staff),
        major: staff && form.major.is_some(),
    };
    match incidents::create(&state, &s.actor, &input).await {
        Ok(inc) => Ok(Redirect::to(&format!("/incidents/{}?m=raised", inc.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = new_page_for(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

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
        can_comment: changeable,
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
