//! Background work: one worker loop per `steward serve` process. Each round it
//! marks SLA clocks that crossed their warning point or due time (queueing
//! their notifications), gives jobs of dead workers back to the queue, then
//! claims due jobs and runs them. A job's follow-up jobs are written in the
//! transaction that completes it, so a worker killed half-way leaves the job
//! to be taken over, never half-done.
//!
//! Kinds:
//! - `notify`: an incident event; fans out one `email` job per person who
//!   hears of it (`steward_domain::notify`).
//! - `email`: delivers one message over SMTP.
//! - `escalate`: raises a breached incident's urgency by one step (when
//!   `sla_breach_raises_priority` is set), which raises its priority.
//! - `sla_recompute`: after a calendar or agreement changed, brings the clocks
//!   of open incidents to the new terms (due times, targets, marks).
//! - `service_reports`: issues a month's service report of every customer
//!   still owed one.
//! - `survey_rounds`: sends the next round of every periodic survey due.
//!
//! The sweeper also escalates, once a minute, open records past their target
//! date of the kinds that escalate (complaints): a `notify` job each with the
//! event `record_overdue`.

use std::time::Duration;

use askama::Template;
use serde::Deserialize;
use steward_domain::access::Visibility;
use steward_domain::notify::{self, Circle, Event};
use steward_domain::priority::Level;
use steward_domain::sla::{ClockKind, Crossed};
use steward_store::{AuditActor, CompletedJob, Fired, Job, NewJob, now_ms};
use tokio::task::JoinSet;

use crate::AppState;
use crate::mail::Mail;
use crate::web::local_time;

mod mail;
use mail::notify_job;

/// Jobs one worker claims at a time.
const BATCH: i64 = 16;

/// A name for this worker, unique enough to tell processes apart in the run log.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "steward".into());
    format!("{host}:{}", std::process::id())
}

/// Runs background work until `stop` fires, then lets the jobs in hand finish.
/// The SLA sweep has its own loop, so that slow jobs never delay a breach.
pub async fn run_worker(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    let sweeper = tokio::spawn(run_sweeper(state.clone(), stop.clone()));
    run_jobs(state, stop).await;
    let _ = sweeper.await;
}

/// Marks SLA warnings and breaches (with their jobs) every half second;
/// escalates overdue records and folds the daily counts once a minute.
async fn run_sweeper(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut overdue_at = std::time::Instant::now();
    let mut optimize_at = std::time::Instant::now() + Duration::from_secs(300);
    loop {
        if *stop.borrow() {
            break;
        }
        if std::time::Instant::now() >= overdue_at {
            overdue_at = std::time::Instant::now() + Duration::from_secs(60);
            if let Err(e) = overdue_sweep(&state).await {
                tracing::warn!(error = %e, "overdue escalation failed; will retry");
            }
            // The daily counts' rows written since the last minute, folded
            // into one per day (ADR 0015).
            if let Err(e) = state.store.compact_rollups().await {
                tracing::warn!(error = %e, "folding the daily counts failed; will retry");
            }
            if std::time::Instant::now() >= optimize_at {
                optimize_at = std::time::Instant::now() + Duration::from_secs(3600);
                // SQLite's planner statistics follow the data (PRAGMA optimize).
                if let Err(e) = state.store.optimize().await {
                    tracing::warn!(error = %e, "refreshing planner statistics failed; will retry");
                }
            }
            let window = state.config.login_window_minutes * 60_000;
            if let Err(e) = state.store.sweep_login_failures(window).await {
                tracing::warn!(error = %e, "forgetting old sign-in counts failed; will retry");
            }
        }
        loop {
            match sweep(&state).await {
                Ok(n) if n >= SWEEP_BATCH as usize => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "SLA sweep failed; will retry");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => {}
        }
    }
}

const SWEEP_BATCH: i64 = 500;

