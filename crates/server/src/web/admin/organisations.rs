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
