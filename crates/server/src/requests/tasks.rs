//! Fulfilment tasks (`TSK-000001`), made by an offering's plan: read and
//! worked by staff; each step settles its request in the store.

use serde::{Deserialize, Serialize};
use steward_domain::access::Actor;
use steward_domain::kind::{Kind, Verb, parse_step};
use steward_domain::number::NumberKind;
use steward_domain::request::{self, TaskState};
use steward_store::{AuditActor, Page, Task};

use super::work;
use crate::AppState;
use crate::core_fields::RecordView;
use crate::error::{AppError, AppResult};
use crate::paging::KindListParams;
use crate::policy::require;

/// A fulfilment task.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    #[serde(flatten)]
    pub record: RecordView,
    /// The request it fulfils.
    pub request: String,
    pub seq: i64,
    pub note: Option<String>,
}

impl TaskView {
    pub fn of(t: &Task) -> TaskView {
        TaskView {
            record: RecordView::of(t, steward_store::now_ms()),
            request: t.request_number.clone(),
            seq: t.seq,
            note: t.note.clone(),
        }
    }
}

pub async fn task(state: &AppState, actor: &Actor, number: &str) -> AppResult<Task> {
    let number = NumberKind::Task
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let t = state.store.task(&number).await?;
    require(actor, work(Kind::Task, Verb::Read), Some(t.org_id))?;
    Ok(t)
}

pub async fn tasks(
    state: &AppState,
    actor: &Actor,
    params: &KindListParams,
) -> AppResult<Page<Task>> {
    require(actor, work(Kind::Task, Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<TaskState>()?;
    Ok(state.store.list_tasks(&filter, cursor, limit).await?)
}

/// A step of a task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskStepInput {
    /// start, complete or cancel.
    pub action: String,
    /// For complete: what was done; for cancel: why it is not needed.
    pub note: Option<String>,
}

pub async fn task_step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &TaskStepInput,
    if_match: Option<i64>,
) -> AppResult<Task> {
    let t = task(state, actor, number).await?;
    require(actor, work(Kind::Task, Verb::Transition), Some(t.org_id))?;
    let (spec, note) = parse_step(request::TASK_STEPS, &input.action, input.note.as_deref())?;
    Ok(state
        .store
        .task_step(
            &AuditActor::from(actor),
            &t.number,
            if_match,
            spec.action,
            note,
        )
        .await?)
}
