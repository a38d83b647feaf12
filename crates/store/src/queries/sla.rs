//! SLA clocks of incidents: their rows, their closed intervals, and the sweep
//! that marks warnings and breaches and queues their jobs. What the clocks do
//! is decided by `steward_domain::sla`; this module only keeps it.

use steward_domain::UtcMillis;
use steward_domain::audit::Changes;
use steward_domain::sla::{self, Advance, Crossed, NEVER, SlaClock};

use super::super::{Conn, Pools, dialect};
use super::audit::append;
use super::jobs;
use crate::{AuditActor, ClockIntervalRow, ClockRow, Fired, NewJob, Result};

pub(crate) const CLOCK_COLUMNS: &[&str] = &[
    "kind",
    "group_id",
    "org_id",
    "agreement",
    "calendar_id",
    "priority",
    "target_minutes",
    "warn_percent",
    "status",
    "elapsed_ms",
    "running_since",
    "due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "stopped_at",
    "next_at",
];

const SELECT: &str = "SELECT record_id, kind, group_id, agreement, calendar_id, priority, target_minutes, \
     warn_percent, status, elapsed_ms, running_since, due_at, warn_at, warned_at, breached_at, \
     stopped_at, breach_reason FROM sla_clocks";

/// The values of [`CLOCK_COLUMNS`] for one clock.
pub(crate) fn clock_args(org_id: i64, c: &SlaClock) -> Vec<super::Arg> {
    use super::Arg::*;
    vec![
        Text(c.kind.as_str().to_owned()),
        I64(c.group.unwrap_or(0)),
        I64(org_id),
        Text(c.agreement.clone()),
        I64(c.calendar_id),
        I64(i64::from(c.priority)),
        I64(c.target_minutes),
        I64(c.warn_percent),
        Text(c.status.as_str().to_owned()),
        I64(c.elapsed_ms),
        OptI64(c.running_since),
        OptI64(c.due_at),
        OptI64(c.warn_at),
        OptI64(c.warned_at),
        OptI64(c.breached_at),
        OptI64(c.stopped_at),
        OptI64(c.next_at()),
    ]
}

pub(crate) const INTERVAL_COLUMNS: &[&str] = &[
    "kind",
    "group_id",
    "started_at",
    "ended_at",
    "business_ms",
    "ended_by",
];

/// The values of [`INTERVAL_COLUMNS`] for one closed interval.
pub(crate) fn interval_args(i: &sla::ClockInterval) -> Vec<super::Arg> {
    use super::Arg::*;
    vec![
        Text(i.kind.as_str().to_owned()),
        I64(i.group.unwrap_or(0)),
        I64(i.started_at),
        I64(i.ended_at),
        I64(i.business_ms),
        Text(i.ended_by.clone()),
    ]
}

/// The nearest due time of a running SLA clock, or [`NEVER`] (the queue is
/// sorted by the customer's time left, not a group's).
pub(crate) fn due_of(clocks: &[SlaClock]) -> UtcMillis {
    clocks
        .iter()
        .filter(|c| c.status == sla::ClockStatus::Running && c.group.is_none())
        .filter_map(|c| c.due_at)
        .min()
        .unwrap_or(NEVER)
}

pub async fn clocks_of<'c, E>(executor: E, record_id: i64) -> Result<Vec<SlaClock>>
where
    E: sqlx::Executor<'c, Database = super::super::Db>,
{
    Ok(rows_of(executor, record_id)
        .await?
        .into_iter()
        .map(ClockRow::into_clock)
        .collect())
}

async fn rows_of<'c, E>(executor: E, record_id: i64) -> Result<Vec<ClockRow>>
where
    E: sqlx::Executor<'c, Database = super::super::Db>,
{
    let sql = format!("{SELECT} WHERE record_id = $1 ORDER BY group_id, kind");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .fetch_all(executor)
        .await?)
}

/// An incident's clocks as stored (with the recorded breach reasons), for reading.
pub async fn clocks(p: &Pools, record_id: i64) -> Result<Vec<ClockRow>> {
    rows_of(p.read(), record_id).await
}

