//! Service requests (8.6.2, ADR 0021): requests (kind `request`, own row
//! `request_details`; offerings are `offerings.rs`) with their approvals, and their
//! fulfilment tasks (kind `task`, own row `task_details`), migration 0027.
//!
//! A request's state follows from its approvals and tasks: every change to
//! either goes through [`settle`], in the changing transaction, which
//! derives the request's state, opens the next task, cancels what a final
//! request leaves open and moves its fulfilment clock.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::kind::{Kind, StateCategory};
use steward_domain::request::{self, ApprovalLine, RequestState, TaskState};
use steward_domain::sla::{self, FulfilmentTarget, SlaTerms};

use super::super::{Conn, Pools};
use super::audit::append;
use super::records::{self, record_select};
use super::write::{Entry, Set};
use super::{Arg, Child, NumberedInsert, Sql, insert_numbered};
use crate::{
    Approval, ApprovalAsk, ApprovalLink, AuditActor, Cursor, NewRequest, Page, RecordCore,
    RecordFilter, Request, RequestChange, RequestNow, Result, StoreError, Task, now_ms,
};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.offering_id, o.number AS offering_number, o.name AS offering_name, d.answers, \
             d.cost, d.approval_mode, d.approval_required, d.sequential, d.note, \
             r.created_by AS ordered_by",
            "JOIN request_details d ON d.record_id = r.id JOIN offerings o ON o.id = d.offering_id",
            "request",
            $tail
        )
    };
}

macro_rules! select_task {
    ($tail:literal) => {
        record_select!(
            "t.request_id, rq.number AS request_number, t.seq, t.note",
            "JOIN task_details t ON t.record_id = r.id JOIN work_records rq ON rq.id = t.request_id",
            "task",
            $tail
        )
    };
}

const APPROVALS: &str = "SELECT a.id, a.seq, a.approver, a.user_id, u.name AS user_name, \
     a.group_id, g.name AS group_name, a.decision, a.decided_by, d.name AS decided_by_name, \
     a.decided_at FROM request_approvals a LEFT JOIN users u ON u.id = a.user_id \
     LEFT JOIN assignment_groups g ON g.id = a.group_id LEFT JOIN users d ON d.id = a.decided_by \
     WHERE a.record_id = $1 ORDER BY a.seq";

