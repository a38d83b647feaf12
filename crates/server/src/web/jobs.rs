//! `/admin/jobs`: background jobs for admins (auditors read).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_store::JobCounts;

use super::{Nav, WebResult, local_time};
use crate::AppState;
use crate::auth::{WebForm, WebSession};

pub struct JobRow {
    id: i64,
    kind: String,
    about: String,
    state: String,
    attempts: String,
    when: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs.html")]
pub struct JobsPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    counts: JobCounts,
    rows: Vec<JobRow>,
    can_retry: bool,
    max_attempts: i64,
    next_link: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    state: Option<String>,
    before: Option<i64>,
    retried: Option<i64>,
}

const PAGE: i64 = 50;

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<JobsQuery>,
) -> WebResult<JobsPage> {
    let filter = q.state.as_deref().filter(|v| !v.is_empty());
    let tz = s.user.effective_time_zone().to_owned();
    let jobs = crate::jobs::page(&state.store, &s.actor, filter, q.before, PAGE).await?;
    let next_link = if jobs.len() as i64 == PAGE {
        jobs.last()
            .map(|j| format!("/admin/jobs?state={}&before={}", filter.unwrap_or(""), j.id))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let rows = jobs
        .iter()
        .map(|j| {
            let payload: serde_json::Value = serde_json::from_str(&j.payload).unwrap_or_default();
            let about = match j.kind.as_str() {
                "email" => format!(
                    "{} to {}",
                    payload["subject"].as_str().unwrap_or(""),
                    payload["to"].as_str().unwrap_or("")
                ),
                _ => format!(
                    "{} {}",
                    payload["event"].as_str().unwrap_or(""),
                    payload["clock"].as_str().unwrap_or("")
                )
                .trim()
                .to_owned(),
            };
            JobRow {
                id: j.id,
                kind: j.kind.clone(),
                about,
                state: j.state.clone(),
                attempts: format!("{} of {}", j.attempts, j.max_attempts),
                when: match (j.state.as_str(), j.finished_at) {
                    (_, Some(f)) => local_time(f, &tz),
                    _ => local_time(j.run_at, &tz),
                },
                error: j.last_error.clone().unwrap_or_default(),
            }
        })
        .collect();
    Ok(JobsPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        flash: if q.retried.is_some() {
            "The job is queued to run now."
        } else {
            ""
        },
        counts: state.store.job_counts().await?,
        rows,
        can_retry: authorize(&s.actor, Action::JobRetry, None) == Decision::Allow,
        max_attempts: state.config.job_max_attempts,
        next_link,
    })
}

pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<super::NoFields>,
) -> WebResult<Response> {
    let s = f.session;
    crate::jobs::retry(&state.store, &s.actor, id).await?;
    Ok(Redirect::to(&format!("/admin/jobs?retried={id}")).into_response())
}
