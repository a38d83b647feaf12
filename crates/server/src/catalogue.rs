//! Service catalogue operations shared by the API, the web UI and the CLI.

use serde::Deserialize;
use steward_domain::access::{Action, Actor, Visibility};
use steward_domain::error::Problems;
use steward_domain::number::NumberKind;
use steward_domain::service::ServiceDraft;
use steward_store::{Organisation, Service, ServiceFields, Store};

use crate::error::{AppError, AppResult};
use crate::policy::{Caller, require};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// pipeline (default), live or retired.
    pub status: Option<String>,
    /// Owner's e-mail (provider staff).
    pub owner: Option<String>,
    /// Names of the customer organisations that receive the service.
    #[serde(default)]
    pub customers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub customers: Option<Vec<String>>,
}

async fn resolve(
    store: &Store,
    p: &mut Problems,
    owner: Option<&str>,
    customers: &[String],
) -> (Option<i64>, Vec<i64>) {
    let owner_id = match owner.map(str::trim).filter(|o| !o.is_empty()) {
        Some(email) => match store.user_by_email(email).await {
            Ok(u) if u.role().is_staff() => Some(u.id),
            _ => {
                p.add(
                    "owner",
                    format!("{email:?} is not a member of the provider's staff"),
                );
                None
            }
        },
        None => None,
    };
    let mut orgs = Vec::new();
    for name in customers {
        match store.org_by_name(name).await {
            Ok(o) if o.kind == "customer" => orgs.push(o.id),
            _ => p.add(
                "customers",
                format!("{name:?} is not a customer organisation"),
            ),
        }
    }
    (owner_id, orgs)
}

/// The services the actor may see (customers: those their organisation receives).
pub async fn list(store: &Store, actor: &Actor) -> AppResult<Vec<Service>> {
    require(actor, Action::ServiceRead, None)?;
    Ok(store.list_services(Visibility::of(actor)).await?)
}

/// The services the actor may see as (number, name), for a form's choices.
pub async fn choices(store: &Store, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    Ok(list(store, actor)
        .await?
        .into_iter()
        .map(|s| (s.number, s.name))
        .collect())
}

/// One service the actor may see, with the organisations that receive it
/// for staff (customers do not learn which others do).
pub async fn get(
    store: &Store,
    actor: &Actor,
    number: &str,
) -> AppResult<(Service, Option<Vec<Organisation>>)> {
    require(actor, Action::ServiceRead, None)?;
    let number = NumberKind::Service
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let s = store.service(&number, Visibility::of(actor)).await?;
    let customers = if actor.role.is_staff() {
        Some(store.service_customers(s.id).await?)
    } else {
        None
    };
    Ok((s, customers))
}

pub async fn create<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    input: &ServiceInput,
) -> AppResult<Service> {
    let by = by.into();
    by.require(Action::ServiceWrite, None)?;
    let mut p = Problems::default();
    let draft = ServiceDraft::parse(&input.name, &input.description, input.status.as_deref());
    let (owner_id, orgs) = resolve(store, &mut p, input.owner.as_deref(), &input.customers).await;
    let draft = p.finish_with(draft)?;
    let fields = ServiceFields {
        name: draft.name,
        description: draft.description,
        status: draft.status.as_str().to_owned(),
        owner_id,
        customer_org_ids: orgs,
    };
    Ok(store.create_service(&by.audit(), &fields).await?)
}

/// Changes a service (who may write the catalogue); one another
/// organisation receives is not there for a customer (404 before 403).
pub async fn update(
    store: &Store,
    actor: &Actor,
    number: &str,
    patch: &ServicePatch,
    if_match: Option<i64>,
) -> AppResult<Service> {
    let (current, _) = get(store, actor, number).await?;
    require(actor, Action::ServiceWrite, None)?;
    let number = current.number;
    let current = store
        .service(&number, steward_domain::access::Visibility::All)
        .await?;
    let current_customers: Vec<String> = store
        .service_customers(current.id)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let mut p = Problems::default();
    let draft = ServiceDraft::parse(
        patch.name.as_deref().unwrap_or(&current.name),
        patch.description.as_deref().unwrap_or(&current.description),
        Some(patch.status.as_deref().unwrap_or(&current.status)),
    );
    let owner = match &patch.owner {
        Some(o) => Some(o.clone()),
        None => match current.owner_id {
            Some(id) => Some(store.user_by_id(id).await?.email),
            None => None,
        },
    };
    let customers = patch.customers.clone().unwrap_or(current_customers);
    let (owner_id, orgs) = resolve(store, &mut p, owner.as_deref(), &customers).await;
    let draft = p.finish_with(draft)?;
    let fields = ServiceFields {
        name: draft.name,
        description: draft.description,
        status: draft.status.as_str().to_owned(),
        owner_id,
        customer_org_ids: orgs,
    };
    Ok(store
        .update_service(
            &steward_store::AuditActor::from(actor),
            &number,
            if_match,
            &fields,
        )
        .await?)
}
