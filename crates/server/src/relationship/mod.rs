//! Business relationship management (ISO/IEC 20000-1 8.3.2): each
//! customer's profile (what matters to them, who at the provider looks
//! after them), the people the provider deals with there and their roles,
//! and service reviews, a kind of the work-record kernel held with the
//! customer, with minutes and the actions that follow. The operations the
//! API and the web UI share.

pub mod api;
pub mod demo;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Role, Visibility};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::number::NumberKind;
use steward_domain::relationship::{self, ContactDraft, ServiceReviewState};
use steward_store::{
    AuditActor, Contact, CustomerProfile, NewContact, NewServiceReview, Page, ServiceReview,
    ServiceReviewFields,
};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::paging::KindListParams;
use crate::policy::require;
use crate::views::opt_time;

fn work(verb: Verb) -> Action {
    Action::Work(Kind::ServiceReview, verb)
}

/// A contact at a customer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub name: String,
    /// decision_maker, service_owner, user_representative, escalation, technical or billing.
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl ContactView {
    pub fn of(c: &Contact) -> ContactView {
        ContactView {
            id: c.id,
            name: c.name.clone(),
            role: c.role.get().as_str().to_owned(),
            email: c.email.clone(),
            phone: c.phone.clone(),
        }
    }
}

/// A customer as its relationship is managed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    pub id: i64,
    pub name: String,
    /// What matters to them, in the provider's words.
    pub profile: String,
    pub relationship_manager: Option<String>,
    pub last_review_at: Option<String>,
    pub next_review_at: Option<String>,
    /// No service review held in the last twelve months.
    pub review_due: bool,
    /// How many services it receives.
    pub services: i64,
    pub contacts: Vec<ContactView>,
}

impl CustomerView {
    pub fn of(c: &CustomerProfile, contacts: &[Contact], now: i64) -> CustomerView {
        CustomerView {
            id: c.org_id,
            name: c.name.clone(),
            profile: c.profile.clone(),
            relationship_manager: c.relationship_manager.clone(),
            last_review_at: opt_time(c.last_review_at),
            next_review_at: opt_time(c.next_review_at),
            review_due: review_due(c, now),
            services: c.services,
            contacts: contacts.iter().map(ContactView::of).collect(),
        }
    }
}

/// No review held in the last twelve months (the evidence of 8.3.2).
pub fn review_due(c: &CustomerProfile, now: i64) -> bool {
    c.last_review_at
        .is_none_or(|t| t < now - relationship::REVIEW_EVERY_MS)
}

/// Every customer, for staff.
pub async fn customers(state: &AppState, actor: &Actor) -> AppResult<Vec<CustomerProfile>> {
    require(actor, Action::OrgRead, None)?;
    Ok(state.store.customers().await?)
}

/// One customer with its contacts, for staff.
pub async fn customer(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(CustomerProfile, Vec<Contact>)> {
    require(actor, Action::OrgRead, None)?;
    let c = state.store.customer(id).await?;
    let contacts = state.store.relationship_contacts(id).await?;
    Ok((c, contacts))
}

/// A customer's profile and who at the provider looks after them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// What matters to the customer: their business, needs, what they value.
    #[serde(default)]
    pub profile: String,
    /// The relationship manager's e-mail (provider staff); empty: nobody.
    #[serde(default)]
    pub relationship_manager: String,
}

pub async fn set_profile(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &ProfileInput,
) -> AppResult<()> {
    require(actor, Action::CustomerWrite, None)?;
    state.store.customer(id).await?;
    let mut p = Problems::default();
    let profile = steward_domain::text::optional_body(
        &mut p,
        "profile",
        &input.profile,
        steward_domain::text::BODY_MAX,
    );
    let manager = match input.relationship_manager.trim() {
        "" => None,
        email => match state.store.user_by_email(email).await {
            Ok(u) if u.active && u.role().is_staff() && u.role() != Role::Auditor => Some(u.id),
            _ => {
                p.add(
                    "relationship_manager",
                    format!("no active member of staff with e-mail {email:?}"),
                );
                None
            }
        },
    };
    p.finish(())?;
    Ok(state
        .store
        .set_customer_profile(&AuditActor::from(actor), id, &profile, manager)
        .await?)
}

/// Someone the provider deals with at a customer.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    /// decision_maker, service_owner, user_representative, escalation, technical or billing.
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub async fn add_contact(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &ContactInput,
) -> AppResult<Contact> {
    require(actor, Action::CustomerWrite, None)?;
    state.store.customer(id).await?;
    let d = ContactDraft::parse(
        &input.name,
        &input.role,
        input.email.as_deref(),
        input.phone.as_deref(),
    )?;
    Ok(state
        .store
        .add_customer_contact(
            &AuditActor::from(actor),
            id,
            &NewContact {
                name: d.name,
                role: d.role,
                email: d.email,
                phone: d.phone,
            },
        )
        .await?)
}

pub async fn remove_contact(
    state: &AppState,
    actor: &Actor,
    id: i64,
    contact: i64,
) -> AppResult<()> {
    require(actor, Action::CustomerWrite, None)?;
    Ok(state
        .store
        .remove_customer_contact(&AuditActor::from(actor), id, contact)
        .await?)
}

