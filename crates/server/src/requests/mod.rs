//! Service requests (ISO/IEC 20000-1 8.6.2, ADR 0021): the catalogue's
//! offerings, requests ordered from them with their approvals, and the
//! fulfilment tasks their plans make; kinds of the work-record kernel
//! (comments, files, links and history are `crate::records`'). The
//! operations the API and the web UI share.

pub mod admin_web;
pub mod api;
pub mod demo;
pub mod link;
mod offerings;
mod tasks;
pub mod web;

pub use offerings::*;
pub use tasks::*;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Visibility};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, Verb, parse_step};
use steward_domain::number::NumberKind;
use steward_domain::request::{self, ApproverKind, RequestState};
use steward_store::{
    Approval, AuditActor, NewRequest, Page, RecordCore, Request, RequestChange, Task,
};

use crate::AppState;
use crate::core_fields::RecordView;
use crate::error::{AppError, AppResult};
use crate::paging::KindListParams;
use crate::policy::require;
use crate::views::opt_time;

pub(crate) fn work(kind: Kind, verb: Verb) -> Action {
    Action::Work(kind, verb)
}

/// An order: the offering and the answers to its form. Staff may order for
/// a customer (`requested_for`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The offering ordered, e.g. `OFR-0001`.
    pub offering: String,
    /// The form's answers by field key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Anything else the fulfillers should know.
    #[serde(default)]
    pub description: String,
    /// Staff: the e-mail of whom it is for (default: themselves).
    pub requested_for: Option<String>,
}

/// One approval of a request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    /// manager or group.
    pub approver: String,
    /// The manager asked, or the group whose members may decide.
    pub who: String,
    /// pending, approved, rejected or skipped.
    pub decision: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

impl ApprovalView {
    pub fn of(a: &Approval) -> ApprovalView {
        ApprovalView {
            approver: a.approver.get().as_str().to_owned(),
            who: a
                .user_name
                .clone()
                .or_else(|| a.group_name.clone())
                .unwrap_or_default(),
            decision: a.decision.get().as_str().to_owned(),
            decided_by: a.decided_by_name.clone(),
            decided_at: opt_time(a.decided_at),
        }
    }
}

/// A fulfilment task, as its request shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskLine {
    pub number: String,
    pub title: String,
    pub state: String,
    pub group: Option<String>,
    pub assignee: Option<String>,
}

/// A request: its record (state awaiting_approval, in_fulfilment, fulfilled,
/// rejected or cancelled), what was ordered and answered, its approvals and tasks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    #[serde(flatten)]
    pub record: RecordView,
    pub offering: String,
    pub offering_name: String,
    pub requested_for: Option<String>,
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub cost: i64,
    /// any or all.
    pub approval_mode: String,
    pub approvals: Vec<ApprovalView>,
    pub tasks: Vec<TaskLine>,
    /// What was delivered, or why it was cancelled.
    pub note: Option<String>,
}

impl RequestView {
    /// The request with its approvals, and for staff its tasks (the
    /// provider's own work: customers follow the request's state).
    pub async fn of(state: &AppState, actor: &Actor, r: &Request) -> AppResult<RequestView> {
        let approvals = state.store.request_approvals(r.id).await?;
        let tasks = if actor.role.is_staff() {
            state.store.request_tasks(r.id).await?
        } else {
            Vec::new()
        };
        Ok(Self::with(r, &approvals, &tasks))
    }

    pub fn with(r: &Request, approvals: &[Approval], tasks: &[Task]) -> RequestView {
        RequestView {
            record: RecordView::of(r, steward_store::now_ms()),
            offering: r.offering_number.clone(),
            offering_name: r.offering_name.clone(),
            requested_for: r.requester_name.clone(),
            answers: r.answers(),
            cost: r.cost,
            approval_mode: r.approval_mode.get().as_str().to_owned(),
            approvals: approvals.iter().map(ApprovalView::of).collect(),
            tasks: tasks
                .iter()
                .map(|t| TaskLine {
                    number: t.number.clone(),
                    title: t.title.clone(),
                    state: t.state().as_str().to_owned(),
                    group: t.group_name.clone(),
                    assignee: t.assignee_name.clone(),
                })
                .collect(),
            note: r.note.clone(),
        }
    }
}

/// The requester: the actor, or for staff whom it is for.
async fn requester(state: &AppState, actor: &Actor, input: &RequestInput) -> AppResult<Actor> {
    match input.requested_for.as_deref().map(str::trim) {
        None | Some("") => Ok(actor.clone()),
        Some(_) if !actor.role.is_staff() => Err(AppError::field(
            "requested_for",
            "is set by the service provider",
        )),
        Some(email) => match state.store.user_by_email(email).await {
            Ok(u) if u.active => Ok(u.actor()),
            _ => Err(AppError::field(
                "requested_for",
                format!("no active user with e-mail {email:?}"),
            )),
        },
    }
}

