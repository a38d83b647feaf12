//! A person's own settings: time zone, notification e-mails, API tokens.

use super::*;

pub struct TokenRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) created: String,
    pub(super) last_used: String,
    pub(super) expires: String,
    pub(super) status: &'static str,
    pub(super) active: bool,
}

/// Tokens as the settings and user pages list them, in the reader's time zone.
pub(super) fn token_rows(tokens: Vec<steward_store::ApiToken>, tz: &str) -> Vec<TokenRow> {
    let now = steward_store::now_ms();
    tokens
        .into_iter()
        .map(|t| {
            let expired = t.expires_at.is_some_and(|e| e <= now);
            TokenRow {
                id: t.id,
                name: t.name,
                created: local_time(t.created_at, tz),
                last_used: local_opt(t.last_used_at, tz),
                expires: t
                    .expires_at
                    .map(|e| local_time(e, tz))
                    .unwrap_or_else(|| "never".into()),
                status: if t.revoked_at.is_some() {
                    "revoked"
                } else if expired {
                    "expired"
                } else {
                    "active"
                },
                active: t.revoked_at.is_none() && !expired,
            }
        })
        .collect()
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
        .filter(|e| {
            if staff {
                !e.customers_only()
            } else {
                !e.internal()
            }
        })
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
    let tokens = token_rows(state.store.list_tokens(s.user.id).await?, &tz);
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
    service_report_issued: Option<String>,
    survey_sent: Option<String>,
    record_overdue: Option<String>,
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
        Event::ServiceReportIssued => form.service_report_issued.is_some(),
        Event::SurveySent => form.survey_sent.is_some(),
        Event::RecordOverdue => form.record_overdue.is_some(),
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
    /// Empty: the token works until revoked.
    #[serde(default)]
    expires_in_days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    f: WebForm<TokenForm>,
) -> WebResult<Response> {
    let s = f.session;
    let days = f.form.expires_in_days.trim();
    let input = admin::TokenInput {
        name: f.form.name,
        // A number outside 1..=3650 is refused by the same rule as the API's.
        expires_in_days: match days {
            "" => None,
            d => Some(d.parse().unwrap_or(0)),
        },
    };
    match admin::create_token(&state.store, &s.actor, &s.user, &input).await {
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
    f: WebForm<crate::web::NoFields>,
) -> WebResult<Response> {
    let s = f.session;
    admin::revoke_token(&state.store, &s.actor, id).await?;
    Ok(Redirect::to("/settings").into_response())
}