/// Escalates open records past their target date, of the kinds that escalate
/// (`Kind::escalates_when_overdue`), each once per target date, with a
/// notification job when mail can go out; returns how many.
pub async fn overdue_sweep(state: &AppState) -> Result<usize, steward_store::StoreError> {
    let kinds: Vec<&str> = steward_domain::kind::Kind::ALL
        .into_iter()
        .filter(|k| k.escalates_when_overdue())
        .map(|k| k.spec().code)
        .collect();
    let notify = state.mailer.enabled();
    let max_attempts = state.config.job_max_attempts;
    // One batch a tick: the SLA sweep shares this loop and must not wait.
    Ok(state
        .store
        .overdue_sweep(&kinds, now_ms(), SWEEP_BATCH, |o| {
            if !notify {
                return Vec::new();
            }
            let mut j = NewJob::new(
                "notify",
                &serde_json::json!({"event": Event::RecordOverdue.as_str(),
                                    "number": o.number, "target_at": o.target_at}),
            );
            j.record_id = Some(o.id);
            j.max_attempts = max_attempts;
            vec![j]
        })
        .await?
        .len())
}

/// One SLA sweep; returns how many crossings it marked.
pub async fn sweep(state: &AppState) -> Result<usize, steward_store::StoreError> {
    let raise = state.config.sla_breach_raises_priority;
    let max_attempts = state.config.job_max_attempts;
    let notify = state.mailer.enabled();
    Ok(state
        .store
        .sla_sweep(now_ms(), SWEEP_BATCH, |f| {
            jobs_of_crossing(f, notify, raise, max_attempts)
        })
        .await?
        .len())
}