/// Orders an offering: the answers checked against its form, the requester
/// one it is offered to, its approvers found (a refusal when nobody could
/// approve); the request starts awaiting approval or in fulfilment.
pub async fn create(state: &AppState, actor: &Actor, input: &RequestInput) -> AppResult<Request> {
    require(actor, work(Kind::Request, Verb::Create), None)?;
    let who = requester(state, actor, input).await?;
    let number = NumberKind::Offering
        .canonical(&input.offering)
        .ok_or_else(|| AppError::field("offering", "name an offering such as OFR-0001"))?;
    let o = match state.store.offering(&number).await {
        Ok(o) if o.active && o.service_live => o,
        _ => {
            return Err(AppError::field(
                "offering",
                format!("there is no offering {number} to order"),
            ));
        }
    };
    if let Some(why) = orderable(state, &o).await?.refusal(who.role, who.org_id) {
        return Err(AppError::Forbidden(format!("{} {why}", o.number)));
    }
    let mut p = Problems::default();
    let answers = p.take(o.form().answers(&input.answers));
    let description = steward_domain::text::optional_body(
        &mut p,
        "description",
        &input.description,
        steward_domain::text::BODY_MAX,
    );
    let answers = p.finish(answers)?.unwrap_or_default();
    // A user answer names someone who exists.
    for (key, a) in &answers {
        if let steward_domain::form::Answer::User(email) = a
            && state.store.user_by_email(email).await.is_err()
        {
            return Err(AppError::field(
                &format!("answers.{key}"),
                format!("no user with e-mail {email:?}"),
            ));
        }
    }
    let cost = request::cost(o.price, &answers);
    let rule = o.approval();
    let mut approvals = Vec::new();
    if rule.required(cost) {
        for a in &rule.approvers {
            match a.kind {
                ApproverKind::Manager => match state.store.user_manager(who.user_id).await? {
                    Some(m)
                        if m != who.user_id
                            && m != actor.user_id
                            && may_approve(state, m, who.org_id).await =>
                    {
                        approvals.push((*a, Some(m)))
                    }
                    _ => {
                        return Err(AppError::Conflict(format!(
                            "{} needs the approval of {}'s manager, and none is known: \
                             ask the service desk",
                            o.number, who.name
                        )));
                    }
                },
                ApproverKind::Group => {
                    let g = a.group_id.unwrap_or_default();
                    let members = state.store.group_members(g).await?;
                    if !members.iter().any(|m| m.active && m.id != who.user_id) {
                        return Err(AppError::Conflict(format!(
                            "{} needs a group's approval and the group has nobody else to give it",
                            o.number
                        )));
                    }
                    approvals.push((*a, None));
                }
            }
        }
    }
    let plan = o.plan();
    let answers_json: serde_json::Map<String, serde_json::Value> = answers
        .iter()
        .map(|(k, a)| {
            let v = match a {
                // A whole number reads as one: 3, not 3.0.
                steward_domain::form::Answer::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                    serde_json::Value::from(*n as i64)
                }
                a => serde_json::to_value(a).unwrap_or_default(),
            };
            (k.clone(), v)
        })
        .collect();
    let new = NewRequest {
        org_id: who.org_id,
        requester_id: who.user_id,
        core: RecordCore {
            title: o.name.clone(),
            description,
            category: "access".into(),
            impact: 3,
            urgency: 3,
            priority: state
                .matrix
                .priority(
                    steward_domain::priority::Level::LOW,
                    steward_domain::priority::Level::LOW,
                )
                .get() as i64,
            service_id: Some(o.service_id),
            group_id: plan.tasks.first().map(|t| t.group_id),
            assignee_id: None,
            target_at: None,
        },
        offering_id: o.id,
        answers: answers_json,
        cost,
        mode: rule.mode,
        approvals,
        tasks: plan.tasks.clone(),
        sequential: plan.sequential,
        mail_attempts: state
            .mailer
            .enabled()
            .then_some(state.config.job_max_attempts),
    };
    Ok(state
        .store
        .create_request(&AuditActor::from(actor), &new)
        .await?)
}

/// Whether the user `id` can approve a request of organisation `org`: active,
/// allowed to approve, and able to read it.
async fn may_approve(state: &AppState, id: i64, org: i64) -> bool {
    match state.store.user_by_id(id).await {
        Ok(u) => {
            u.active && require(&u.actor(), work(Kind::Request, Verb::Approve), Some(org)).is_ok()
        }
        Err(_) => false,
    }
}

