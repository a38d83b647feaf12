//! The service catalogue page.

use super::*;

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
