//! Management reviews (ISO/IEC 20000-1 9.3), a kind of the work-record
//! kernel: the operations the API, the web UI, the CLI and the demo share.
//! A review covers a period, is held on its target date with its input pack
//! ([`pack`]) compiled from Steward's records as of that day, records who
//! attended, the minutes and the decisions, and carries its decisions
//! forward as actions ([`crate::actions`], parent: the review).

pub mod api;
pub mod demo;
pub mod pack;
pub mod web;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::nonconformity::Analysis;
use steward_domain::number::NumberKind;
use steward_domain::review::{self, ReviewState, STEPS};
use steward_store::{AuditActor, NewReview, Page, Review, ReviewFields};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::opt_time;

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Review, verb)
}

new_record_input! {
    /// A new management review: the period it reviews, and its day (`target_date`).
    pub struct ReviewInput {
        /// `2026-Q3`, `2026-07`, `2026` or `2026-07-01..2026-09-30`.
        #[serde(default)]
        pub period: String,
        /// Who attends (names or e-mails, one line).
        pub attendees: Option<String>,
    }
}

record_patch! {
    /// Changes to a review: absent fields stay as they are.
    pub struct ReviewPatch {
        pub period: Option<String>,
        pub attendees: Option<String>,
        /// What the review decided.
        pub decisions: Option<String>,
    }
}

/// A step of a review.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewStepInput {
    /// hold (with the minutes), close (once decisions are recorded) or cancel (with the reason).
    pub action: String,
    pub minutes: Option<String>,
    pub reason: Option<String>,
}

/// Filters and paging of the reviews.
pub type ReviewListParams = crate::paging::KindListParams;

/// A management review: its record (state planned, held, closed or
/// cancelled; the target date is its day), period, attendees, decisions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    #[serde(flatten)]
    pub record: RecordView,
    pub period_from: String,
    pub period_to: String,
    pub attendees: Option<String>,
    pub decisions: Option<String>,
    pub minutes: Option<String>,
    pub held_at: Option<String>,
    pub cancelled_reason: Option<String>,
    pub open_actions: i64,
}

impl ReviewView {
    pub fn of(r: &Review, now: i64) -> ReviewView {
        ReviewView {
            record: RecordView::of(r, now),
            period_from: r.period_from.clone(),
            period_to: r.period_to.clone(),
            attendees: r.attendees.clone(),
            decisions: r.decisions.clone(),
            minutes: r.minutes.clone(),
            held_at: opt_time(r.held_at),
            cancelled_reason: r.cancelled_reason.clone(),
            open_actions: r.open_actions,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    pub items: Vec<ReviewView>,
    pub next_cursor: Option<String>,
}

/// A review the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Review> {
    let number = NumberKind::Review
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let r = state.store.review(&number).await?;
    require(actor, action(Verb::Read), Some(r.org_id))?;
    Ok(r)
}

fn period(p: &mut Problems, typed: &str) -> Option<(String, String)> {
    match review::parse_period("period", typed) {
        Ok((a, b)) => Some((a.to_string(), b.to_string())),
        Err(e) => {
            p.merge(e);
            None
        }
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: &ReviewInput) -> AppResult<Review> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    let period = period(&mut p, &input.period);
    let attendees = Analysis::text(
        &mut p,
        "attendees",
        input.attendees.as_deref().unwrap_or(""),
    );
    if input
        .target_date
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        p.add(
            "target_date",
            "say on which day the review is held (YYYY-MM-DD)",
        );
    }
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let (core, period) = p.finish((core, period))?;
    let (Some(core), Some((period_from, period_to))) = (core, period) else {
        return Err(AppError::NotFound);
    };
    let new = NewReview {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: ReviewFields {
            core,
            period_from,
            period_to,
            attendees,
            ..Default::default()
        },
    };
    Ok(state
        .store
        .create_review(&AuditActor::from(actor), &new)
        .await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ReviewPatch,
    if_match: Option<i64>,
) -> AppResult<Review> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_review(
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
                if let Some(t) = patch.period.as_deref()
                    && let Some((a, b)) = period(&mut p, t)
                {
                    (f.period_from, f.period_to) = (a, b);
                }
                if let Some(t) = patch.attendees.as_deref() {
                    f.attendees = Analysis::text(&mut p, "attendees", t);
                }
                if let Some(t) = patch.decisions.as_deref() {
                    f.decisions = Analysis::text(&mut p, "decisions", t);
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
    input: &ReviewStepInput,
    if_match: Option<i64>,
) -> AppResult<Review> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let text = match input.action.as_str() {
        "cancel" => input.reason.as_deref(),
        _ => input.minutes.as_deref(),
    };
    let (spec, text) = parse_step(STEPS, &input.action, text)?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_review(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |r| {
                let mut f = r.fields();
                (f.state, f.life) = review::apply(
                    r.state(),
                    &f.life,
                    f.decisions.as_deref(),
                    spec.action,
                    text,
                    now,
                )?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// The reviews, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ReviewListParams,
) -> AppResult<Page<Review>> {
    require(actor, action(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<ReviewState>()?;
    Ok(state.store.list_reviews(&filter, cursor, limit).await?)
}