/// A request the actor may see, or 404 (another organisation's included).
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Request> {
    let number = NumberKind::Request
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let r = state.store.request(&number).await?;
    require(actor, work(Kind::Request, Verb::Read), Some(r.org_id))?;
    Ok(r)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &KindListParams,
) -> AppResult<Page<Request>> {
    require(actor, work(Kind::Request, Verb::Read), None)?;
    let (mut filter, cursor, limit) = params.filter::<RequestState>()?;
    filter.org_id = match Visibility::of(actor) {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    };
    Ok(state.store.list_requests(&filter, cursor, limit).await?)
}

/// An approver's decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// approve or reject.
    pub decision: String,
}

/// `actor` approves or rejects the request `number`, as one of its approvers.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &DecisionInput,
    if_match: Option<i64>,
) -> AppResult<Request> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        work(Kind::Request, Verb::Approve),
        Some(current.org_id),
    )?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field("decision", "use approve or reject")),
    };
    decide_as(state, actor, &current.number, approve, if_match).await
}

/// The decision itself, once the actor is known to see the request (the
/// page, or a signed link from the mail).
pub async fn decide_as(
    state: &AppState,
    actor: &Actor,
    number: &str,
    approve: bool,
    if_match: Option<i64>,
) -> AppResult<Request> {
    let groups = state.store.groups_of_user(actor.user_id).await?;
    let who = actor.user_id;
    let now = steward_store::now_ms();
    let action = if approve { "approve" } else { "reject" };
    Ok(state
        .store
        .change_request(&AuditActor::from(actor), number, if_match, action, |r| {
            let lines = request::decide(
                r.request.state(),
                r.request.approval_mode.get(),
                &r.approvals,
                |l| match l.approver.kind {
                    ApproverKind::Manager => l.user_id == Some(who),
                    ApproverKind::Group => l.approver.group_id.is_some_and(|g| groups.contains(&g)),
                },
                &[r.request.requester_id, r.request.ordered_by]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>(),
                request::Deciding { who, approve, now },
            )?;
            Ok(RequestChange {
                approvals: lines,
                state: None,
                note: None,
            })
        })
        .await?)
}

/// A step on the request itself.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestStepInput {
    /// fulfil (staff, once no task is open) or cancel (staff, or the requester).
    pub action: String,
    /// What was delivered, or why it is cancelled.
    pub note: Option<String>,
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &RequestStepInput,
    if_match: Option<i64>,
) -> AppResult<Request> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        work(Kind::Request, Verb::Transition),
        Some(current.org_id),
    )?;
    let (spec, note) = parse_step(request::STEPS, &input.action, input.note.as_deref())?;
    // Customers cancel what they asked for; the provider fulfils.
    if !actor.role.is_staff()
        && (spec.action != "cancel" || current.requester_id != Some(actor.user_id))
    {
        return Err(AppError::Forbidden(
            "only the requester may cancel; the service provider fulfils".into(),
        ));
    }
    Ok(state
        .store
        .change_request(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |r| {
                let to = request::request_step(r.request.state(), spec.action, &r.tasks)?;
                Ok(RequestChange {
                    approvals: r.approvals.clone(),
                    state: Some(to),
                    note,
                })
            },
        )
        .await?)
}

/// Requests awaiting the actor's decision.
pub async fn awaiting(state: &AppState, actor: &Actor) -> AppResult<Vec<Request>> {
    require(actor, work(Kind::Request, Verb::Approve), None)?;
    let mut list = state.store.requests_awaiting(actor.user_id, 100).await?;
    // Only what the actor may read: a customer, their organisation's.
    list.retain(|r| Visibility::of(actor).includes(r.org_id));
    Ok(list)
}

/// A request's answers as people read them: in its offering's form order,
/// under the form's labels (a field the form no longer has by its key).
pub async fn answer_lines(state: &AppState, r: &Request) -> Vec<(String, String)> {
    let form = state
        .store
        .offering(&r.offering_number)
        .await
        .map(|o| o.form())
        .unwrap_or_default();
    let mut lines: Vec<(usize, String, String)> = r
        .answers()
        .iter()
        .map(|(k, v)| {
            let at = form.fields.iter().position(|f| &f.key == k);
            let label = at.map_or_else(|| k.replace('_', " "), |i| form.fields[i].label.clone());
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
                other => other.to_string(),
            };
            (at.unwrap_or(usize::MAX), label, text)
        })
        .collect();
    lines.sort_by_key(|l| l.0);
    lines.into_iter().map(|(_, l, t)| (l, t)).collect()
}
