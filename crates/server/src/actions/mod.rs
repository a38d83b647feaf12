//! Actions (`ACT-0001`), a kind of the work-record kernel: work that follows
//! from another record, with an owner and a due date. An action on a
//! nonconformity is corrective: done, its effectiveness is reviewed after a
//! set number of days, and one found not effective is followed at once by a
//! new action on the same nonconformity, linked to it.

pub mod api;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action as Do, Actor};
use steward_domain::action::{
    self, ActionState, DEFAULT_REVIEW_DAYS, Effectiveness, STEPS, parse_review_days,
};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::link::LinkType;
use steward_domain::number::NumberKind;
use steward_store::{Action, ActionFields, AuditActor, NewAction, Page, RecordCore};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::records;
use crate::views::opt_time;

fn allowed(verb: Verb) -> Do {
    Do::Work(Kind::Action, verb)
}

new_record_input! {
    /// A new action on the record it follows from (`parent`): what is to be
    /// done, its owner (`assignee`) and due date (`target_date`).
    pub struct ActionInput {
        /// The record it follows from, e.g. `NCR-0001` (required).
        pub parent: Option<String>,
        /// Days after it is done when its effectiveness is reviewed (0 to
        /// 730; default 30 on a nonconformity, none otherwise).
        pub review_after_days: Option<i64>,
    }
}

record_patch! {
    /// Changes to an action: absent fields stay as they are.
    pub struct ActionPatch {
        /// Days after it is done when its effectiveness is reviewed (until done).
        pub review_after_days: Option<i64>,
    }
}

/// A step of an action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionStepInput {
    /// start, complete, review_effective, review_not_effective or cancel.
    pub action: String,
    /// For complete: what was done.
    pub outcome: Option<String>,
    /// For the reviews: the evidence that the cause is gone, or what the
    /// review found.
    pub review: Option<String>,
}

/// Filters and paging of the actions.
pub type ActionListParams = crate::paging::KindListParams;

/// An action: its record (state planned, in_progress, implemented, closed or
/// cancelled), the record it follows from, and its effectiveness review.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    #[serde(flatten)]
    pub record: RecordView,
    /// The record it follows from.
    pub parent: String,
    pub parent_kind: String,
    pub review_after_days: Option<i64>,
    pub outcome: Option<String>,
    pub completed_at: Option<String>,
    pub review_due_at: Option<String>,
    pub effectiveness: Option<Effectiveness>,
    pub review: Option<String>,
    pub reviewed_at: Option<String>,
    /// In the answer to a review that found it not effective: the new action
    /// that follows it up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
}

