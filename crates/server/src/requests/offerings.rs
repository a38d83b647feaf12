//! The catalogue's offerings (ADR 0021): what customers may order, with
//! its form, approval rule, fulfilment plan and target, as admins and
//! managers write it and as each reader may see it.

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Role, Visibility};
use steward_domain::error::Problems;
use steward_domain::form::FormSpec;
use steward_domain::number::NumberKind;
use steward_domain::request::{
    self, ApprovalMode, ApprovalRule, ApproverKind, ApproverRef, Orderable, TaskPlan, TaskTemplate,
};
use steward_store::{AuditActor, Offering, OfferingFilter, OfferingWrite};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;

/// An approver of an offering: the requester's manager, or a group's members.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproverInput {
    /// manager or group.
    pub kind: String,
    /// For a group: its name.
    pub group: Option<String>,
}

/// A task of an offering's fulfilment plan.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    /// The assignment group that does it.
    pub group: String,
}

/// A catalogue offering as an admin or manager writes it (the whole of it).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingInput {
    /// The service it belongs to, e.g. `SVC-0001` (live to be ordered).
    pub service: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// What ordering it asks.
    #[serde(default)]
    pub form: FormSpec,
    /// Who approves; none: nobody has to.
    #[serde(default)]
    pub approvers: Vec<ApproverInput>,
    /// any (the first decision counts, default) or all.
    pub approval_mode: Option<String>,
    /// Approval only when the request costs more than this.
    pub approval_above: Option<i64>,
    /// What fulfils it, each task for a group.
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
    /// The tasks one after another (default) rather than all at once.
    pub sequential: Option<bool>,
    /// Who may order it: customer, agent, manager, admin (default customer).
    pub roles: Option<Vec<String>>,
    /// The organisations it is offered to, by name; none: every customer of the service.
    #[serde(default)]
    pub organisations: Vec<String>,
    /// The price of one (a `quantity` field in the form multiplies it).
    #[serde(default)]
    pub price: i64,
    /// The fulfilment target in business minutes.
    pub target_minutes: i64,
    /// The business calendar (id) the target counts on.
    pub calendar: i64,
    /// Whether customers may order it now (default true).
    pub active: Option<bool>,
}

/// An offering as people read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfferingView {
    pub number: String,
    pub service: String,
    pub service_name: String,
    pub name: String,
    pub description: String,
    pub form: FormSpec,
    /// Staff only: who approves, the plan, who may order it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<OfferingSetup>,
    pub price: i64,
    pub target_minutes: i64,
    pub active: bool,
    pub version: i64,
}

/// How an offering is approved and fulfilled, and who may order it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfferingSetup {
    pub approvers: Vec<ApproverInput>,
    pub approval_mode: String,
    pub approval_above: Option<i64>,
    pub tasks: Vec<TaskInput>,
    pub sequential: bool,
    pub roles: Vec<String>,
    pub organisations: Vec<String>,
    pub calendar: i64,
    pub calendar_name: String,
}

impl OfferingView {
    pub async fn of(state: &AppState, actor: &Actor, o: &Offering) -> AppResult<OfferingView> {
        let setup = if actor.role.is_staff() {
            let groups = state.store.list_groups().await?;
            let group_name = |id: i64| {
                groups
                    .iter()
                    .find(|g| g.id == id)
                    .map_or_else(|| format!("#{id}"), |g| g.name.clone())
            };
            let rule = o.approval();
            let plan = o.plan();
            let mut orgs = Vec::new();
            for id in o.orgs() {
                orgs.push(state.store.org_by_id(id).await?.name);
            }
            Some(OfferingSetup {
                approvers: rule
                    .approvers
                    .iter()
                    .map(|a| ApproverInput {
                        kind: a.kind.as_str().to_owned(),
                        group: a.group_id.map(group_name),
                    })
                    .collect(),
                approval_mode: rule.mode.as_str().to_owned(),
                approval_above: rule.above_cost,
                tasks: plan
                    .tasks
                    .iter()
                    .map(|t| TaskInput {
                        title: t.title.clone(),
                        group: group_name(t.group_id),
                    })
                    .collect(),
                sequential: plan.sequential,
                roles: o.roles().iter().map(|r| r.as_str().to_owned()).collect(),
                organisations: orgs,
                calendar: o.calendar_id,
                calendar_name: o.calendar_name.clone(),
            })
        } else {
            None
        };
        Ok(OfferingView {
            number: o.number.clone(),
            service: o.service_number.clone(),
            service_name: o.service_name.clone(),
            name: o.name.clone(),
            description: o.description.clone(),
            form: o.form(),
            setup,
            price: o.price,
            target_minutes: o.target_minutes,
            active: o.active,
            version: o.version,
        })
    }
}

