//! The relationship pages: customers (profile, relationship manager,
//! contacts, their reviews, when the last was held), and service reviews
//! (planned, held with minutes, cancelled, with the actions that follow).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_domain::relationship::{ContactRole, STEPS};
use steward_store::{Contact, CustomerProfile, RecordFilter, ServiceReview};

use super::{ContactInput, ProfileInput, ServiceReviewInput, ServiceReviewStepInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::paging::KindListParams;
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/customers", "GET", get(customers))
        .route("/customers/{id}", "GET", get(customer))
        .route("/customers/{id}/profile", "POST", post(profile))
        .route("/customers/{id}/contacts", "POST", post(add_contact))
        .route(
            "/customers/{id}/contacts/{contact}/remove",
            "POST",
            post(remove_contact),
        )
        .route("/service-reviews", "GET", get(list))
        .route("/service-reviews/new", "POST", post(create))
        .route("/service-reviews/{number}", "GET", get(show))
        .route("/service-reviews/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, action: Action) -> bool {
    authorize(&s.actor, action, None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "customers.html")]
pub struct CustomersPage {
    nav: Option<Nav>,
    rows: Vec<CustomerProfile>,
    now: i64,
    tz: String,
}

impl CustomersPage {
    fn due(&self, c: &CustomerProfile) -> bool {
        super::review_due(c, self.now)
    }

    fn when(&self, t: &Option<i64>) -> String {
        local_opt(*t, &self.tz)
    }
}

pub async fn customers(State(state): State<AppState>, s: WebSession) -> WebResult<CustomersPage> {
    let rows = super::customers(&state, &s.actor).await?;
    Ok(CustomersPage {
        nav: Nav::of(&s),
        rows,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    nav: Option<Nav>,
    csrf: String,
    c: CustomerProfile,
    contacts: Vec<Contact>,
    reviews: Vec<ServiceReview>,
    roles: &'static [ContactRole],
    staff_emails: Vec<(String, String)>,
    manager_email: String,
    can_write: bool,
    can_plan: bool,
    errors: Errors,
    flash: &'static str,
    due: bool,
    tz: String,
}

impl CustomerPage {
    fn when(&self, t: &Option<i64>) -> String {
        local_opt(*t, &self.tz)
    }
}

#[derive(Deserialize)]
pub struct Flash {
    m: Option<String>,
}

async fn customer_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    errors: Errors,
    flash: &'static str,
) -> WebResult<CustomerPage> {
    let (c, contacts) = super::customer(state, &s.actor, id).await?;
    let reviews = state
        .store
        .list_service_reviews(
            &RecordFilter {
                org_id: Some(id),
                ..Default::default()
            },
            None,
            50,
        )
        .await?
        .items;
    let staff: Vec<(String, String)> = state
        .store
        .list_users(None)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role().is_staff())
        .map(|u| (u.email, u.name))
        .collect();
    let manager_email = match c.relationship_manager_id {
        Some(m) => state.store.user_by_id(m).await?.email,
        None => String::new(),
    };
    let now = steward_store::now_ms();
    Ok(CustomerPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        due: super::review_due(&c, now),
        c,
        contacts,
        reviews,
        roles: ContactRole::ALL,
        staff_emails: staff,
        manager_email,
        can_write: allowed(s, Action::CustomerWrite),
        can_plan: allowed(s, Action::Work(Kind::ServiceReview, Verb::Create)),
        errors,
        flash,
        tz: s.user.effective_time_zone().to_owned(),
    })
}