impl ActionView {
    pub fn of(a: &Action, now: i64) -> ActionView {
        ActionView {
            record: RecordView::of(a, now),
            parent: a.parent_number.clone(),
            parent_kind: a.parent_kind.clone(),
            review_after_days: a.review_after_days,
            outcome: a.outcome.clone(),
            completed_at: opt_time(a.completed_at),
            review_due_at: opt_time(a.review_due_at),
            effectiveness: a.effectiveness.map(steward_store::Code::get),
            review: a.review.clone(),
            reviewed_at: opt_time(a.reviewed_at),
            follow_up: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionPage {
    pub items: Vec<ActionView>,
    pub next_cursor: Option<String>,
}

/// An action the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Action> {
    let number = NumberKind::Action
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let a = state.store.action(&number).await?;
    require(actor, allowed(Verb::Read), Some(a.org_id))?;
    Ok(a)
}

pub async fn create(state: &AppState, actor: &Actor, input: &ActionInput) -> AppResult<Action> {
    require(actor, allowed(Verb::Create), None)?;
    let mut p = Problems::default();
    let parent = match input.parent.as_deref().map(str::trim) {
        None | Some("") => {
            p.add("parent", "name the record it follows from, e.g. NCR-0001");
            None
        }
        Some(n) => match records::get(state, actor, n).await {
            Ok(r) if is_final(&r) => {
                p.add(
                    "parent",
                    format!("{} is {}: nothing more follows from it", r.number, r.state),
                );
                None
            }
            Ok(r) if r.kind()? == Kind::Action => {
                p.add(
                    "parent",
                    "an action follows from a record, not from another action",
                );
                None
            }
            Ok(r) => Some(r),
            Err(AppError::NotFound) => {
                p.add("parent", format!("no record {n:?}"));
                None
            }
            Err(e) => return Err(e),
        },
    };
    let corrective = parent
        .as_ref()
        .is_some_and(|r| r.kind == steward_domain::kind::NONCONFORMITY);
    let review_after_days = match input.review_after_days {
        Some(d) => Some(parse_review_days(&mut p, d)),
        None => corrective.then_some(DEFAULT_REVIEW_DAYS),
    };
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let core = p.finish(core)?;
    let (Some(core), Some(parent)) = (core, parent) else {
        return Err(AppError::NotFound);
    };
    new_action(state, actor, &parent, core, review_after_days).await
}

fn is_final(r: &steward_store::RecordRef) -> bool {
    use steward_domain::kind::StateCategory::{Cancelled, Closed};
    matches!(
        steward_domain::kind::StateCategory::parse(&r.state_category),
        Some(Closed | Cancelled)
    )
}

async fn new_action(
    state: &AppState,
    actor: &Actor,
    parent: &steward_store::RecordRef,
    core: RecordCore,
    review_after_days: Option<i64>,
) -> AppResult<Action> {
    // The provider's own work, whatever it follows from: an action on a
    // customer's incident is not the customer's to see.
    let new = NewAction {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: ActionFields {
            core,
            parent_id: parent.id,
            life: action::ActionLife {
                review_after_days,
                ..Default::default()
            },
            ..Default::default()
        },
    };
    Ok(state
        .store
        .create_action(&AuditActor::from(actor), &new)
        .await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ActionPatch,
    if_match: Option<i64>,
) -> AppResult<Action> {
    let current = get(state, actor, number).await?;
    require(actor, allowed(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_action(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| {
                if !now.state().category().is_open() {
                    return Err(now.state().refuse("change").into());
                }
                let mut f = now.fields();
                let mut p = Problems::default();
                let core = patched_core(&matrix, &f.core, patch.core(), &refs, &mut p);
                if let Some(d) = patch.review_after_days {
                    f.life.review_after_days = Some(parse_review_days(&mut p, d));
                }
                f.core = p.finish(core)?.unwrap_or(f.core);
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// Takes a step; a review that finds the action not effective opens its
/// follow-up on the same record (returned second), linked to it.
pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &ActionStepInput,
    if_match: Option<i64>,
) -> AppResult<(Action, Option<Action>)> {
    let current = get(state, actor, number).await?;
    require(actor, allowed(Verb::Transition), Some(current.org_id))?;
    let text = match input.action.as_str() {
        "complete" => input.outcome.as_deref(),
        _ => input.review.as_deref(),
    };
    let (spec, text) = parse_step(STEPS, &input.action, text)?;
    let now = steward_store::now_ms();
    let done = state
        .store
        .update_action(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |a| {
                let mut f = a.fields();
                (f.state, f.life) = action::apply(a.state(), &f.life, spec.action, text, now)?;
                Ok(f)
            },
        )
        .await?;
    if spec.action != "review_not_effective" {
        return Ok((done, None));
    }
    let parent = records::get(state, actor, &done.parent_number).await?;
    let mut title = format!("Follow-up: {}", done.title);
    if title.chars().count() > steward_domain::text::LINE_MAX {
        title = title.chars().take(steward_domain::text::LINE_MAX).collect();
    }
    let core = RecordCore {
        title,
        description: format!(
            "{} was found not effective: {}",
            done.number,
            done.review.as_deref().unwrap_or_default()
        ),
        target_at: None,
        ..done.core()
    };
    let next = new_action(state, actor, &parent, core, done.review_after_days).await?;
    let (a, b) = (
        records::get(state, actor, &next.number).await?,
        records::get(state, actor, &done.number).await?,
    );
    records::link_refs(state, actor, &a, &b, LinkType::RelatedTo).await?;
    Ok((done, Some(next)))
}

/// Actions newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ActionListParams,
) -> AppResult<Page<Action>> {
    require(actor, allowed(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<ActionState>()?;
    Ok(state.store.list_actions(&filter, cursor, limit).await?)
}