/// Checks an offering as written and resolves its references.
async fn offering_write(state: &AppState, input: &OfferingInput) -> AppResult<OfferingWrite> {
    let mut p = Problems::default();
    let service = match state
        .store
        .service(input.service.trim(), Visibility::All)
        .await
    {
        Ok(s) => Some(s.id),
        Err(_) => {
            p.add(
                "service",
                format!("there is no service {:?}", input.service),
            );
            None
        }
    };
    let mut roles = Vec::new();
    for r in input
        .roles
        .clone()
        .unwrap_or_else(|| vec!["customer".into()])
    {
        match Role::parse(r.trim()) {
            Some(role) => roles.push(role),
            None => p.add("roles", format!("{r:?} is not a role")),
        }
    }
    request::check_offering(
        &input.name,
        &input.description,
        input.price,
        input.target_minutes,
        &roles,
        &mut p,
    );
    p.take(input.form.check());
    let mode = match input.approval_mode.as_deref() {
        None => ApprovalMode::Any,
        Some(m) => ApprovalMode::parse(m).unwrap_or_else(|| {
            p.add(
                "approval_mode",
                format!("use one of {}", ApprovalMode::codes()),
            );
            ApprovalMode::Any
        }),
    };
    let mut approvers = Vec::new();
    for (i, a) in input.approvers.iter().enumerate() {
        let at = format!("approvers.{i}");
        match (ApproverKind::parse(&a.kind), a.group.as_deref()) {
            (Some(ApproverKind::Manager), None) => approvers.push(ApproverRef {
                kind: ApproverKind::Manager,
                group_id: None,
            }),
            (Some(ApproverKind::Group), Some(name)) => {
                match state.store.group_by_name(name.trim()).await {
                    Ok(g) => approvers.push(ApproverRef {
                        kind: ApproverKind::Group,
                        group_id: Some(g.id),
                    }),
                    Err(_) => p.add(&at, format!("there is no group {name:?}")),
                }
            }
            (Some(ApproverKind::Group), None) => p.add(&at, "name the group that approves"),
            (Some(ApproverKind::Manager), Some(_)) => {
                p.add(&at, "the requester's manager names no group")
            }
            (None, _) => p.add(&at, format!("use one of {}", ApproverKind::codes())),
        }
    }
    let approval = ApprovalRule {
        approvers,
        mode,
        above_cost: input.approval_above,
    };
    approval.check(&mut p);
    let mut tasks = Vec::new();
    for (i, t) in input.tasks.iter().enumerate() {
        match state.store.group_by_name(t.group.trim()).await {
            Ok(g) => tasks.push(TaskTemplate {
                title: t.title.trim().to_owned(),
                group_id: g.id,
            }),
            Err(_) => p.add(
                &format!("tasks.{i}.group"),
                format!("there is no group {:?}", t.group),
            ),
        }
    }
    let plan = TaskPlan {
        tasks,
        sequential: input.sequential.unwrap_or(true),
    };
    plan.check(&mut p);
    if state.store.calendar(input.calendar).await.is_err() {
        p.add(
            "calendar",
            format!("there is no calendar {}", input.calendar),
        );
    }
    let mut orgs = Vec::new();
    for name in &input.organisations {
        match state.store.org_by_name(name.trim()).await {
            Ok(o) if o.kind == "customer" => orgs.push(o.id),
            _ => p.add(
                "organisations",
                format!("there is no customer organisation {name:?}"),
            ),
        }
    }
    orgs.sort_unstable();
    orgs.dedup();
    p.finish(OfferingWrite {
        service_id: service.unwrap_or_default(),
        name: input.name.trim().to_owned(),
        description: input.description.trim().to_owned(),
        form: input.form.clone(),
        approval,
        plan,
        roles,
        price: input.price,
        target_minutes: input.target_minutes,
        calendar_id: input.calendar,
        active: input.active.unwrap_or(true),
        orgs,
    })
    .map_err(AppError::from)
}

pub async fn create_offering(
    state: &AppState,
    actor: &Actor,
    input: &OfferingInput,
) -> AppResult<Offering> {
    require(actor, Action::ServiceWrite, None)?;
    let w = offering_write(state, input).await?;
    Ok(state
        .store
        .create_offering(&AuditActor::from(actor), &w)
        .await?)
}

pub async fn update_offering(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &OfferingInput,
    if_match: Option<i64>,
) -> AppResult<Offering> {
    require(actor, Action::ServiceWrite, None)?;
    let number = NumberKind::Offering
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let w = offering_write(state, input).await?;
    Ok(state
        .store
        .update_offering(&AuditActor::from(actor), &number, if_match, &w)
        .await?)
}

/// Who may order `o`: its organisations, or its service's customers.
pub(crate) async fn orderable(state: &AppState, o: &Offering) -> AppResult<Orderable> {
    let orgs = match o.orgs() {
        v if v.is_empty() => state.store.service_orgs(o.service_id).await?,
        v => v,
    };
    Ok(Orderable {
        orgs,
        roles: o.roles(),
    })
}

/// An offering the actor may see: staff every one, others those they may order.
pub async fn offering(state: &AppState, actor: &Actor, number: &str) -> AppResult<Offering> {
    require(actor, Action::ServiceRead, None)?;
    let number = NumberKind::Offering
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let o = state.store.offering(&number).await?;
    if !actor.role.is_staff()
        && (!o.active
            || !o.service_live
            || orderable(state, &o)
                .await?
                .refusal(actor.role, actor.org_id)
                .is_some())
    {
        return Err(AppError::NotFound);
    }
    Ok(o)
}

/// Filters of the offering list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OfferingParams {
    /// Only this service's, e.g. `SVC-0001`.
    pub service: Option<String>,
}

/// The catalogue: staff see every offering; others what they may order.
pub async fn offerings(
    state: &AppState,
    actor: &Actor,
    params: &OfferingParams,
) -> AppResult<Vec<Offering>> {
    require(actor, Action::ServiceRead, None)?;
    let service_id = match params.service.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            state
                .store
                .service(n, Visibility::of(actor))
                .await
                .map_err(|_| AppError::field("service", format!("there is no service {n:?}")))?
                .id,
        ),
    };
    let filter = OfferingFilter {
        service_id,
        orderable_by: (!actor.role.is_staff()).then_some((actor.org_id, actor.role)),
        active_only: false,
    };
    Ok(state.store.offerings(&filter).await?)
}