pub async fn customer(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> WebResult<CustomerPage> {
    let flash = crate::web::record::flash(q.m.as_deref(), &[("saved", "Saved.")]);
    customer_page(&state, &s, id, Errors::default(), flash).await
}

/// A refused form on the customer's page, with what went wrong.
async fn refused(state: &AppState, s: &WebSession, id: i64, e: AppError) -> WebResult<Response> {
    match e {
        AppError::Validation(v) => {
            let page = customer_page(state, s, id, Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        e => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    profile: String,
    relationship_manager: String,
}

pub async fn profile(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<ProfileForm>,
) -> WebResult<Response> {
    let s = f.session;
    let input = ProfileInput {
        profile: f.form.profile,
        relationship_manager: f.form.relationship_manager,
    };
    match super::set_profile(&state, &s.actor, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/customers/{id}?m=saved")).into_response()),
        Err(e) => refused(&state, &s, id, e).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    name: String,
    role: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

pub async fn add_contact(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<ContactForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ContactInput {
        name: form.name,
        role: form.role,
        email: Some(form.email),
        phone: Some(form.phone),
    };
    match super::add_contact(&state, &s.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}?m=saved")).into_response()),
        Err(e) => refused(&state, &s, id, e).await,
    }
}

pub async fn remove_contact(
    State(state): State<AppState>,
    Path((id, contact)): Path<(i64, i64)>,
    f: WebForm<crate::web::NoFields>,
) -> WebResult<Response> {
    super::remove_contact(&state, &f.session.actor, id, contact).await?;
    Ok(Redirect::to(&format!("/customers/{id}?m=saved")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    /// The customer's organisation id, whose page the form is on.
    organisation: String,
    title: String,
    description: String,
    target_date: String,
    attendees: String,
}

pub async fn create(State(state): State<AppState>, f: WebForm<PlanForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    crate::policy::require(
        &s.actor,
        Action::Work(Kind::ServiceReview, Verb::Create),
        None,
    )?;
    let id = form.organisation.trim().parse::<i64>().unwrap_or(0);
    let Ok(org) = state.store.org_by_id(id).await else {
        return Err(AppError::field("organisation", "choose the customer").into());
    };
    let input = ServiceReviewInput {
        title: form.title,
        description: form.description,
        target_date: Some(form.target_date),
        customer: org.name,
        attendees: form.attendees,
        ..Default::default()
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(r) => Ok(Redirect::to(&format!("/service-reviews/{}", r.number)).into_response()),
        Err(e) => refused(&state, &s, id, e).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "service_reviews.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: KindListParams,
    rows: Vec<ServiceReview>,
    tz: String,
    staff: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn day(&self, r: &ServiceReview) -> String {
        local_opt(r.target_at, &self.tz)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<KindListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    Ok(ListPage {
        nav: Nav::of(&s),
        next_link: next_link("/service-reviews", &f, page.next.as_ref()),
        rows: page.items,
        tz: s.user.effective_time_zone().to_owned(),
        staff: s.actor.role.is_staff(),
        error,
        f,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "service_review.html")]
pub struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    p: ServiceReview,
    flash: &'static str,
    errors: Errors,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_comment: bool,
    actions: Vec<crate::actions::web::ActionRow>,
    can_plan: bool,
    review_days: String,
    actions_heading: &'static str,
    day: String,
    held: String,
}

async fn review_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<ReviewPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = crate::records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let staff = s.actor.role.is_staff();
    let on = |verb| {
        authorize(
            &s.actor,
            Action::Work(Kind::ServiceReview, verb),
            Some(p.org_id),
        ) == Decision::Allow
    };
    let steps = if on(Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    // Actions are the provider's own work.
    let actions = if staff {
        crate::actions::web::rows(state, p.id, &tz).await?
    } else {
        Vec::new()
    };
    Ok(ReviewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/service-reviews/{}", p.number),
        staff,
        draft: String::new(),
        notes_first: false,
        steps,
        can_comment: on(Verb::Comment),
        actions,
        can_plan: staff
            && authorize(&s.actor, Action::Work(Kind::Action, Verb::Create), None)
                == Decision::Allow,
        review_days: String::new(),
        actions_heading: "Actions agreed",
        day: local_opt(p.target_at, &tz),
        held: local_opt(p.held_at, &tz),
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<Flash>,
) -> WebResult<ReviewPage> {
    let flash = crate::web::record::flash(q.m.as_deref(), &[]);
    review_page(&state, &s, &number, flash, Errors::default()).await
}

pub(crate) async fn review_refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "service review")?;
    let mut page = review_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ServiceReviewStepInput {
        action: form.action,
        minutes: form.text.clone(),
        reason: None,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(r) => {
            Ok(Redirect::to(&format!("/service-reviews/{}?m=moved", r.number)).into_response())
        }
        Err(e) => review_refused(&state, &s, &number, e, String::new()).await,
    }
}
