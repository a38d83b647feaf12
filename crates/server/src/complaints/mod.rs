//! Complaints (ISO/IEC 20000-1 8.3.2, 10.1), a kind of the work-record kernel:
//! the operations the API, the web UI and the demo share. Customers raise
//! them and follow their own organisation's; staff raise them on a
//! customer's behalf, investigate, answer and close them. Comments, links and
//! history are the kernel's (`crate::records`).

pub mod api;
pub mod demo;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Role, Visibility};
use steward_domain::complaint::{self, ComplaintState, STEPS};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::number::NumberKind;
use steward_store::{AuditActor, Complaint, ComplaintFields, NewComplaint, Page, RecordFilter};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::paging::ListBasics;
use crate::policy::require;
use crate::views::opt_time;

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Complaint, verb)
}

new_record_input! {
    /// A new complaint: what went wrong (title and description) with the
    /// service it concerns (required). Customers raise their own; the owner,
    /// group and target date are set by the provider.
    pub struct ComplaintInput {
        /// Staff (required): the e-mail of the customer who complains; the
        /// complaint belongs to their organisation.
        pub caller: Option<String>,
    }
}

record_patch! {
    /// Changes to a complaint (staff); absent fields stay as they are, `null` clears.
    pub struct ComplaintPatch {}
}

/// A step of a complaint's handling.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintStepInput {
    /// acknowledge, respond, close, reopen or withdraw.
    pub action: String,
    /// For respond: the response to the customer.
    pub response: Option<String>,
}

/// Filters and paging of the complaint list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplaintListParams {
    /// Comma-separated states, or `open` for all not responded, closed or withdrawn.
    pub state: Option<String>,
    /// Text in the title, or a complaint number.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A complaint: its record (state new, investigating, responded, closed or
/// withdrawn) and the response to the customer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    #[serde(flatten)]
    pub record: RecordView,
    /// The complaining customer's organisation.
    pub organisation: String,
    pub response: Option<String>,
    pub responded_at: Option<String>,
}

impl ComplaintView {
    pub fn of(c: &Complaint, now: i64) -> ComplaintView {
        ComplaintView {
            record: RecordView::of(c, now),
            organisation: c.org_name.clone(),
            response: c.response.clone(),
            responded_at: opt_time(c.responded_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintPage {
    pub items: Vec<ComplaintView>,
    pub next_cursor: Option<String>,
}

/// A complaint the actor may see, or 404 (another organisation's included).
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Complaint> {
    let number = NumberKind::Complaint
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let c = state.store.complaint(&number).await?;
    require(actor, action(Verb::Read), Some(c.org_id))?;
    Ok(c)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &ComplaintInput,
) -> AppResult<Complaint> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    let staff = actor.role.is_staff();
    if !staff {
        for (field, given) in [
            ("caller", input.caller.is_some()),
            ("group", input.group.is_some()),
            ("assignee", input.assignee.is_some()),
            ("target_date", input.target_date.is_some()),
        ] {
            if given {
                p.add(field, "is set by the service provider");
            }
        }
    }
    // The customer who complains: the actor, or for staff the `caller`. The
    // service is one their organisation receives, as when they raise it.
    let customer = if staff {
        match input.caller.as_deref().map(str::trim) {
            None | Some("") => {
                p.add("caller", "name the customer who complains (their e-mail)");
                None
            }
            Some(email) => match state.store.user_by_email(email).await {
                Ok(u) if u.active && !u.role().is_staff() => Some(Actor {
                    user_id: u.id,
                    role: u.role(),
                    org_id: u.org_id,
                    name: u.name.clone(),
                }),
                _ => {
                    p.add(
                        "caller",
                        format!("no active customer with e-mail {email:?}"),
                    );
                    None
                }
            },
        }
    } else {
        Some(actor.clone())
    };
    let scope = customer.clone().unwrap_or_else(|| actor.clone());
    let core = new_core(state, &scope, &mut p, input.core(), true).await;
    let core = p.finish(core)?.ok_or(AppError::NotFound)?;
    let customer = customer.ok_or(AppError::NotFound)?;
    let new = NewComplaint {
        org_id: customer.org_id,
        requester_id: Some(customer.user_id),
        fields: ComplaintFields {
            core,
            ..Default::default()
        },
    };
    Ok(state
        .store
        .create_complaint(&AuditActor::from(actor), &new)
        .await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ComplaintPatch,
    if_match: Option<i64>,
) -> AppResult<Complaint> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    // A corrected service is one the complaining organisation receives.
    let scope = Actor {
        role: Role::Customer,
        org_id: current.org_id,
        ..actor.clone()
    };
    let refs = patch_refs(state, &scope, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_complaint(
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
                // Answered, its target is the one it was judged by (evidence 8.3.2).
                let answered = now.state() == ComplaintState::Responded;
                if answered
                    && core
                        .as_ref()
                        .is_some_and(|c| c.target_at != f.core.target_at)
                {
                    p.add("target_date", "is kept once the complaint is answered");
                }
                f.core = p.finish(core)?.unwrap_or(f.core);
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &ComplaintStepInput,
    if_match: Option<i64>,
) -> AppResult<Complaint> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let (spec, text) = parse_step(STEPS, &input.action, input.response.as_deref())?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_complaint(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |c| {
                let mut f = c.fields();
                (f.state, f.life) = complaint::apply(c.state(), &f.life, spec.action, text, now)?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// Complaints newest first: a customer's own organisation's, all for staff.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ComplaintListParams,
) -> AppResult<Page<Complaint>> {
    require(actor, action(Verb::Read), None)?;
    let mut p = Problems::default();
    let basics = ListBasics::parse::<ComplaintState>(
        &mut p,
        params.state.as_deref(),
        params.q.as_deref(),
        params.cursor.as_deref(),
        params.limit,
        200,
    );
    p.finish(())?;
    let org_id = match Visibility::of(actor) {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    };
    let filter = RecordFilter {
        states: basics.states,
        assignee_id: None,
        text: basics.text,
        org_id,
    };
    Ok(state
        .store
        .list_complaints(&filter, basics.cursor, basics.limit)
        .await?)
}
