//! Durable background jobs. A job is written in the transaction of the event
//! that causes it, claimed under a lease by one worker (other workers skip the
//! rows it holds), and completed only by the claim that holds it: the job's
//! own writes and its completion are one transaction, so a job whose worker
//! died is taken up again and its effects are never recorded twice.

use steward_domain::UtcMillis;
use steward_domain::audit::Changes;

use super::super::{Conn, Pools, dialect};
use super::audit::append;
use super::{Arg, Sql};
use crate::{AuditActor, CompletedJob, Job, JobCounts, JobRun, NewJob, Result, StoreError};

const SELECT: &str = "SELECT id, kind, payload, record_id, state, run_at, attempts, max_attempts, claim, \
     lease_until, last_error, created_at, finished_at FROM jobs";

/// Queues a job inside the caller's transaction.
pub async fn enqueue(conn: &mut Conn, job: &NewJob, now: UtcMillis) -> Result<()> {
    sqlx::query(
        "INSERT INTO jobs (kind, payload, record_id, state, run_at, max_attempts, created_at) \
         VALUES ($1, $2, $3, 'queued', $4, $5, $6)",
    )
    .bind(&job.kind)
    .bind(&job.payload)
    .bind(job.record_id)
    .bind(job.run_at.unwrap_or(now))
    .bind(job.max_attempts)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues jobs on their own (the CLI, tests).
/// Whether a job of `kind` with exactly `payload` is queued or running.
pub async fn pending(p: &Pools, kind: &str, payload: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload = $2 \
         AND state IN ('queued', 'running')",
    )
    .bind(kind)
    .bind(payload)
    .fetch_one(p.read())
    .await?;
    Ok(n > 0)
}