async fn run_jobs(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let worker = worker_name();
    let poll = Duration::from_millis(state.config.job_poll_millis.max(10));
    loop {
        if *stop.borrow() {
            break;
        }
        let ran = match run_round(&state, &worker).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "background work failed; will retry");
                0
            }
        };
        if ran == 0 {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// One round of jobs: expired leases back to the queue, then claim and run
/// due jobs; returns how many ran.
pub async fn run_round(state: &AppState, worker: &str) -> Result<usize, steward_store::StoreError> {
    state.store.requeue_expired_jobs(now_ms()).await?;
    let claim = format!("{worker}:{}", rand::random::<u64>());
    let now = now_ms();
    let lease_until = now + state.config.job_lease_seconds.clamp(2, 86_400) * 1000;
    let jobs = state
        .store
        .claim_jobs(&claim, now, lease_until, BATCH)
        .await?;
    let n = jobs.len();
    let mut set = JoinSet::new();
    for job in jobs {
        let state = state.clone();
        let worker = worker.to_owned();
        set.spawn(async move {
            let started = now_ms();
            let outcome = run_one(&state, &worker, &job, started).await;
            (job, started, outcome)
        });
    }
    let mut ran = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        if let Ok((job, started, Some(caused))) = r {
            ran.push((job, started, caused));
        }
    }
    // The round's successes are recorded together: one transaction.
    let done: Vec<CompletedJob> = ran
        .iter()
        .map(|(job, started_at, caused)| CompletedJob {
            job,
            started_at: *started_at,
            caused,
        })
        .collect();
    if !done.is_empty() {
        match state.store.complete_jobs(worker, &done).await {
            Ok(held) => {
                for d in done.iter().filter(|d| !held.contains(&d.job.id)) {
                    tracing::warn!(
                        job = d.job.id,
                        "job was taken over by another worker (lease expired)"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot record the outcome of finished jobs"),
        }
    }
    Ok(n)
}

/// The jobs of a clock that crossed its warning point or due time: a
/// notification when mail can go out, an escalation when `raise` says so.
fn jobs_of_crossing(f: &Fired, notify: bool, raise: bool, max_attempts: i64) -> Vec<NewJob> {
    let event = match f.crossed {
        Crossed::Warning => Event::SlaWarning,
        Crossed::Breach => Event::SlaBreach,
    };
    let mut jobs = Vec::new();
    // A request's fulfilment clock: its breach is escalated as an overdue
    // record is (its owner, group and their managers); warnings stay on the page.
    if f.kind != steward_domain::kind::INCIDENT {
        if notify && !f.stale && f.crossed == Crossed::Breach {
            let mut n = NewJob::new(
                "notify",
                &serde_json::json!({"event": Event::RecordOverdue.as_str(),
                                    "number": f.number, "target_at": f.due_at}),
            );
            n.record_id = Some(f.record_id);
            n.max_attempts = max_attempts;
            jobs.push(n);
        }
        return jobs;
    }
    // A crossing older than the sweep's last catch-up is marked in silence.
    if notify && !f.stale {
        let mut n = NewJob::new(
            "notify",
            &serde_json::json!({"event": event.as_str(), "clock": f.clock.as_str(),
                                "group": f.group}),
        );
        n.record_id = Some(f.record_id);
        n.max_attempts = max_attempts;
        jobs.push(n);
    }
    // The customer's resolution target escalates; a group's OLA does not
    // change the incident's priority (its manager hears of it).
    if raise
        && f.crossed == Crossed::Breach
        && f.clock == ClockKind::Resolution
        && f.group.is_none()
    {
        let mut e = NewJob::new(
            "escalate",
            &serde_json::json!({"clock": f.clock.as_str(), "priority": f.priority,
                                "impact": f.impact, "urgency": f.urgency}),
        );
        e.record_id = Some(f.record_id);
        e.max_attempts = max_attempts;
        jobs.push(e);
    }
    jobs
}

/// Back-off before attempt `attempts + 1`: 10 s, 20 s, 40 s ... at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let step = attempts.clamp(1, 20) - 1;
    (10_000i64 << step).min(3_600_000)
}

/// Runs one job within its time budget. A success answers the jobs it causes,
/// to be recorded with the round; a failure is recorded here (retry or dead).
async fn run_one(state: &AppState, worker: &str, job: &Job, started: i64) -> Option<Vec<NewJob>> {
    let budget = Duration::from_secs(state.config.job_lease_seconds.max(2) as u64 / 2);
    let outcome = match tokio::time::timeout(budget, handle(state, job)).await {
        Ok(r) => r,
        Err(_) => Err(format!("took longer than {} s", budget.as_secs())),
    };
    let e = match outcome {
        Ok(caused) => return Some(caused),
        Err(e) => e,
    };
    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
    let retry_at = now_ms() + backoff_ms(job.attempts);
    let recorded = state
        .store
        .fail_job(
            job,
            worker,
            started,
            &e,
            retry_at,
            state.config.job_max_attempts.max(1),
        )
        .await;
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(
                job = job.id,
                "job was taken over by another worker (lease expired)"
            )
        }
        Err(e) => tracing::warn!(job = job.id, error = %e, "cannot record the job's outcome"),
    }
    None
}

/// Runs one job; `Ok` carries the jobs it causes.
async fn handle(state: &AppState, job: &Job) -> Result<Vec<NewJob>, String> {
    match job.kind.as_str() {
        "notify" => notify_job(state, job).await,
        "email" => {
            let mail: Mail = serde_json::from_str(&job.payload)
                .map_err(|e| format!("not an e-mail job: {e}"))?;
            state.mailer.send(&mail).await?;
            Ok(Vec::new())
        }
        "escalate" => escalate_job(state, job).await,
        "approval_mail" => crate::requests::link::mail_job(state, job).await,
        "service_reports" => crate::service_reports::run_job(state, &job.payload).await,
        "survey_rounds" => crate::surveys::run_job(state, &job.payload).await,
        "sla_recompute" => {
            // One batch per job, and the next batch as its follow-up, so that
            // no run is long and a worker that dies loses one batch at most.
            let payload =
                serde_json::from_str::<serde_json::Value>(&job.payload).unwrap_or_default();
            let after = payload["after"].as_i64().unwrap_or(0);
            // The walk ends where the incidents were when it began.
            let until = payload["until"].as_i64();
            if until.is_none() {
                // Another process may have made the change: read the terms afresh.
                state.store.forget_sla_terms();
            }
            let (_, next) = state
                .store
                .recompute_clocks_after(after, until)
                .await
                .map_err(|e| e.to_string())?;
            Ok(next
                .map(|(after, until)| {
                    let mut next = NewJob::new(
                        "sla_recompute",
                        &serde_json::json!({ "after": after, "until": until }),
                    );
                    next.max_attempts = state.config.job_max_attempts;
                    vec![next]
                })
                .unwrap_or_default())
        }
        other => Err(format!("no worker knows jobs of kind {other:?}")),
    }
}