new_record_input! {
    /// A service review to hold with a customer: its subject (title), the
    /// agenda (description), its day (`target_date`, required) and who attends.
    pub struct ServiceReviewInput {
        /// The customer organisation's name.
        pub customer: String,
        /// Who attends, in words.
        #[serde(default)]
        pub attendees: String,
    }
}

record_patch! {
    /// Changes to a planned review; absent fields stay as they are.
    pub struct ServiceReviewPatch {
        pub attendees: Option<String>,
    }
}

/// A step of a service review.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceReviewStepInput {
    /// hold (with the minutes) or cancel (with the reason).
    pub action: String,
    pub minutes: Option<String>,
    pub reason: Option<String>,
}

/// A service review: its record (state planned, held or cancelled; its day
/// is `target_at`), who attended and the minutes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceReviewView {
    #[serde(flatten)]
    pub record: RecordView,
    pub customer: String,
    pub attendees: String,
    pub minutes: Option<String>,
    pub held_at: Option<String>,
    pub cancelled_reason: Option<String>,
}

impl ServiceReviewView {
    pub fn of(r: &ServiceReview, now: i64) -> ServiceReviewView {
        ServiceReviewView {
            record: RecordView::of(r, now),
            customer: r.org_name.clone(),
            attendees: r.attendees.clone(),
            minutes: r.minutes.clone(),
            held_at: opt_time(r.held_at),
            cancelled_reason: r.cancelled_reason.clone(),
        }
    }
}

pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<ServiceReview> {
    let number = NumberKind::ServiceReview
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let r = state.store.service_review(&number).await?;
    require(actor, work(Verb::Read), Some(r.org_id))?;
    Ok(r)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &ServiceReviewInput,
) -> AppResult<ServiceReview> {
    require(actor, work(Verb::Create), None)?;
    let mut p = Problems::default();
    let org = match state.store.org_by_name(input.customer.trim()).await {
        Ok(o) if o.kind == "customer" => Some(o),
        _ => {
            p.add(
                "customer",
                format!("there is no customer {:?}", input.customer),
            );
            None
        }
    };
    if input
        .target_date
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        p.add("target_date", "give the day of the review");
    }
    let attendees = steward_domain::text::optional_body(
        &mut p,
        "attendees",
        &input.attendees,
        steward_domain::text::LINE_MAX * 5,
    );
    // A service reviewed is one the customer receives.
    let scope = org.as_ref().map_or_else(
        || actor.clone(),
        |o| Actor {
            role: Role::Customer,
            org_id: o.id,
            ..actor.clone()
        },
    );
    let core = new_core(state, &scope, &mut p, input.core(), false).await;
    let core = p.finish(core)?.ok_or(AppError::NotFound)?;
    let org = org.ok_or(AppError::NotFound)?;
    let new = NewServiceReview {
        org_id: org.id,
        requester_id: Some(actor.user_id),
        fields: ServiceReviewFields {
            core,
            attendees,
            ..Default::default()
        },
    };
    Ok(state
        .store
        .create_service_review(&AuditActor::from(actor), &new)
        .await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ServiceReviewPatch,
    if_match: Option<i64>,
) -> AppResult<ServiceReview> {
    let current = get(state, actor, number).await?;
    require(actor, work(Verb::Update), Some(current.org_id))?;
    let scope = Actor {
        role: Role::Customer,
        org_id: current.org_id,
        ..actor.clone()
    };
    let refs = patch_refs(state, &scope, patch.core()).await?;
    let matrix = state.matrix.clone();
    Ok(state
        .store
        .update_service_review(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| {
                if now.state().is_final() {
                    return Err(now.state().refuse("change").into());
                }
                let mut f = now.fields();
                let mut p = Problems::default();
                let core = patched_core(&matrix, &f.core, patch.core(), &refs, &mut p);
                if let Some(a) = &patch.attendees {
                    f.attendees = steward_domain::text::optional_body(
                        &mut p,
                        "attendees",
                        a,
                        steward_domain::text::LINE_MAX * 5,
                    );
                }
                f.core = p.finish(core)?.unwrap_or(f.core);
                Ok(f)
            },
        )
        .await?)
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &ServiceReviewStepInput,
    if_match: Option<i64>,
) -> AppResult<ServiceReview> {
    let current = get(state, actor, number).await?;
    require(actor, work(Verb::Transition), Some(current.org_id))?;
    let text = input.minutes.as_deref().or(input.reason.as_deref());
    let (spec, text) = parse_step(relationship::STEPS, &input.action, text)?;
    let now = steward_store::now_ms();
    Ok(state
        .store
        .update_service_review(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |r| {
                let mut f = r.fields();
                (f.state, f.life) =
                    relationship::apply(r.state(), &f.life, spec.action, text, now)?;
                Ok(f)
            },
        )
        .await?)
}

/// Reviews newest first: a customer's own organisation's, all for staff.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &KindListParams,
) -> AppResult<Page<ServiceReview>> {
    require(actor, work(Verb::Read), None)?;
    let (mut filter, cursor, limit) = params.filter::<ServiceReviewState>()?;
    filter.org_id = match Visibility::of(actor) {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    };
    Ok(state
        .store
        .list_service_reviews(&filter, cursor, limit)
        .await?)
}