pub async fn get(p: &Pools, number: &str) -> Result<Request> {
    sqlx::query_as(select!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(
    p: &Pools,
    f: &RecordFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Request>> {
    let mut q = Sql::new(select!(""));
    records::filter_sql(&mut q, f);
    records::newest_page(p, q, after, limit).await
}

pub async fn approvals(p: &Pools, record_id: i64) -> Result<Vec<Approval>> {
    Ok(sqlx::query_as(APPROVALS)
        .bind(record_id)
        .fetch_all(p.read())
        .await?)
}

pub async fn tasks_of(p: &Pools, request_id: i64) -> Result<Vec<Task>> {
    Ok(
        sqlx::query_as(select_task!(" AND t.request_id = $1 ORDER BY t.seq"))
            .bind(request_id)
            .fetch_all(p.read())
            .await?,
    )
}

pub async fn task(p: &Pools, number: &str) -> Result<Task> {
    sqlx::query_as(select_task!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list_tasks(
    p: &Pools,
    f: &RecordFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Task>> {
    let mut q = Sql::new(select_task!(""));
    records::filter_sql(&mut q, f);
    records::newest_page(p, q, after, limit).await
}

/// A new request with its approvals and its tasks (all pending), then
/// settled: straight into fulfilment (its first tasks open, its clock
/// running) when nobody has to approve it.
pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    new: &NewRequest,
    terms: &SlaTerms,
) -> Result<Request> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let spec = Kind::Request.spec();
    let state = RequestState::AwaitingApproval;
    let (columns, args) = records::new_record(
        spec.code,
        new.org_id,
        Some(new.requester_id),
        actor,
        now,
        state,
        &new.core,
    );
    let mut changes = Changes::default();
    RecordCore::default().diff(&new.core, &mut changes);
    changes.set("state", &state.as_str());
    changes.set("offering_id", &new.offering_id);
    changes.set("answers", &new.answers);
    changes.set("cost", &new.cost);
    let details = Child {
        table: "request_details",
        parent_column: "record_id",
        columns: &[
            "offering_id",
            "answers",
            "cost",
            "approval_mode",
            "approval_required",
            "sequential",
        ],
        args: vec![
            Arg::I64(new.offering_id),
            Arg::Text(serde_json::Value::Object(new.answers.clone()).to_string()),
            Arg::I64(new.cost),
            Arg::Text(new.mode.as_str().to_owned()),
            Arg::Bool(!new.approvals.is_empty()),
            Arg::Bool(new.sequential),
        ],
    };
    let (id, number) = insert_numbered(
        &mut tx,
        NumberedInsert {
            kind: spec.number,
            table: "work_records",
            columns: &columns.iter().map(String::as_str).collect::<Vec<_>>(),
            args,
            actor,
            org_id: Some(new.org_id),
            record_type: spec.code,
            action: "create",
            changes: &changes,
            at: now,
            children: vec![details],
        },
    )
    .await?;
    for (seq, (approver, user)) in new.approvals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO request_approvals (record_id, seq, approver, user_id, group_id, decision) \
             VALUES ($1, $2, $3, $4, $5, 'pending')",
        )
        .bind(id)
        .bind(seq as i64 + 1)
        .bind(approver.kind.as_str())
        .bind(*user)
        .bind(approver.group_id)
        .execute(&mut *tx)
        .await?;
    }
    for (seq, t) in new.tasks.iter().enumerate() {
        let core = RecordCore {
            title: t.title.clone(),
            description: format!("For {number}: {}", new.core.title),
            category: new.core.category.clone(),
            impact: new.core.impact,
            urgency: new.core.urgency,
            priority: new.core.priority,
            service_id: new.core.service_id,
            group_id: Some(t.group_id),
            assignee_id: None,
            target_at: None,
        };
        create_task(&mut tx, actor, new, id, seq as i64 + 1, &core, now).await?;
    }
    settle(&mut tx, actor, id, "create", None, terms, now).await?;
    // The approvers hear of it by e-mail, with a link to decide.
    if let Some(attempts) = new.mail_attempts
        && !new.approvals.is_empty()
    {
        let mut job = crate::NewJob::new("approval_mail", &serde_json::json!({ "number": number }));
        job.record_id = Some(id);
        job.max_attempts = attempts;
        super::jobs::enqueue(&mut tx, &job, now).await?;
    }
    let r = by_id(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r)
}

async fn create_task(
    conn: &mut Conn,
    actor: &AuditActor,
    new: &NewRequest,
    request_id: i64,
    seq: i64,
    core: &RecordCore,
    now: i64,
) -> Result<()> {
    let spec = Kind::Task.spec();
    let (columns, args) = records::new_record(
        spec.code,
        new.org_id,
        Some(new.requester_id),
        actor,
        now,
        TaskState::Pending,
        core,
    );
    let mut changes = Changes::default();
    RecordCore::default().diff(core, &mut changes);
    changes.set("state", &TaskState::Pending.as_str());
    changes.set("request_id", &request_id);
    insert_numbered(
        conn,
        NumberedInsert {
            kind: spec.number,
            table: "work_records",
            columns: &columns.iter().map(String::as_str).collect::<Vec<_>>(),
            args,
            actor,
            org_id: Some(new.org_id),
            record_type: spec.code,
            action: "create",
            changes: &changes,
            at: now,
            children: vec![Child {
                table: "task_details",
                parent_column: "record_id",
                columns: &["request_id", "seq"],
                args: vec![Arg::I64(request_id), Arg::I64(seq)],
            }],
        },
    )
    .await?;
    Ok(())
}

async fn by_id(conn: &mut Conn, id: i64) -> Result<Request> {
    Ok(sqlx::query_as(select!(" AND r.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?)
}

async fn lines(conn: &mut Conn, id: i64) -> Result<Vec<ApprovalLine>> {
    let rows: Vec<Approval> = sqlx::query_as(APPROVALS).bind(id).fetch_all(conn).await?;
    Ok(rows.iter().map(Approval::line).collect())
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    number: String,
    state: crate::Code<TaskState>,
    version: i64,
}

async fn task_states(conn: &mut Conn, request_id: i64) -> Result<Vec<TaskRow>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.number, r.state, r.version FROM task_details t \
         JOIN work_records r ON r.id = t.record_id WHERE t.request_id = $1 ORDER BY t.seq",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?)
}

/// The request `number` as a change sees it, locked.
async fn now_of(conn: &mut Conn, number: &str) -> Result<RequestNow> {
    let id = records::lock(conn, "request", number, None).await?;
    let request = by_id(conn, id).await?;
    let approvals = lines(conn, id).await?;
    let tasks = task_states(conn, id)
        .await?
        .iter()
        .map(|t| t.state.get())
        .collect();
    Ok(RequestNow {
        request,
        approvals,
        tasks,
    })
}

/// A change to the request `number` (an approval decided, a step taken on
/// it): `change` decides from the request as it is, under its lock; then
/// it is settled.
pub async fn change(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    terms: &SlaTerms,
    change: impl FnOnce(&RequestNow) -> std::result::Result<RequestChange, RuleError>,
) -> Result<Request> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let current = now_of(&mut tx, number).await?;
    // A refusal (not an approver, one's own request) answers whatever the
    // version; a change computed from an older one is stale.
    let decided = change(&current)?;
    if expected_version.is_some_and(|v| v != current.request.version) {
        return Err(StoreError::Stale);
    }
    let id = current.request.id;
    let mut c = Changes::default();
    for (seq, (old, new)) in current.approvals.iter().zip(&decided.approvals).enumerate() {
        if old != new {
            sqlx::query(
                "UPDATE request_approvals SET decision = $1, decided_by = $2, decided_at = $3 \
                 WHERE record_id = $4 AND seq = $5",
            )
            .bind(new.decision.as_str())
            .bind(new.decided_by)
            .bind(new.decided_at)
            .bind(id)
            .bind(seq as i64 + 1)
            .execute(&mut *tx)
            .await?;
            c.diff(
                &format!("approval_{}", new.approver.kind.as_str()),
                &old.decision.as_str(),
                &new.decision.as_str(),
            );
        }
    }
    if let Some(note) = &decided.note {
        sqlx::query("UPDATE request_details SET note = $1 WHERE record_id = $2")
            .bind(note)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        c.diff("note", &current.request.note, &decided.note);
    }
    settle(
        &mut tx,
        actor,
        id,
        action,
        Some((decided.state, c)),
        terms,
        now,
    )
    .await?;
    let r = by_id(&mut tx, id).await?;
    tx.commit().await?;
    Ok(r)
}

/// Brings the request `id` to where its approvals and tasks say, inside the
/// changing transaction: its state (or `explicit`'s, a step taken on it),
/// its tasks (the next opened once approved; the rest cancelled once it is
/// over), its fulfilment clock; one audit entry on the request naming what
/// changed (with `explicit`'s changes) when anything did.
async fn settle(
    conn: &mut Conn,
    actor: &AuditActor,
    id: i64,
    action: &str,
    explicit: Option<(Option<RequestState>, Changes)>,
    terms: &SlaTerms,
    now: i64,
) -> Result<()> {
    let r = by_id(conn, id).await?;
    let approvals = lines(conn, id).await?;
    let mut tasks = task_states(conn, id).await?;
    let (step, mut c) = explicit.unwrap_or_default();
    let was = r.state();
    let mut states: Vec<TaskState> = tasks.iter().map(|t| t.state.get()).collect();
    let outcome = request::outcome(r.approval_mode.get(), &approvals);
    let mut state = step.unwrap_or_else(|| request::derive(was, outcome, &states));
    if state == RequestState::InFulfilment {
        request::open_next(r.sequential, &mut states);
        // Opening a task may not finish anything, but a plan whose every
        // task was cancelled before it began stays for a person to decide.
        state = request::derive(state, outcome, &states);
    }
    if state.is_final() {
        for s in states.iter_mut().filter(|s| !s.is_final()) {
            *s = TaskState::Cancelled;
        }
        // Nobody is asked any more.
        let skipped = sqlx::query(
            "UPDATE request_approvals SET decision = 'skipped' \
             WHERE record_id = $1 AND decision = 'pending'",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if skipped > 0 {
            c.set("approvals_skipped", &skipped);
        }
    }
    let by = format!("{} {}", r.number, state.as_str());
    for (t, s) in tasks.iter_mut().zip(&states) {
        if t.state.get() != *s {
            set_task_state(conn, actor, r.org_id, t, *s, &by, now).await?;
        }
    }
    // The clock, measured against the offering's target.
    let target: (String, i64, i64) = sqlx::query_as(
        "SELECT o.number, o.calendar_id, o.target_minutes FROM request_details d \
         JOIN offerings o ON o.id = d.offering_id WHERE d.record_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let before = super::sla::clocks_of(&mut *conn, id).await?;
    let advanced = sla::fulfilment(
        terms,
        &FulfilmentTarget {
            offering: target.0,
            calendar_id: target.1,
            target_minutes: target.2,
            warn_percent: 75,
            priority: r.priority as u8,
        },
        before.first(),
        state,
        now,
    );
    super::sla::save(conn, id, r.org_id, &before, &advanced, &mut c).await?;
    if state == was && c.0.is_empty() {
        return Ok(());
    }
    c.diff("state", &was.as_str(), &state.as_str());
    let mut set = vec![
        Set::to("state", Arg::Text(state.as_str().to_owned())),
        Set::to(
            "state_category",
            Arg::Text(state.category().as_str().to_owned()),
        ),
    ];
    let (resolved, closed) = match state.category() {
        StateCategory::Closed => (Some(now), Some(now)),
        StateCategory::Cancelled => (None, Some(now)),
        _ => (None, None),
    };
    if state != was {
        set.push(Set::to("resolved_at", Arg::OptI64(resolved)));
        set.push(Set::to("closed_at", Arg::OptI64(closed)));
    }
    let written = records::change(conn, id, None, set, now).await?;
    written
        .audit(
            conn,
            Entry {
                actor,
                org_id: Some(r.org_id),
                record_type: "request",
                record_number: &r.number,
                action,
                changes: &c,
            },
        )
        .await
}

async fn set_task_state(
    conn: &mut Conn,
    actor: &AuditActor,
    org_id: i64,
    t: &mut TaskRow,
    to: TaskState,
    because: &str,
    now: i64,
) -> Result<()> {
    let mut c = Changes::default();
    c.diff("state", &t.state.get().as_str(), &to.as_str());
    c.set("because", &because);
    let closed = to.is_final().then_some(now);
    let resolved = (to == TaskState::Done).then_some(now);
    let written = records::change(
        conn,
        t.id,
        Some(t.version),
        vec![
            Set::to("state", Arg::Text(to.as_str().to_owned())),
            Set::to(
                "state_category",
                Arg::Text(to.category().as_str().to_owned()),
            ),
            Set::to("resolved_at", Arg::OptI64(resolved)),
            Set::to("closed_at", Arg::OptI64(closed)),
        ],
        now,
    )
    .await?;
    written
        .audit(
            conn,
            Entry {
                actor,
                org_id: Some(org_id),
                record_type: "task",
                record_number: &t.number,
                action: to.as_str(),
                changes: &c,
            },
        )
        .await?;
    t.state = crate::Code(to);
    t.version += 1;
    Ok(())
}

/// A step on the task `number` (start, complete, cancel) with its note,
/// then its request settled, in one transaction.
pub async fn task_step(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &'static str,
    note: Option<String>,
    terms: &SlaTerms,
) -> Result<Task> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    // The request first, then the task, in the order every change to a
    // request takes them (`change` locks the request, then settles its
    // tasks): two tasks finishing at once settle one after the other.
    let request: String = sqlx::query_scalar(
        "SELECT rq.number FROM work_records r JOIN task_details t ON t.record_id = r.id \
         JOIN work_records rq ON rq.id = t.request_id WHERE r.number = $1 AND r.kind = 'task'",
    )
    .bind(number)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    records::lock(&mut tx, "request", &request, None).await?;
    let id = records::lock(&mut tx, "task", number, None).await?;
    let t: Task = sqlx::query_as(select_task!(" AND r.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if expected_version.is_some_and(|v| v != t.version) {
        return Err(StoreError::Stale);
    }
    let to = request::task_step(t.state(), action)?;
    let mut c = Changes::default();
    c.diff("state", &t.state().as_str(), &to.as_str());
    c.diff("note", &t.note, &note);
    let closed = to.is_final().then_some(now);
    let resolved = (to == TaskState::Done).then_some(now);
    let written = records::change(
        &mut tx,
        id,
        Some(t.version),
        vec![
            Set::to("state", Arg::Text(to.as_str().to_owned())),
            Set::to(
                "state_category",
                Arg::Text(to.category().as_str().to_owned()),
            ),
            Set::to("resolved_at", Arg::OptI64(resolved)),
            Set::to("closed_at", Arg::OptI64(closed)),
        ],
        now,
    )
    .await?;
    super::write::own_row(
        &mut tx,
        &written,
        "task_details",
        id,
        &["note"],
        vec![Arg::OptText(note.clone().or(t.note.clone()))],
    )
    .await?;
    written
        .audit(
            &mut tx,
            Entry {
                actor,
                org_id: Some(t.org_id),
                record_type: "task",
                record_number: number,
                action,
                changes: &c,
            },
        )
        .await?;
    settle(
        &mut tx,
        actor,
        t.request_id,
        &format!("task_{action}"),
        None,
        terms,
        now,
    )
    .await?;
    let after: Task = sqlx::query_as(select_task!(" AND r.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Requests an approver may decide now: pending approvals asking them, or a
/// group they belong to, on requests they did not raise (newest first).
pub async fn awaiting(p: &Pools, user_id: i64, limit: i64) -> Result<Vec<Request>> {
    Ok(sqlx::query_as(select!(
        " AND r.state = 'awaiting_approval' AND (r.requester_id IS NULL OR r.requester_id <> $1) \
         AND EXISTS (SELECT 1 FROM request_approvals a WHERE a.record_id = r.id \
         AND a.decision = 'pending' AND (a.user_id = $1 OR a.group_id IN \
         (SELECT m.group_id FROM group_members m WHERE m.user_id = $1))) \
         ORDER BY r.opened_at DESC, r.id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(p.read())
    .await?)
}

/// The manager of `user_id`, whom "the requester's manager" asks.
pub async fn user_manager(p: &Pools, user_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT manager_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(p.read())
            .await?
            .flatten(),
    )
}

/// Names `manager_id` (or nobody) as the manager of `user_id`, audited.
pub async fn set_user_manager(
    p: &Pools,
    actor: &AuditActor,
    user_id: i64,
    manager_id: Option<i64>,
) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (email, was): (String, Option<i64>) =
        sqlx::query_as("SELECT email, manager_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    if was == manager_id {
        return Ok(());
    }
    sqlx::query("UPDATE users SET manager_id = $1 WHERE id = $2")
        .bind(manager_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let mut c = Changes::default();
    c.diff("manager_id", &was, &manager_id);
    append(&mut tx, actor, None, "user", &email, "update", &c, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Whom the pending approvals of the request `record_id` ask: the manager
/// named, or each active member of the group, never the requester.
pub async fn approvers_to_ask(p: &Pools, record_id: i64) -> Result<Vec<ApprovalAsk>> {
    Ok(sqlx::query_as(
        "SELECT a.id AS approval_id, u.id AS user_id, u.email, u.name \
         FROM request_approvals a JOIN work_records r ON r.id = a.record_id \
         JOIN users u ON u.id = a.user_id \
         WHERE a.record_id = $1 AND a.decision = 'pending' AND u.active \
         AND (r.requester_id IS NULL OR u.id <> r.requester_id) \
         UNION ALL \
         SELECT a.id, u.id, u.email, u.name \
         FROM request_approvals a JOIN work_records r ON r.id = a.record_id \
         JOIN group_members m ON m.group_id = a.group_id JOIN users u ON u.id = m.user_id \
         WHERE a.record_id = $1 AND a.decision = 'pending' AND a.user_id IS NULL AND u.active \
         AND (r.requester_id IS NULL OR u.id <> r.requester_id) \
         ORDER BY 1, 2",
    )
    .bind(record_id)
    .fetch_all(p.read())
    .await?)
}

/// Keeps mailed links: (token hash, approval, user, expiry).
pub async fn add_approval_links(p: &Pools, links: &[(String, i64, i64, i64)]) -> Result<()> {
    let mut tx = p.begin().await?;
    for (hash, approval, user, expires) in links {
        sqlx::query(
            "INSERT INTO approval_links (token_hash, approval_id, user_id, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(approval)
        .bind(user)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The mailed link whose token hashes to `hash`, if there is one.
pub async fn approval_link(p: &Pools, hash: &str) -> Result<Option<ApprovalLink>> {
    Ok(sqlx::query_as(
        "SELECT l.approval_id, l.user_id, l.expires_at, r.number FROM approval_links l \
         JOIN request_approvals a ON a.id = l.approval_id \
         JOIN work_records r ON r.id = a.record_id WHERE l.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(p.read())
    .await?)
}
