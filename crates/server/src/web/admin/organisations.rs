//! The organisations page.

use super::*;

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

/// One organisation's edit form: the services it receives are checkboxes,
/// so the form is read as pairs.
#[derive(Debug, Default)]
pub struct OrgEditForm {
    name: String,
    time_zone: String,
    services: Vec<String>,
}

impl OrgEditForm {
    /// Whether the service `number` is ticked (the template's question).
    pub fn has(&self, number: &str) -> bool {
        self.services.iter().any(|s| s == number)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct OrgPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    org: Organisation,
    users: Vec<User>,
    all_services: Vec<steward_store::Service>,
    form: OrgEditForm,
    errors: Errors,
}

async fn org_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    form: Option<OrgEditForm>,
    errors: Errors,
    flash: &'static str,
) -> WebResult<OrgPage> {
    // The page is the administrators' (it changes the organisation).
    crate::policy::require(&s.actor, Action::OrgWrite, None)?;
    let (org, received) = admin::org(&state.store, &s.actor, id).await?;
    let form = form.unwrap_or_else(|| OrgEditForm {
        name: org.name.clone(),
        time_zone: org.time_zone.clone(),
        services: received.iter().map(|s| s.number.clone()).collect(),
    });
    let all_services = if org.kind == "customer" {
        crate::catalogue::list(&state.store, &s.actor).await?
    } else {
        Vec::new()
    };
    Ok(OrgPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        users: state.store.list_users(Some(org.id)).await?,
        org,
        all_services,
        form,
        errors,
    })
}

pub async fn organisation(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> WebResult<OrgPage> {
    let flash = if q.m.as_deref() == Some("saved") {
        "Saved."
    } else {
        ""
    };
    org_page(&state, &s, id, None, Errors::default(), flash).await
}

pub async fn update_org(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let mut form = OrgEditForm::default();
    for (k, v) in f.form {
        match k.as_str() {
            "name" => form.name = v,
            "time_zone" => form.time_zone = v,
            "services" => form.services.push(v),
            _ => {}
        }
    }
    let kind = admin::org(&state.store, &s.actor, id).await?.0.kind;
    let patch = crate::admin::OrgPatch {
        name: Some(form.name.clone()),
        time_zone: Some(form.time_zone.clone()),
        // The provider receives no services: its form has none to send.
        services: (kind == "customer").then(|| form.services.clone()),
    };
    let errors = match admin::update_org(&state.store, &s.actor, id, &patch).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/admin/organisations/{id}?m=saved")).into_response());
        }
        Err(AppError::Validation(v)) => v.0,
        Err(AppError::Conflict(m)) => vec![steward_domain::FieldError {
            field: "name".into(),
            message: m,
        }],
        Err(e) => return Err(e.into()),
    };
    let page = org_page(&state, &s, id, Some(form), Errors(errors), "").await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
