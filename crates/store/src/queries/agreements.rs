//! Service and operational level agreements, with the services they cover.

use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;

use super::super::{Conn, Pools, dialect};
use super::Arg;
use super::audit::append;
use super::write::{self, Entry, Row, Set};
use crate::{Agreement, AgreementFields, AuditActor, Result, StoreError, now_ms};

const SELECT: &str = "SELECT a.id, a.number, a.kind, a.title, a.org_id, o.name AS org_name, \
    a.group_id, g.name AS group_name, a.calendar_id, c.name AS calendar_name, a.valid_from, \
    a.valid_to, a.status, a.owner_id, u.email AS owner_email, a.review_on, a.warn_percent, \
    a.targets, a.created_at, a.updated_at, a.version \
    FROM agreements a JOIN calendars c ON c.id = a.calendar_id \
    LEFT JOIN organisations o ON o.id = a.org_id \
    LEFT JOIN assignment_groups g ON g.id = a.group_id \
    LEFT JOIN users u ON u.id = a.owner_id";

async fn services_of<'c, E>(executor: E, ids: &[i64]) -> Result<Vec<(i64, String, i64)>>
where
    E: sqlx::Executor<'c, Database = super::super::Db>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::Sql::new(
        "SELECT x.agreement_id, s.number, s.id FROM agreement_services x \
         JOIN services s ON s.id = x.service_id WHERE x.agreement_id IN (",
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.arg(super::Arg::I64(*id));
    }
    q.push(") ORDER BY s.number");
    q.fetch_all(executor).await
}

async fn with_services<'c, E>(executor: E, mut list: Vec<Agreement>) -> Result<Vec<Agreement>>
where
    E: sqlx::Executor<'c, Database = super::super::Db>,
{
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let services = services_of(executor, &ids).await?;
    for a in list.iter_mut() {
        a.services = services
            .iter()
            .filter(|(id, _, _)| *id == a.id)
            .map(|(_, n, sid)| (*sid, n.clone()))
            .collect();
    }
    Ok(list)
}

async fn load(conn: &mut Conn, id: i64) -> Result<Agreement> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let a: Agreement = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let mut list = with_services(&mut *conn, vec![a]).await?;
    list.pop().ok_or(StoreError::NotFound)
}

async fn write_services(conn: &mut Conn, id: i64, service_ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM agreement_services WHERE agreement_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for s in service_ids {
        sqlx::query(
            "INSERT INTO agreement_services (agreement_id, service_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(s)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn changes(before: Option<&AgreementFields>, f: &AgreementFields) -> Changes {
    let mut c = Changes::default();
    let b = before.cloned().unwrap_or_default();
    c.diff("title", &b.title, &f.title);
    c.diff("org_id", &b.org_id, &f.org_id);
    c.diff("group_id", &b.group_id, &f.group_id);
    c.diff("calendar_id", &b.calendar_id, &f.calendar_id);
    c.diff("valid_from", &b.valid_from, &f.valid_from);
    c.diff("valid_to", &b.valid_to, &f.valid_to);
    c.diff("status", &b.status, &f.status);
    c.diff("owner_id", &b.owner_id, &f.owner_id);
    c.diff("review_on", &b.review_on, &f.review_on);
    c.diff("warn_percent", &b.warn_percent, &f.warn_percent);
    c.diff("targets", &b.targets, &f.targets);
    c.diff("service_ids", &b.service_ids, &f.service_ids);
    c
}

pub async fn create(p: &Pools, actor: &AuditActor, f: &AgreementFields) -> Result<Agreement> {
    let now = now_ms();
    let kind = if f.kind == "ola" {
        NumberKind::Ola
    } else {
        NumberKind::Sla
    };
    let mut tx = p.begin().await?;
    let number = kind.format(dialect::next_number(&mut tx, kind).await?);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreements (number, kind, title, org_id, group_id, calendar_id, valid_from, \
         valid_to, status, owner_id, review_on, warn_percent, targets, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&number)
    .bind(&f.kind)
    .bind(&f.title)
    .bind(f.org_id)
    .bind(f.group_id)
    .bind(f.calendar_id)
    .bind(&f.valid_from)
    .bind(&f.valid_to)
    .bind(&f.status)
    .bind(f.owner_id)
    .bind(&f.review_on)
    .bind(f.warn_percent)
    .bind(&f.targets)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    write_services(&mut tx, id, &f.service_ids).await?;
    let c = changes(None, f);
    append(
        &mut tx,
        actor,
        f.org_id,
        "agreement",
        &number,
        "create",
        &c,
        now,
    )
    .await?;
    let a = load(&mut tx, id).await?;
    recompute_later(&mut tx, &a.number, now).await?;
    tx.commit().await?;
    Ok(a)
}

pub async fn get(p: &Pools, number: &str) -> Result<Agreement> {
    let sql = format!("{SELECT} WHERE a.number = $1");
    let a: Agreement = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut list = with_services(p.read(), vec![a]).await?;
    list.pop().ok_or(StoreError::NotFound)
}

/// Every agreement in number order (agreements are few: tens to hundreds).
pub async fn list(p: &Pools) -> Result<Vec<Agreement>> {
    let sql = format!("{SELECT} ORDER BY a.kind DESC, a.number");
    let list: Vec<Agreement> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(p.read())
        .await?;
    with_services(p.read(), list).await
}

pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    f: &AgreementFields,
) -> Result<Agreement> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let lock = format!(
        "SELECT id FROM agreements WHERE number = $1{}",
        dialect::FOR_UPDATE
    );
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(lock))
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = load(&mut tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let c = changes(Some(&before.fields()), f);
    if c.is_empty() {
        return Ok(before);
    }
    let set = vec![
        Set::to("title", Arg::Text(f.title.clone())),
        Set::to("org_id", Arg::OptI64(f.org_id)),
        Set::to("group_id", Arg::OptI64(f.group_id)),
        Set::to("calendar_id", Arg::I64(f.calendar_id)),
        Set::to("valid_from", Arg::Text(f.valid_from.clone())),
        Set::to("valid_to", Arg::OptText(f.valid_to.clone())),
        Set::to("status", Arg::Text(f.status.clone())),
        Set::to("owner_id", Arg::OptI64(f.owner_id)),
        Set::to("review_on", Arg::OptText(f.review_on.clone())),
        Set::to("warn_percent", Arg::I64(f.warn_percent)),
        Set::to("targets", Arg::Text(f.targets.clone())),
    ];
    let entry = Entry {
        actor,
        org_id: f.org_id,
        record_type: "agreement",
        record_number: number,
        action: "update",
        changes: &c,
    };
    let row = Row::id("agreements", id);
    write::apply(&mut tx, row, Some(before.version), set, now, entry).await?;
    write_services(&mut tx, id, &f.service_ids).await?;
    let a = load(&mut tx, id).await?;
    recompute_later(&mut tx, &a.number, now).await?;
    tx.commit().await?;
    Ok(a)
}

/// Queues the job that brings open incidents' clocks to the changed terms,
/// in the transaction of the change.
pub(crate) async fn recompute_later(conn: &mut Conn, what: &str, now: i64) -> Result<()> {
    let mut job = crate::NewJob::new("sla_recompute", &serde_json::json!({ "changed": what }));
    // After the other processes' cached terms have expired (`ttl_cache::TTL`),
    // so that none of them writes a clock with the old terms after it ran.
    job.run_at = Some(now + crate::ttl_cache::TTL.as_millis() as i64 + 1_000);
    super::jobs::enqueue(conn, &job, now).await
}
