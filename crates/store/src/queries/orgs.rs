//! Organisations: the provider and its customers.

use steward_domain::audit::Changes;

use super::super::Pools;
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
