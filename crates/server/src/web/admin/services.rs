//! The service catalogue page.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    /// The version the edit form was opened at (the add form has none).
    version: String,
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
        admin::customer_names(&state.store).await?
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
    let (form, customers) = read_service_form(f.form);
    let input = crate::catalogue::ServiceInput {
        name: form.name.clone(),
        description: form.description.clone(),
        status: Some(form.status.clone()).filter(|s| !s.is_empty()),
        owner: Some(form.owner.clone()).filter(|o| !o.trim().is_empty()),
        customers,
    };
    match crate::catalogue::create(&state.store, &s.actor, &input).await {
        Ok(svc) => Ok(Redirect::to(&format!("/services/{}?m=saved", svc.number)).into_response()),
        Err(e) => {
            let (status, errors) = crate::web::form_errors(e)?;
            let page = services_page(&state, &s, form, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

/// A line of the service page's work lists.
pub struct WorkLine {
    number: String,
    href: String,
    title: String,
    priority: i64,
    state: String,
    organisation: String,
}

/// An agreement that covers the service.
pub struct CoverLine {
    number: String,
    kind: String,
    title: String,
    party: String,
    status: String,
}

/// One service: who receives it, the agreements that cover it, its open
/// incidents and problems (staff), and the edit form (who may write the
/// catalogue). Customers see the service itself only.
#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
pub struct ServicePage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    service: steward_store::Service,
    is_staff: bool,
    customers: Vec<Organisation>,
    agreements: Vec<CoverLine>,
    incidents: Vec<WorkLine>,
    incident_count: i64,
    problems: Vec<WorkLine>,
    can_write: bool,
    statuses: [&'static str; 3],
    customer_orgs: Vec<String>,
    form: ServiceForm,
    chosen: Vec<String>,
    errors: Errors,
}

impl ServicePage {
    /// Whether the customer organisation `name` is chosen in the form.
    pub fn chosen(&self, name: &str) -> bool {
        self.chosen.iter().any(|c| c == name)
    }
}

const SHOWN: i64 = 10;

async fn service_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    edit: Option<(ServiceForm, Vec<String>)>,
    errors: Errors,
    flash: &'static str,
) -> WebResult<ServicePage> {
    use steward_domain::access::{Decision, authorize};
    let (service, customers) = crate::catalogue::get(&state.store, &s.actor, number).await?;
    let is_staff = customers.is_some();
    let customers = customers.unwrap_or_default();
    let can_write = authorize(&s.actor, Action::ServiceWrite, None) == Decision::Allow;
    let (mut agreements, mut incidents, mut problems, mut incident_count) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    if is_staff {
        agreements = crate::agreements::list(state, &s.actor)
            .await?
            .into_iter()
            .filter(|a| a.services.is_empty() || a.services.iter().any(|(id, _)| *id == service.id))
            .map(|a| CoverLine {
                party: match (&a.org_name, &a.group_name) {
                    (Some(o), _) => o.clone(),
                    (None, Some(g)) => format!("group {g}"),
                    (None, None) => "every customer".into(),
                },
                number: a.number,
                kind: a.kind.to_uppercase(),
                title: a.title,
                status: a.status,
            })
            .collect();
        let params = crate::incidents::ListParams {
            state: Some("open".into()),
            service: Some(service.number.clone()),
            order: Some("priority".into()),
            limit: Some(SHOWN),
            ..Default::default()
        };
        let (filter, order, cursor, limit) =
            crate::incidents::build_filter(state, &s.actor, &params).await?;
        let vis = steward_domain::access::Visibility::of(&s.actor);
        incident_count = state.store.count_incidents(vis, &filter, 10_000).await?;
        incidents = state
            .store
            .list_incidents(vis, &filter, order, cursor, limit)
            .await?
            .items
            .into_iter()
            .map(|i| WorkLine {
                href: format!("/incidents/{}", i.number),
                number: i.number,
                title: i.title,
                priority: i.priority,
                state: i.state.get().label().to_owned(),
                organisation: i.org_name,
            })
            .collect();
        let params = crate::problems::ProblemListParams {
            state: Some("open".into()),
            service: Some(service.number.clone()),
            limit: Some(SHOWN),
            ..Default::default()
        };
        // Staff who may read problems see the service's; a role that may not, none.
        let read_problems = authorize(
            &s.actor,
            Action::Work(
                steward_domain::kind::Kind::Problem,
                steward_domain::kind::Verb::Read,
            ),
            None,
        ) == Decision::Allow;
        if read_problems {
            problems = crate::problems::list(state, &s.actor, &params)
                .await?
                .items
                .into_iter()
                .map(|p| WorkLine {
                    href: format!("/problems/{}", p.record.number),
                    number: p.record.number,
                    title: p.record.title,
                    priority: p.record.priority,
                    state: p.record.state.get().label().to_owned(),
                    organisation: String::new(),
                })
                .collect();
        }
    }
    let customer_orgs = if can_write {
        admin::customer_names(&state.store).await?
    } else {
        Vec::new()
    };
    let (form, chosen) = edit.unwrap_or_else(|| {
        (
            ServiceForm {
                version: service.version.to_string(),
                name: service.name.clone(),
                description: service.description.clone(),
                status: service.status.clone(),
                owner: String::new(),
            },
            customers.iter().map(|o| o.name.clone()).collect(),
        )
    });
    let mut form = form;
    if form.owner.is_empty()
        && errors.is_empty()
        && let Some(owner) = service.owner_id
    {
        form.owner = state.store.user_by_id(owner).await?.email;
    }
    Ok(ServicePage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        service,
        is_staff,
        customers,
        agreements,
        incidents,
        incident_count,
        problems,
        can_write,
        statuses: ["pipeline", "live", "retired"],
        customer_orgs,
        form,
        chosen,
        errors,
    })
}

pub async fn service(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> WebResult<ServicePage> {
    let flash = if q.m.as_deref() == Some("saved") {
        "Saved."
    } else {
        ""
    };
    service_page(&state, &s, &number, None, Errors::default(), flash).await
}

pub async fn update_service(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let (form, customers) = read_service_form(f.form);
    let patch = crate::catalogue::ServicePatch {
        name: Some(form.name.clone()),
        description: Some(form.description.clone()),
        status: Some(form.status.clone()),
        owner: Some(form.owner.clone()),
        customers: Some(customers.clone()),
    };
    match crate::catalogue::update(&state.store, &s.actor, &number, &patch, None).await {
        Ok(svc) => Ok(Redirect::to(&format!("/services/{}?m=saved", svc.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = service_page(
                &state,
                &s,
                &number,
                Some((form, customers)),
                Errors(v.0),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A service form as posted: a multiple select repeats `customers`.
fn read_service_form(pairs: Vec<(String, String)>) -> (ServiceForm, Vec<String>) {
    let mut form = ServiceForm::default();
    let mut customers = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "version" => form.version = v,
            "name" => form.name = v,
            "description" => form.description = v,
            "status" => form.status = v,
            "owner" => form.owner = v,
            "customers" => customers.push(v),
            _ => {}
        }
    }
    (form, customers)
}