#[derive(Deserialize)]
struct EscalatePayload {
    impact: i64,
    urgency: i64,
}

/// Raises the urgency of a breached incident by one step, once: only while
/// the incident still has the impact and urgency it had when the clock was
/// breached, so a second run (after a worker died) changes nothing.
async fn escalate_job(state: &AppState, job: &Job) -> Result<Vec<NewJob>, String> {
    let p: EscalatePayload =
        serde_json::from_str(&job.payload).map_err(|e| format!("not an escalation: {e}"))?;
    let id = job.record_id.ok_or("the escalation names no incident")?;
    let inc = state
        .store
        .incident_by_id(id)
        .await
        .map_err(|e| e.to_string())?;
    let matrix = state.matrix.clone();
    state
        .store
        .update_incident(
            &AuditActor::system("SLA escalation"),
            &inc.number,
            Visibility::All,
            None,
            "escalate",
            move |i| {
                let mut f = i.fields();
                if (i.impact, i.urgency) != (p.impact, p.urgency) || !i.state().is_open() {
                    return Ok(f);
                }
                let (mut impact, mut urgency) = (f.impact, f.urgency);
                if urgency > 1 {
                    urgency -= 1;
                } else if impact > 1 {
                    impact -= 1;
                }
                let (Some(im), Some(ur)) = (Level::new(impact), Level::new(urgency)) else {
                    return Ok(f);
                };
                f.impact = impact;
                f.urgency = urgency;
                f.priority = matrix.priority(im, ur).get() as i64;
                Ok(f)
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(Vec::new())
}

/// The states a job can be in, as a list filter takes them.
pub const STATES: [&str; 4] = ["queued", "running", "done", "dead"];

/// A page of jobs, newest first, for who may read the queue.
pub async fn page(
    store: &steward_store::Store,
    actor: &steward_domain::access::Actor,
    state: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> crate::error::AppResult<Vec<steward_store::Job>> {
    use crate::error::AppError;
    crate::policy::require(actor, steward_domain::access::Action::JobRead, None)?;
    if let Some(s) = state
        && !STATES.contains(&s)
    {
        return Err(AppError::field(
            "state",
            "must be queued, running, done or dead",
        ));
    }
    if !(1..=500).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 500"));
    }
    Ok(store.list_jobs(state, before, limit).await?)
}

/// One job and its attempts.
pub async fn get(
    store: &steward_store::Store,
    actor: &steward_domain::access::Actor,
    id: i64,
) -> crate::error::AppResult<(steward_store::Job, Vec<steward_store::JobRun>)> {
    crate::policy::require(actor, steward_domain::access::Action::JobRead, None)?;
    Ok((store.job(id).await?, store.job_runs(id).await?))
}

/// Puts a dead (or waiting) job back in the queue with fresh attempts.
pub async fn retry(
    store: &steward_store::Store,
    actor: &steward_domain::access::Actor,
    id: i64,
) -> crate::error::AppResult<steward_store::Job> {
    crate::policy::require(actor, steward_domain::access::Action::JobRetry, None)?;
    Ok(store
        .retry_job(&steward_store::AuditActor::from(actor), id)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(2), 20_000);
        assert_eq!(backoff_ms(3), 40_000);
        assert_eq!(backoff_ms(30), 3_600_000);
    }
}
