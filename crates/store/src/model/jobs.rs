//! Background jobs and the notifications they send.

use super::*;

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON.
    pub payload: String,
    /// The record whose event caused the job.
    pub record_id: Option<i64>,
    /// Not before (default: now).
    pub run_at: Option<UtcMillis>,
    pub max_attempts: i64,
}

impl NewJob {
    /// The notification job of an incident event.
    pub fn notify(
        event: steward_domain::notify::Event,
        record_id: i64,
        actor_id: Option<i64>,
        comment_id: Option<i64>,
    ) -> NewJob {
        let mut j = NewJob::new(
            "notify",
            &serde_json::json!({
                "event": event.as_str(),
                "actor_id": actor_id,
                "comment_id": comment_id,
            }),
        );
        j.record_id = Some(record_id);
        j
    }

    pub fn new(kind: &str, payload: &serde_json::Value) -> NewJob {
        NewJob {
            kind: kind.to_owned(),
            payload: payload.to_string(),
            record_id: None,
            run_at: None,
            max_attempts: 5,
        }
    }
}

/// A claimed job that ran to success, with the jobs it causes.
#[derive(Debug, Clone, Copy)]
pub struct CompletedJob<'a> {
    pub job: &'a Job,
    pub started_at: UtcMillis,
    pub caused: &'a [NewJob],
}

/// A background job.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub record_id: Option<i64>,
    /// queued, running, done or dead.
    pub state: String,
    pub run_at: UtcMillis,
    pub attempts: i64,
    pub max_attempts: i64,
    #[serde(skip)]
    pub claim: Option<String>,
    pub lease_until: Option<UtcMillis>,
    pub last_error: Option<String>,
    pub created_at: UtcMillis,
    pub finished_at: Option<UtcMillis>,
}

/// One finished attempt of a job.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct JobRun {
    pub job_id: i64,
    pub attempt: i64,
    pub worker: String,
    pub started_at: UtcMillis,
    pub finished_at: UtcMillis,
    /// done or failed.
    pub outcome: String,
    pub error: Option<String>,
}

/// Jobs per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

/// A clock that crossed its warning point or due time in a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub record_id: i64,
    /// The record's kind: an incident's SLA or OLA clock, a request's fulfilment clock.
    pub kind: String,
    pub number: String,
    pub clock: ClockKind,
    /// The assignment group of an OLA clock; `None` for the SLA's.
    pub group: Option<i64>,
    pub crossed: steward_domain::sla::Crossed,
    /// The incident's priority, impact and urgency when the clock crossed.
    pub priority: u8,
    pub impact: i64,
    pub urgency: i64,
    /// The moment crossed came before the sweep last caught up (or before
    /// any sweep ran): marked, but too old to be worth a notification.
    pub stale: bool,
    /// The clock's due time.
    pub due_at: Option<i64>,
}

/// An open record past its target date, escalated in a sweep.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Overdue {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
    pub org_id: i64,
    pub target_at: UtcMillis,
}

/// A person around an incident who may be told of its events.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    /// Comma-separated events this person does not want to hear of.
    pub notify_muted: String,
    pub time_zone: String,
    pub is_caller: bool,
    pub is_assignee: bool,
    pub in_group: bool,
    /// The assignment group's named manager.
    pub is_group_manager: bool,
}

impl Recipient {
    pub fn person(&self) -> steward_domain::notify::Person {
        let role = Role::parse(&self.role);
        steward_domain::notify::Person {
            user_id: self.id,
            staff: role.is_some_and(|r| r.is_staff()),
            manager: role == Some(Role::Manager),
            active: self.active,
            muted: self
                .notify_muted
                .split(',')
                .filter_map(|e| steward_domain::notify::Event::parse(e.trim()))
                .collect(),
        }
    }
}
