//! Raise an incident.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::incident::CATEGORIES;

use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::incidents::{self, IncidentInput};
use crate::web::{Errors, Nav, WebResult, some_text};

use super::*;

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
