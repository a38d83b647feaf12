//! Organisations: the provider and its customers.

use steward_domain::audit::Changes;

use super::super::{Conn, Pools};
use super::audit::append;
use crate::{AuditActor, Organisation, Result, StoreError, now_ms, on_unique};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, kind, time_zone, created_at FROM organisations",
            $tail
        )
    };
}

pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    name: &str,
    kind: &str,
    time_zone: &str,
) -> Result<Organisation> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    if kind == "provider" {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE kind = 'provider'")
                .fetch_optional(&mut *tx)
                .await?;
        if existing.is_some() {
            return Err(StoreError::Conflict(
                "the provider organisation already exists".into(),
            ));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (name, kind, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(kind)
    .bind(time_zone)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "an organisation with this name already exists"))?;
    let mut c = Changes::default();
    c.set("name", &name);
    c.set("kind", &kind);
    c.set("time_zone", &time_zone);
    append(
        &mut tx,
        actor,
        Some(id),
        "organisation",
        name,
        "create",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    by_id(p, id).await
}

pub async fn by_id(p: &Pools, id: i64) -> Result<Organisation> {
    sqlx::query_as(select!(" WHERE id = $1"))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_name(p: &Pools, name: &str) -> Result<Organisation> {
    sqlx::query_as(select!(" WHERE lower(name) = lower($1)"))
        .bind(name)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn provider(p: &Pools) -> Result<Option<Organisation>> {
    Ok(sqlx::query_as(select!(" WHERE kind = 'provider'"))
        .fetch_optional(p.read())
        .await?)
}

pub async fn list(p: &Pools) -> Result<Vec<Organisation>> {
    Ok(sqlx::query_as(select!(" ORDER BY kind DESC, lower(name)"))
        .fetch_all(p.read())
        .await?)
}

/// Renames an organisation, sets its time zone and, for a customer, the
/// services it receives (`None` leaves them), in one audited transaction.
pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    id: i64,
    name: &str,
    time_zone: &str,
    service_ids: Option<&[i64]>,
) -> Result<Organisation> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let before: Organisation = sqlx::query_as(select!(" WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let services_before = received(&mut tx, id).await?;
    if let Some(ids) = service_ids {
        sqlx::query("DELETE FROM service_customers WHERE org_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for s in ids {
            sqlx::query(
                "INSERT INTO service_customers (service_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(s)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let services_after = received(&mut tx, id).await?;
    let mut c = Changes::default();
    c.diff("name", &before.name.as_str(), &name);
    c.diff("time_zone", &before.time_zone.as_str(), &time_zone);
    c.diff("services", &services_before, &services_after);
    if c.is_empty() {
        return Ok(before);
    }
    sqlx::query("UPDATE organisations SET name = $1, time_zone = $2 WHERE id = $3")
        .bind(name)
        .bind(time_zone)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "an organisation with this name already exists"))?;
    append(
        &mut tx,
        actor,
        Some(id),
        "organisation",
        name,
        "update",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    by_id(p, id).await
}

/// The numbers of the services an organisation receives.
async fn received(conn: &mut Conn, org_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT s.number FROM service_customers sc JOIN services s ON s.id = sc.service_id \
         WHERE sc.org_id = $1 ORDER BY s.number",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?)
}
