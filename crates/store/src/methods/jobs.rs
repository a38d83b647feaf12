//! The store's methods for jobs: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// An incident by internal id, with no visibility check (background jobs only).
    pub async fn incident_by_id(&self, id: i64) -> Result<Incident> {
        dispatch!(self, incidents::get_by_id(id))
    }

    /// The caller, assignee and group members of a record; `group` names
    /// the group to hear instead of the record's own (an OLA clock's).
    pub async fn notification_circle(
        &self,
        record_id: i64,
        group: Option<i64>,
    ) -> Result<Vec<Recipient>> {
        dispatch!(self, notifications::circle(record_id, group))
    }

    /// Whether a job of `kind` with exactly `payload` is queued or running.
    pub async fn job_pending(&self, kind: &str, payload: &str) -> Result<bool> {
        dispatch!(self, jobs::pending(kind, payload))
    }

    /// The provider's active managers, for what nobody else would hear of.
    pub async fn provider_managers(&self) -> Result<Vec<Recipient>> {
        dispatch!(self, notifications::managers())
    }

    /// An organisation's active customer contacts.
    pub async fn customer_contacts(&self, org_id: i64) -> Result<Vec<Recipient>> {
        dispatch!(self, notifications::contacts(org_id))
    }

    pub async fn set_notifications_muted(
        &self,
        actor: &AuditActor,
        user_id: i64,
        muted: &str,
    ) -> Result<()> {
        dispatch!(self, notifications::set_muted(actor, user_id, muted))
    }

    pub async fn notifications_muted(&self, user_id: i64) -> Result<String> {
        dispatch!(self, notifications::muted(user_id))
    }

    pub async fn enqueue_jobs(&self, jobs: &[NewJob]) -> Result<()> {
        dispatch!(self, jobs::enqueue_all(jobs))
    }

    pub async fn requeue_expired_jobs(&self, now: i64) -> Result<u64> {
        dispatch!(self, jobs::requeue_expired(now))
    }

    pub async fn claim_jobs(
        &self,
        claim: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Job>> {
        dispatch!(self, jobs::claim(claim, now, lease_until, limit))
    }

    /// Completes jobs that ran (one transaction); returns the ids whose claim
    /// was still held.
    pub async fn complete_jobs(&self, worker: &str, done: &[CompletedJob<'_>]) -> Result<Vec<i64>> {
        dispatch!(self, jobs::complete(worker, done))
    }

    /// Completes one job; `false` when its claim was lost.
    pub async fn complete_job(
        &self,
        job: &Job,
        worker: &str,
        started_at: i64,
        caused: &[NewJob],
    ) -> Result<bool> {
        let done = CompletedJob {
            job,
            started_at,
            caused,
        };
        Ok(!self.complete_jobs(worker, &[done]).await?.is_empty())
    }

    pub async fn fail_job(
        &self,
        job: &Job,
        worker: &str,
        started_at: i64,
        error: &str,
        retry_at: i64,
        max_attempts: i64,
    ) -> Result<bool> {
        dispatch!(
            self,
            jobs::fail(job, worker, started_at, error, retry_at, max_attempts)
        )
    }

    pub async fn list_jobs(
        &self,
        state: Option<&str>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>> {
        dispatch!(self, jobs::list(state, before_id, limit))
    }

    pub async fn job(&self, id: i64) -> Result<Job> {
        dispatch!(self, jobs::get(id))
    }

    pub async fn job_runs(&self, id: i64) -> Result<Vec<JobRun>> {
        dispatch!(self, jobs::runs(id))
    }

    pub async fn job_counts(&self) -> Result<JobCounts> {
        dispatch!(self, jobs::counts())
    }

    pub async fn retry_job(&self, actor: &AuditActor, id: i64) -> Result<Job> {
        dispatch!(self, jobs::retry(actor, id))
    }
}