pub async fn enqueue_all(p: &Pools, jobs: &[NewJob]) -> Result<()> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    for j in jobs {
        enqueue(&mut tx, j, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives the jobs of workers whose lease ran out back to the queue (or to the
/// dead when they have no attempt left). Returns how many.
pub async fn requeue_expired(p: &Pools, now: UtcMillis) -> Result<u64> {
    let mut tx = p.begin().await?;
    let n = sqlx::query(
        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
         finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
         last_error = 'the worker stopped before finishing (lease expired)', \
         claim = NULL, lease_until = NULL, run_at = $1 \
         WHERE state = 'running' AND lease_until < $1",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Claims up to `limit` due jobs for `claim` until `lease_until`.
pub async fn claim(
    p: &Pools,
    claim: &str,
    now: UtcMillis,
    lease_until: UtcMillis,
    limit: i64,
) -> Result<Vec<Job>> {
    let mut tx = p.begin().await?;
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, claim = $1, lease_until = $2 \
         WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
         ORDER BY run_at, id LIMIT $4{}) \
         RETURNING id, kind, payload, record_id, state, run_at, attempts, max_attempts, claim, lease_until, \
         last_error, created_at, finished_at",
        dialect::SKIP_LOCKED
    );
    let mut jobs: Vec<Job> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    jobs.sort_by_key(|j| (j.run_at, j.id));
    Ok(jobs)
}

/// Marks claimed jobs done, records their runs and queues the jobs they
/// caused, all in one transaction (a worker completes a round's jobs
/// together). Returns the ids whose claim was still held; a job whose lease
/// ran out and that another worker took is left alone.
pub async fn complete(p: &Pools, worker: &str, done: &[CompletedJob<'_>]) -> Result<Vec<i64>> {
    let now = crate::now_ms();
    // Jobs claimed together share their claim; each claim is one UPDATE.
    let mut claims: Vec<&str> = done.iter().filter_map(|d| d.job.claim.as_deref()).collect();
    claims.sort_unstable();
    claims.dedup();
    let mut tx = p.begin().await?;
    let mut held: Vec<i64> = Vec::with_capacity(done.len());
    for claim in claims {
        let mut q = Sql::new("UPDATE jobs SET state = 'done', finished_at = ");
        q.arg(Arg::I64(now))
            .push(", claim = NULL, lease_until = NULL WHERE state = 'running' AND claim = ")
            .arg(Arg::Text(claim.to_owned()))
            .push(" AND id IN ")
            .list(
                done.iter()
                    .filter(|d| d.job.claim.as_deref() == Some(claim))
                    .map(|d| Arg::I64(d.job.id)),
            )
            .push(" RETURNING id");
        held.extend(
            q.fetch_all::<(i64,), _>(&mut *tx)
                .await?
                .into_iter()
                .map(|(id,)| id),
        );
    }
    if held.is_empty() {
        return Ok(held);
    }
    let kept: Vec<&CompletedJob> = done.iter().filter(|d| held.contains(&d.job.id)).collect();
    let mut q = Sql::new(
        "INSERT INTO job_runs (job_id, attempt, worker, started_at, finished_at, outcome, error) \
         VALUES ",
    );
    for (n, d) in kept.iter().enumerate() {
        q.push(if n == 0 { "(" } else { ", (" })
            .arg(Arg::I64(d.job.id))
            .push(", ")
            .arg(Arg::I64(d.job.attempts))
            .push(", ")
            .arg(Arg::Text(worker.to_owned()))
            .push(", ")
            .arg(Arg::I64(d.started_at))
            .push(", ")
            .arg(Arg::I64(now))
            .push(", 'done', NULL)");
    }
    q.execute(&mut *tx).await?;
    for d in kept {
        for j in d.caused {
            enqueue(&mut tx, j, now).await?;
        }
    }
    tx.commit().await?;
    Ok(held)
}

/// Records a failed attempt: back to the queue at `retry_at`, or dead after
/// `max_attempts` attempts. `false` when the claim was lost.
#[allow(clippy::too_many_arguments)]
pub async fn fail(
    p: &Pools,
    job: &Job,
    worker: &str,
    started_at: UtcMillis,
    error: &str,
    retry_at: UtcMillis,
    max_attempts: i64,
) -> Result<bool> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let held = sqlx::query(
        "UPDATE jobs SET state = CASE WHEN attempts >= $6 THEN 'dead' ELSE 'queued' END, \
         finished_at = CASE WHEN attempts >= $6 THEN $1 ELSE NULL END, max_attempts = $6, \
         run_at = $2, last_error = $3, claim = NULL, lease_until = NULL \
         WHERE id = $4 AND claim = $5 AND state = 'running'",
    )
    .bind(now)
    .bind(retry_at)
    .bind(error)
    .bind(job.id)
    .bind(&job.claim)
    .bind(max_attempts)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if held == 0 {
        drop(tx);
        return Ok(false);
    }
    record_run(&mut tx, job, worker, started_at, now, Some(error)).await?;
    tx.commit().await?;
    Ok(true)
}

async fn record_run(
    conn: &mut Conn,
    job: &Job,
    worker: &str,
    started_at: UtcMillis,
    now: UtcMillis,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO job_runs (job_id, attempt, worker, started_at, finished_at, outcome, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(job.id)
    .bind(job.attempts)
    .bind(worker)
    .bind(started_at)
    .bind(now)
    .bind(if error.is_some() { "failed" } else { "done" })
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

/// Jobs newest first, optionally in one state, after the cursor id.
pub async fn list(
    p: &Pools,
    state: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Job>> {
    let sql = format!(
        "{SELECT} WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(state)
        .bind(before_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(p.read())
        .await?)
}

pub async fn get(p: &Pools, id: i64) -> Result<Job> {
    let sql = format!("{SELECT} WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The finished attempts of a job, oldest first.
pub async fn runs(p: &Pools, job_id: i64) -> Result<Vec<JobRun>> {
    Ok(sqlx::query_as(
        "SELECT job_id, attempt, worker, started_at, finished_at, outcome, error FROM job_runs \
         WHERE job_id = $1 ORDER BY id",
    )
    .bind(job_id)
    .fetch_all(p.read())
    .await?)
}

/// How many jobs are in each state.
pub async fn counts(p: &Pools) -> Result<JobCounts> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .fetch_all(p.read())
            .await?;
    let mut c = JobCounts::default();
    for (state, n) in rows {
        match state.as_str() {
            "queued" => c.queued = n,
            "running" => c.running = n,
            "done" => c.done = n,
            "dead" => c.dead = n,
            _ => {}
        }
    }
    Ok(c)
}

/// Puts a dead (or queued) job back in the queue to run now, with a fresh
/// set of attempts; recorded in the audit trail.
pub async fn retry(p: &Pools, actor: &AuditActor, id: i64) -> Result<Job> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let state: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT state FROM jobs WHERE id = $1{}",
        dialect::FOR_UPDATE
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if state == "running" || state == "done" {
        return Err(StoreError::Conflict(format!(
            "job {id} is {state}; only a dead or queued job can be retried"
        )));
    }
    sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, finished_at = NULL \
         WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.diff("state", &state, &"queued".to_owned());
    append(
        &mut tx,
        actor,
        None,
        "job",
        &id.to_string(),
        "retry",
        &c,
        now,
    )
    .await?;
    let sql = format!("{SELECT} WHERE id = $1");
    let job = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(job)
}

/// The columns of a job written as a [`Child`](super::Child) of a new record
/// (its id goes to `record_id`).
pub(crate) const CHILD_COLUMNS: &[&str] = &[
    "kind",
    "payload",
    "state",
    "run_at",
    "max_attempts",
    "created_at",
];

pub(crate) fn child(job: &NewJob, now: UtcMillis) -> super::Child {
    use super::Arg::*;
    super::Child {
        table: "jobs",
        parent_column: "record_id",
        columns: CHILD_COLUMNS,
        args: vec![
            Text(job.kind.clone()),
            Text(job.payload.clone()),
            Text("queued".into()),
            I64(job.run_at.unwrap_or(now)),
            I64(job.max_attempts),
            I64(now),
        ],
    }
}
