//! Business calendars: stored as their checked spec (JSON).

use steward_domain::audit::Changes;

use super::super::Pools;
use super::Arg;
use super::audit::append;
use super::write::{self, Entry, Row, Set};
use crate::{AuditActor, Result, StoreError, StoredCalendar, now_ms, on_unique};

const SELECT: &str =
    "SELECT id, name, time_zone, spec, created_at, updated_at, version FROM calendars";

pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    name: &str,
    time_zone: &str,
    spec: &str,
) -> Result<StoredCalendar> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO calendars (name, time_zone, spec, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(time_zone)
    .bind(spec)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "a calendar with this name already exists"))?;
    let mut c = Changes::default();
    c.set("name", &name);
    c.set("time_zone", &time_zone);
    c.set("spec", &spec);
    append(
        &mut tx,
        actor,
        None,
        "calendar",
        &id.to_string(),
        "create",
        &c,
        now,
    )
    .await?;
    let sql = format!("{SELECT} WHERE id = $1");
    let out = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn get(p: &Pools, id: i64) -> Result<StoredCalendar> {
    let sql = format!("{SELECT} WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(p: &Pools) -> Result<Vec<StoredCalendar>> {
    let sql = format!("{SELECT} ORDER BY lower(name), id");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(p.read())
        .await?)
}

/// Replaces a calendar's spec; `expected_version` guards against lost updates.
pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    id: i64,
    expected_version: Option<i64>,
    name: &str,
    time_zone: &str,
    spec: &str,
) -> Result<StoredCalendar> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let sql = format!(
        "{SELECT} WHERE id = $1{}",
        super::super::dialect::FOR_UPDATE
    );
    let before: StoredCalendar = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let mut c = Changes::default();
    c.diff("name", &before.name, &name.to_owned());
    c.diff("time_zone", &before.time_zone, &time_zone.to_owned());
    c.diff("spec", &before.spec, &spec.to_owned());
    if c.is_empty() {
        return Ok(before);
    }
    let set = vec![
        Set::to("name", Arg::Text(name.to_owned())),
        Set::to("time_zone", Arg::Text(time_zone.to_owned())),
        Set::to("spec", Arg::Text(spec.to_owned())),
    ];
    let key = id.to_string();
    let entry = Entry {
        actor,
        org_id: None,
        record_type: "calendar",
        record_number: &key,
        action: "update",
        changes: &c,
    };
    write::apply(
        &mut tx,
        Row::id("calendars", id),
        Some(before.version),
        set,
        now,
        entry,
    )
    .await
    .map_err(|e| match e {
        StoreError::Database(e) => on_unique(e, "a calendar with this name already exists"),
        other => other,
    })?;
    let sql = format!("{SELECT} WHERE id = $1");
    let out = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    super::agreements::recompute_later(&mut tx, &format!("calendar {id}"), now).await?;
    tx.commit().await?;
    Ok(out)
}