/// Records why a breached clock missed its target, in the incident's history.
pub async fn set_breach_reason(
    p: &Pools,
    actor: &AuditActor,
    record_id: i64,
    kind: sla::ClockKind,
    reason: &str,
) -> Result<()> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let row: Option<(String, i64, Option<i64>, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT i.number, i.org_id, c.breached_at, c.breach_reason FROM sla_clocks c \
             JOIN work_records i ON i.id = c.record_id \
             WHERE c.record_id = $1 AND c.kind = $2 AND c.group_id = 0{}",
            dialect::FOR_UPDATE
        )))
        .bind(record_id)
        .bind(kind.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let Some((number, org_id, breached_at, before)) = row else {
        return Err(crate::StoreError::Conflict(format!(
            "this incident has no {} clock: no agreement applies to it",
            kind.as_str()
        )));
    };
    if breached_at.is_none() {
        return Err(crate::StoreError::Conflict(format!(
            "the {} clock is not breached: there is no breach to explain",
            kind.as_str()
        )));
    }
    if before.as_deref() == Some(reason) {
        return Ok(());
    }
    sqlx::query(
        "UPDATE sla_clocks SET breach_reason = $1 WHERE record_id = $2 AND kind = $3 \
         AND group_id = 0",
    )
    .bind(reason)
    .bind(record_id)
    .bind(kind.as_str())
    .execute(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.diff(
        &format!("{}_breach_reason", kind.as_str()),
        &before.unwrap_or_default(),
        &reason.to_owned(),
    );
    append(
        &mut tx,
        actor,
        Some(org_id),
        "incident",
        &number,
        "sla_breach_reason",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An incident's closed intervals, oldest first.
pub async fn intervals(p: &Pools, record_id: i64) -> Result<Vec<ClockIntervalRow>> {
    Ok(sqlx::query_as(
        "SELECT kind, group_id, started_at, ended_at, business_ms, ended_by FROM sla_intervals \
         WHERE record_id = $1 ORDER BY id",
    )
    .bind(record_id)
    .fetch_all(p.read())
    .await?)
}

/// Writes what [`sla::advance`] decided: changed clocks, closed intervals,
/// the incident's nearest due time; and names the changes in `changes`.
pub(crate) async fn save(
    conn: &mut Conn,
    record_id: i64,
    org_id: i64,
    before: &[SlaClock],
    a: &Advance,
    changes: &mut Changes,
) -> Result<()> {
    for c in &a.clocks {
        if before.contains(c) {
            continue;
        }
        let mut cols = vec!["record_id"];
        cols.extend_from_slice(CLOCK_COLUMNS);
        let mut q = super::Sql::new(&format!(
            "INSERT INTO sla_clocks ({}) VALUES (",
            cols.join(", ")
        ));
        q.arg(super::Arg::I64(record_id));
        for v in clock_args(org_id, c) {
            q.push(", ").arg(v);
        }
        q.push(") ON CONFLICT (record_id, kind, group_id) DO UPDATE SET ");
        let sets: Vec<String> = CLOCK_COLUMNS[2..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        q.push(&sets.join(", "));
        q.execute(&mut *conn).await?;
    }
    for i in &a.intervals {
        let mut q = super::Sql::new("INSERT INTO sla_intervals (record_id, ");
        q.push(&INTERVAL_COLUMNS.join(", "))
            .push(") VALUES (")
            .arg(super::Arg::I64(record_id));
        for v in interval_args(i) {
            q.push(", ").arg(v);
        }
        q.push(")");
        q.execute(&mut *conn).await?;
    }
    let (old_due, new_due) = (due_of(before), due_of(&a.clocks));
    if old_due != new_due {
        sqlx::query("UPDATE work_records SET sla_due_at = $1 WHERE id = $2")
            .bind(new_due)
            .bind(record_id)
            .execute(&mut *conn)
            .await?;
    }
    for (field, was, now) in &a.changes {
        changes.diff(field, was, now);
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SweepRow {
    number: String,
    record_kind: String,
    impact: i64,
    urgency: i64,
    #[sqlx(flatten)]
    clock: ClockRow,
    org_id: i64,
}

/// Marks every running clock whose warning point or due time has come by
/// `now` (at most `limit`), each once, with an audit entry on the incident and
/// a job per crossing, all in one transaction. Concurrent sweeps in other
/// processes skip the rows this one holds (PostgreSQL), or wait for the single
/// writer (SQLite); a mark is never made twice because it is part of the row.
pub async fn sweep(
    p: &Pools,
    now: UtcMillis,
    limit: i64,
    job_for: impl Fn(&Fired) -> Vec<NewJob>,
) -> Result<Vec<Fired>> {
    let mut tx = p.begin().await?;
    let sql = format!(
        "SELECT i.number, i.kind AS record_kind, i.org_id, i.impact, i.urgency, c.record_id, c.kind, c.group_id, c.agreement, c.calendar_id, c.priority, \
         c.target_minutes, c.warn_percent, c.status, c.elapsed_ms, c.running_since, c.due_at, \
         c.warn_at, c.warned_at, c.breached_at, c.stopped_at, c.breach_reason \
         FROM sla_clocks c JOIN work_records i ON i.id = c.record_id \
         WHERE c.next_at IS NOT NULL AND c.next_at <= $1 ORDER BY c.next_at LIMIT $2{}",
        dialect::SKIP_LOCKED
    );
    let rows: Vec<SweepRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    // Crossings whose moment came before the sweep last caught up are old
    // news (clocks overdue before an upgrade): marked without a notification.
    let caught_up: Option<i64> =
        sqlx::query_scalar("SELECT at FROM sweep_marks WHERE name = 'sla'")
            .fetch_optional(&mut *tx)
            .await?;
    let full = rows.len() as i64 >= limit;
    let mut fired = Vec::new();
    let actor = AuditActor::system("SLA clock");
    for row in rows {
        let record_id = row.clock.record_id;
        let mut clock = row.clock.into_clock();
        let crossed = sla::fire(&mut clock, now);
        sqlx::query(
            "UPDATE sla_clocks SET warned_at = $1, breached_at = $2, next_at = $3 \
             WHERE record_id = $4 AND kind = $5 AND group_id = $6",
        )
        .bind(clock.warned_at)
        .bind(clock.breached_at)
        .bind(clock.next_at())
        .bind(record_id)
        .bind(clock.kind.as_str())
        .bind(clock.group.unwrap_or(0))
        .execute(&mut *tx)
        .await?;
        // An OLA clock's crossings are named as the group's.
        let prefix = if clock.group.is_some() { "ola_" } else { "" };
        for x in crossed {
            let moment = match x {
                Crossed::Warning => clock.warn_at,
                Crossed::Breach => clock.due_at,
            };
            let f = Fired {
                record_id,
                kind: row.record_kind.clone(),
                number: row.number.clone(),
                due_at: clock.due_at,
                clock: clock.kind,
                group: clock.group,
                crossed: x,
                priority: clock.priority,
                impact: row.impact,
                urgency: row.urgency,
                stale: caught_up.is_none_or(|c| moment.is_none_or(|m| m < c)),
            };
            let mut c = Changes::default();
            let at = match x {
                Crossed::Warning => clock.warned_at,
                Crossed::Breach => clock.breached_at,
            };
            c.diff(
                &format!("{prefix}{}_{}", clock.kind.as_str(), x.as_str()),
                &String::new(),
                &sla::instant_text(at),
            );
            c.set(
                "agreement",
                &format!("{} P{}", clock.agreement, clock.priority),
            );
            if f.stale {
                c.set("notified", &false);
            }
            append(
                &mut tx,
                &actor,
                Some(row.org_id),
                &row.record_kind,
                &row.number,
                &format!(
                    "{}_{}",
                    if clock.group.is_some() { "ola" } else { "sla" },
                    x.as_str()
                ),
                &c,
                now,
            )
            .await?;
            for job in job_for(&f) {
                jobs::enqueue(&mut tx, &job, now).await?;
            }
            fired.push(f);
        }
    }
    // Caught up: later crossings are news. A full batch leaves the mark where
    // it was, so that every batch of a backlog judges by the same moment.
    if !full {
        sqlx::query(
            "INSERT INTO sweep_marks (name, at) VALUES ('sla', $1) \
             ON CONFLICT (name) DO UPDATE SET at = CASE WHEN excluded.at > sweep_marks.at \
             THEN excluded.at ELSE sweep_marks.at END",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(fired)
}

/// Per month and clock kind: clocks of `agreement` that stopped in the month,
/// how many met their target, and the mean and 90th percentile (nearest rank)
/// of the business time they counted. `months` are (label, start, end) in ms.
/// The counts and the mean come from the daily counts (`rollups`); the 90th
/// percentile of a month that is over is worked out once and kept.
pub async fn report(
    p: &Pools,
    agreement: &str,
    org: Option<i64>,
    months: &[(String, i64, i64)],
) -> Result<Vec<crate::SlaMonthRow>> {
    use super::rollups::{Bounds, ClockCounter, Scope, clock_p90, clocks};
    #[derive(sqlx::FromRow)]
    struct Month {
        month: String,
        s: i64,
        e: i64,
        kind: String,
        stopped: i64,
        met: i64,
        elapsed: i64,
    }
    if months.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::Sql::new("");
    super::months_cte(&mut q, months);
    q.push(", a (agreement, org_id) AS (SELECT CAST(")
        .arg(super::Arg::Text(agreement.to_owned()))
        .push(" AS TEXT), CAST(")
        .arg(super::Arg::I64(org.unwrap_or(0)))
        .push(" AS BIGINT)), kd (kind) AS (VALUES ('response'), ('resolution'))");
    let b = Bounds {
        s: "m.s",
        e: "m.e",
        fs: "m.fs",
        fe: "m.fe",
    };
    let scope = Scope {
        org: org.map(|_| "a.org_id"),
        agreement: Some("a.agreement"),
        clock: Some("kd.kind"),
    };
    q.push(&format!(
        " SELECT m.label AS month, m.s, m.e, kd.kind, {} AS stopped, {} AS met, {} AS elapsed \
         FROM m CROSS JOIN a CROSS JOIN kd ORDER BY m.label, kd.kind",
        clocks(ClockCounter::Stopped, scope, b),
        clocks(ClockCounter::Met, scope, b),
        clocks(ClockCounter::ElapsedMs, scope, b),
    ));
    let rows: Vec<Month> = q.fetch_all(p.read()).await?;
    let mut out = Vec::new();
    for r in rows.into_iter().filter(|r| r.stopped > 0) {
        let p90_ms = clock_p90(p, agreement, org, &r.kind, (r.s, r.e), r.stopped).await?;
        out.push(crate::SlaMonthRow {
            month: r.month,
            kind: r.kind,
            stopped: r.stopped,
            met: r.met,
            mean_ms: Some(r.elapsed / r.stopped),
            p90_ms,
        });
    }
    Ok(out)
}

/// Clocks of `agreement` breached in `[from, to)` (incidents not cancelled),
/// newest first, with their incidents.
pub async fn breaches(
    p: &Pools,
    agreement: &str,
    org: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<crate::SlaBreachRow>> {
    Ok(sqlx::query_as(
        "SELECT i.number, i.title, c.kind, c.priority, c.status, c.breached_at, c.elapsed_ms, \
         c.target_minutes, c.breach_reason FROM sla_clocks c \
         JOIN work_records i ON i.id = c.record_id \
         WHERE c.agreement = $1 AND c.breached_at >= $2 AND c.breached_at < $3 \
         AND c.status <> 'cancelled' AND ($5 IS NULL OR c.org_id = $5) \
         ORDER BY c.breached_at DESC, i.id DESC LIMIT $4",
    )
    .bind(agreement)
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(org)
    .fetch_all(p.read())
    .await?)
}

/// Brings the clocks of the next 500 open incidents after id `after` and up
/// to id `until` to `terms` (after a calendar or agreement changed), in one
/// transaction; each incident whose clocks changed gets a history entry naming
/// the change. Without `until` the walk ends at the newest incident of now:
/// those created later already have the new terms. Returns how many changed
/// and where to go on from (`None`: done).
pub async fn recompute_batch(
    p: &Pools,
    terms: &sla::SlaTerms,
    after: i64,
    until: Option<i64>,
) -> Result<(u64, Option<(i64, i64)>)> {
    let actor = AuditActor::system("SLA clock");
    let now = crate::now_ms();
    let mut changed = 0u64;
    {
        let mut tx = p.begin().await?;
        let until = match until {
            Some(u) => u,
            None => {
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM work_records")
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM work_records WHERE kind = 'incident' \
             AND state_category IN ('new', 'active', 'waiting') \
             AND id > $1 AND id <= $2 ORDER BY id LIMIT 500{}",
            dialect::FOR_UPDATE
        )))
        .bind(after)
        .bind(until)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = ids.last().copied() else {
            tx.commit().await?;
            return Ok((0, None));
        };
        let list = |q: &mut super::Sql| {
            for (n, id) in ids.iter().enumerate() {
                if n > 0 {
                    q.push(", ");
                }
                q.arg(super::Arg::I64(*id));
            }
            q.push(")");
        };
        let mut q = super::Sql::new(&format!(
            "{} AND i.id IN (",
            super::incidents::SELECT_INCIDENT
        ));
        list(&mut q);
        let incidents: Vec<crate::Incident> = q.fetch_all(&mut *tx).await?;
        let mut q = super::Sql::new(&format!("{SELECT} WHERE record_id IN ("));
        list(&mut q);
        let rows: Vec<ClockRow> = q.fetch_all(&mut *tx).await?;
        for inc in &incidents {
            let before: Vec<SlaClock> = rows
                .iter()
                .filter(|r| r.record_id == inc.id)
                .map(ClockRow::clock)
                .collect();
            let a = sla::advance(terms, &inc.case_facts(), &before, now);
            if a.clocks.iter().all(|c| before.contains(c)) && a.intervals.is_empty() {
                continue;
            }
            let mut c = Changes::default();
            save(&mut tx, inc.id, inc.org_id, &before, &a, &mut c).await?;
            if !c.is_empty() {
                append(
                    &mut tx,
                    &actor,
                    Some(inc.org_id),
                    "incident",
                    &inc.number,
                    "sla_recompute",
                    &c,
                    now,
                )
                .await?;
            }
            changed += 1;
        }
        tx.commit().await?;
        Ok((changed, Some((last, until))))
    }
}
