//! `/api/v1/jobs`: background jobs for admins (and auditors, read-only).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use steward_store::{Job, JobCounts, JobRun};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::views::time;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
        .routes(routes!(retry))
}

/// Which jobs to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobParams {
    /// queued, running, done or dead.
    pub state: Option<String>,
    /// `next_before` of the previous page.
    pub before: Option<i64>,
    /// 1..500, default 50.
    pub limit: Option<i64>,
}

/// A background job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: i64,
    /// notify, email or escalate.
    pub kind: String,
    /// What the job works on, as JSON.
    pub payload: serde_json::Value,
    /// queued, running, done or dead.
    pub state: String,
    pub run_at: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        let mut payload: serde_json::Value =
            serde_json::from_str(&j.payload).unwrap_or(serde_json::Value::Null);
        if let Some(id) = j.record_id
            && let Some(o) = payload.as_object_mut()
        {
            o.insert("record_id".into(), id.into());
        }
        JobView {
            id: j.id,
            kind: j.kind.clone(),
            payload,
            state: j.state.clone(),
            run_at: time(j.run_at),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error.clone(),
            created_at: time(j.created_at),
            finished_at: j.finished_at.map(time),
        }
    }
}

/// A page of jobs with the counts per state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobPage {
    pub items: Vec<JobView>,
    /// Pass as `before` for the next page.
    pub next_before: Option<i64>,
    #[schema(value_type = Object)]
    pub counts: JobCounts,
}

/// A job with each finished attempt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobDetail {
    #[serde(flatten)]
    pub job: JobView,
    #[schema(value_type = Vec<Object>)]
    pub runs: Vec<JobRun>,
}

/// Background jobs, newest first.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobParams),
    responses((status = 200, body = JobPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(p): ApiQuery<JobParams>,
) -> AppResult<ApiJson<JobPage>> {
    let limit = p.limit.unwrap_or(50);
    let items =
        crate::jobs::page(&state.store, &a.actor, p.state.as_deref(), p.before, limit).await?;
    Ok(ApiJson(JobPage {
        next_before: (items.len() as i64 == limit)
            .then(|| items.last().map(|j| j.id))
            .flatten(),
        items: items.iter().map(JobView::from).collect(),
        counts: state.store.job_counts().await?,
    }))
}

/// One job and its attempts.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "job id")),
    responses((status = 200, body = JobDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<JobDetail>> {
    let (job, runs) = crate::jobs::get(&state.store, &a.actor, id).await?;
    Ok(ApiJson(JobDetail {
        job: JobView::from(&job),
        runs,
    }))
}

/// Put a dead (or waiting) job back in the queue to run now, with fresh attempts (admins).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "job id")),
    responses((status = 200, body = JobView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<JobView>> {
    let job = crate::jobs::retry(&state.store, &a.actor, id).await?;
    Ok(ApiJson(JobView::from(&job)))
}
