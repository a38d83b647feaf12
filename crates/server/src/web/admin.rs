//! Administration pages: users, organisations, personal settings and tokens,
//! and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Role};
use steward_domain::notify::Event;
use steward_store::{Organisation, User};

use super::record::changes_of;
use super::{Errors, Nav, WebResult, local_opt, local_time};
use crate::AppState;
use crate::admin::{self, OrgInput, UserInput, UserPatch};
use crate::api_params::AuditParams;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    email: String,
    name: String,
    role: String,
    organisation: String,
    password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    users: Vec<User>,
    orgs: Vec<Organisation>,
    roles: Vec<&'static str>,
    form: UserForm,
    errors: Errors,
}

async fn users_page(
    state: &AppState,
    s: &WebSession,
    form: UserForm,
    errors: Errors,
    flash: &'static str,
) -> WebResult<UsersPage> {
    let (users, orgs) = admin::user_admin(&state.store, &s.actor).await?;
    Ok(UsersPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        users,
        orgs,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        form,
        errors,
    })
}

pub async fn users(State(state): State<AppState>, s: WebSession) -> WebResult<UsersPage> {
    users_page(
        &state,
        &s,
        UserForm {
            role: "agent".into(),
            ..Default::default()
        },
        Errors::default(),
        "",
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    f: WebForm<UserForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = UserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        organisation: Some(form.organisation.clone()).filter(|o| !o.is_empty()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    match admin::create_user(&state.store, &s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(AppError::Validation(v)) => {
            let page = users_page(
                &state,
                &s,
                UserForm {
                    password: String::new(),
                    ..form
                },
                Errors(v.0),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict(m)) => {
            let errors = Errors(vec![steward_domain::FieldError {
                field: "email".into(),
                message: m,
            }]);
            let page = users_page(
                &state,
                &s,
                UserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                "",
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<ActiveForm>,
) -> WebResult<Response> {
    let patch = UserPatch {
        active: Some(f.form.active),
        ..Default::default()
    };
    admin::update_user(&state.store, &f.session.actor, id, &patch).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgForm {
    name: String,
    time_zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations.html")]
pub struct OrgsPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    orgs: Vec<Organisation>,
    form: OrgForm,
    errors: Errors,
}

pub async fn organisations(State(state): State<AppState>, s: WebSession) -> WebResult<OrgsPage> {
    let orgs = admin::org_admin(&state.store, &s.actor).await?;
    Ok(OrgsPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        flash: "",
        orgs,
        form: OrgForm {
            time_zone: "UTC".into(),
            ..Default::default()
        },
        errors: Errors::default(),
    })
}

pub async fn create_org(State(state): State<AppState>, f: WebForm<OrgForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = OrgInput {
        name: form.name.clone(),
        kind: Some("customer".into()),
        time_zone: Some(form.time_zone.clone()).filter(|t| !t.trim().is_empty()),
    };
    let errors = match admin::create_org(&state.store, &s.actor, &input).await {
        Ok(_) => return Ok(Redirect::to("/admin/organisations").into_response()),
        Err(AppError::Validation(v)) => v.0,
        Err(AppError::Conflict(m)) => vec![steward_domain::FieldError {
            field: "name".into(),
            message: m,
        }],
        Err(e) => return Err(e.into()),
    };
    let page = OrgsPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        flash: "",
        orgs: state.store.list_orgs().await?,
        form,
        errors: Errors(errors),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    status: &'static str,
    active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    time_zone: String,
    org_time_zone: String,
    tokens: Vec<TokenRow>,
    new_token: String,
    errors: Errors,
    /// (event, label, on) for the events this person may hear of.
    notifications: Vec<(&'static str, &'static str, bool)>,
    mail_on: bool,
}

/// The events a person of this role can hear of.
fn events_for(staff: bool) -> Vec<Event> {
    Event::ALL
        .into_iter()
        .filter(|e| staff || !e.internal())
        .collect()
}

async fn settings_page(
    state: &AppState,
    s: &WebSession,
    flash: &'static str,
    new_token: String,
    errors: Errors,
) -> WebResult<SettingsPage> {
    let tz = s.user.effective_time_zone().to_owned();
    let tokens = state
        .store
        .list_tokens(s.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: local_time(t.created_at, &tz),
            last_used: local_opt(t.last_used_at, &tz),
            status: if t.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            },
            active: t.revoked_at.is_none(),
        })
        .collect();
    let muted = state.store.notifications_muted(s.user.id).await?;
    let notifications = events_for(s.actor.role.is_staff())
        .into_iter()
        .map(|e| {
            (
                e.as_str(),
                e.label(),
                !muted.split(',').any(|m| m.trim() == e.as_str()),
            )
        })
        .collect();
    Ok(SettingsPage {
        notifications,
        mail_on: state.mailer.enabled(),
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        time_zone: s.user.time_zone.clone().unwrap_or_default(),
        org_time_zone: s.user.org_time_zone.clone(),
        tokens,
        new_token,
        errors,
    })
}

pub async fn settings(State(state): State<AppState>, s: WebSession) -> WebResult<SettingsPage> {
    settings_page(&state, &s, "", String::new(), Errors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

pub async fn set_time_zone(
    State(state): State<AppState>,
    f: WebForm<TimeZoneForm>,
) -> WebResult<Response> {
    let s = f.session;
    let patch = UserPatch {
        time_zone: Some(f.form.time_zone),
        ..Default::default()
    };
    match admin::update_user(&state.store, &s.actor, s.user.id, &patch).await {
        Ok(_) => Ok(Redirect::to("/settings").into_response()),
        Err(AppError::Validation(v)) => {
            let page = settings_page(&state, &s, "", String::new(), Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The e-mails a person wants: one checkbox per event, present when ticked.
#[derive(Debug, Deserialize)]
pub struct NotificationForm {
    incident_created: Option<String>,
    incident_assigned: Option<String>,
    incident_commented: Option<String>,
    work_note_added: Option<String>,
    incident_resolved: Option<String>,
    sla_warning: Option<String>,
    sla_breach: Option<String>,
}

pub async fn set_notifications(
    State(state): State<AppState>,
    f: WebForm<NotificationForm>,
) -> WebResult<Response> {
    let s = f.session;
    let form = f.form;
    let ticked = |e: Event| match e {
        Event::IncidentCreated => form.incident_created.is_some(),
        Event::IncidentAssigned => form.incident_assigned.is_some(),
        Event::IncidentCommented => form.incident_commented.is_some(),
        Event::WorkNoteAdded => form.work_note_added.is_some(),
        Event::IncidentResolved => form.incident_resolved.is_some(),
        Event::SlaWarning => form.sla_warning.is_some(),
        Event::SlaBreach => form.sla_breach.is_some(),
    };
    let muted: Vec<&str> = events_for(s.actor.role.is_staff())
        .into_iter()
        .filter(|e| !ticked(*e))
        .map(|e| e.as_str())
        .collect();
    admin::set_notifications_muted(&state.store, &s.actor, &muted.join(",")).await?;
    Ok(settings_page(
        &state,
        &s,
        "Notification choices saved.",
        String::new(),
        Errors::default(),
    )
    .await?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    f: WebForm<TokenForm>,
) -> WebResult<Response> {
    let s = f.session;
    match admin::create_token(&state.store, &s.actor, &s.user, &f.form.name).await {
        // Shown on this response only; it is never stored in clear.
        Ok((_, secret)) => Ok(settings_page(&state, &s, "", secret, Errors::default())
            .await?
            .into_response()),
        Err(AppError::Validation(v)) => {
            let page = settings_page(&state, &s, "", String::new(), Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<super::NoFields>,
) -> WebResult<Response> {
    let s = f.session;
    admin::revoke_token(&state.store, &s.actor, id).await?;
    Ok(Redirect::to("/settings").into_response())
}

pub struct AuditRow {
    when: String,
    who: String,
    record_type: String,
    record: String,
    action: String,
    changes: Vec<(String, String, String)>,
    seq: String,
}

#[derive(Default)]
pub struct AuditFilterValues {
    record_type: String,
    record: String,
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    nav: Option<Nav>,
    chain: String,
    f: AuditFilterValues,
    record_types: Vec<(&'static str, &'static str)>,
    entries: Vec<AuditRow>,
    next_link: String,
}

pub async fn audit(
    State(state): State<AppState>,
    s: WebSession,
    RawQuery(raw): RawQuery,
) -> WebResult<AuditPage> {
    let params: AuditParams = serde_urlencoded::from_str(&raw.unwrap_or_default())
        .map_err(|_| AppError::BadRequest("the filter was not understood".into()))?;
    let filter = params.filter()?;
    let entries = admin::audit(&state.store, &s.actor, &params).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let next_link = match entries.last() {
        Some(last) if entries.len() as i64 == filter.limit => {
            let next = AuditParams {
                before: Some(last.id),
                ..params.clone()
            };
            format!(
                "/audit?{}",
                serde_urlencoded::to_string(&next).unwrap_or_default()
            )
        }
        _ => String::new(),
    };
    Ok(AuditPage {
        nav: Nav::of(&s),
        chain: "Check the chain with `steward audit verify`.".into(),
        f: AuditFilterValues {
            record_type: params.record_type.clone().unwrap_or_default(),
            record: params.record.clone().unwrap_or_default(),
            action: params.action.clone().unwrap_or_default(),
        },
        record_types: vec![
            ("", "Any"),
            ("incident", "Incident"),
            ("service", "Service"),
            ("user", "User"),
            ("organisation", "Organisation"),
            ("group", "Group"),
        ],
        entries: entries
            .iter()
            .map(|e| AuditRow {
                when: local_time(e.occurred_at, &tz),
                who: e.actor_label.clone(),
                record_type: e.record_type.clone(),
                record: e.record_number.clone(),
                action: e.action.clone(),
                changes: changes_of(&e.changes),
                seq: e
                    .seq
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "unsealed".into()),
            })
            .collect(),
        next_link,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    name: String,
    description: String,
    status: String,
    owner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
pub struct ServicesPage {
    nav: Option<Nav>,
    csrf: String,
    services: Vec<steward_store::Service>,
    can_write: bool,
    statuses: [&'static str; 3],
    customer_orgs: Vec<String>,
    form: ServiceForm,
    errors: Errors,
}

async fn services_page(
    state: &AppState,
    s: &WebSession,
    form: ServiceForm,
    errors: Errors,
) -> WebResult<ServicesPage> {
    use steward_domain::access::{Decision, authorize};
    let services = crate::catalogue::list(&state.store, &s.actor).await?;
    let can_write = authorize(&s.actor, Action::ServiceWrite, None) == Decision::Allow;
    let customer_orgs = if can_write {
        state
            .store
            .list_orgs()
            .await?
            .into_iter()
            .filter(|o| o.kind == "customer")
            .map(|o| o.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(ServicesPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        services,
        can_write,
        statuses: ["pipeline", "live", "retired"],
        customer_orgs,
        form,
        errors,
    })
}

pub async fn services(State(state): State<AppState>, s: WebSession) -> WebResult<ServicesPage> {
    services_page(
        &state,
        &s,
        ServiceForm {
            status: "live".into(),
            ..Default::default()
        },
        Errors::default(),
    )
    .await
}

pub async fn create_service(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    // A multiple select repeats its field, so the form is read as pairs.
    let mut form = ServiceForm::default();
    let mut customers = Vec::new();
    for (k, v) in f.form {
        match k.as_str() {
            "name" => form.name = v,
            "description" => form.description = v,
            "status" => form.status = v,
            "owner" => form.owner = v,
            "customers" => customers.push(v),
            _ => {}
        }
    }
    let input = crate::catalogue::ServiceInput {
        name: form.name.clone(),
        description: form.description.clone(),
        status: Some(form.status.clone()).filter(|s| !s.is_empty()),
        owner: Some(form.owner.clone()).filter(|o| !o.trim().is_empty()),
        customers,
    };
    match crate::catalogue::create(&state.store, &s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/services").into_response()),
        Err(AppError::Validation(v)) => {
            let page = services_page(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
