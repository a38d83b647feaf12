//! Assignment groups and their members.

use steward_domain::audit::Changes;

use super::super::Pools;
use super::audit::append;
use crate::{AssignmentGroup, AuditActor, Result, StoreError, now_ms, on_unique};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT g.id, g.name, g.description, \
             (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members \
             FROM assignment_groups g",
            $tail
        )
    };
}

/// Creates a group with its members in one transaction.
pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    name: &str,
    description: &str,
    member_ids: &[i64],
) -> Result<AssignmentGroup> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assignment_groups (name, description, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "a group with this name already exists"))?;
    for m in member_ids {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(m)
        .execute(&mut *tx)
        .await?;
    }
    let mut c = Changes::default();
    c.set("name", &name);
    c.set("description", &description);
    c.set("members", &member_ids);
    append(&mut tx, actor, None, "group", name, "create", &c, now).await?;
    let g = sqlx::query_as(select!(" WHERE g.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(g)
}

pub async fn list(p: &Pools) -> Result<Vec<AssignmentGroup>> {
    Ok(sqlx::query_as(select!(" ORDER BY lower(g.name)"))
        .fetch_all(p.read())
        .await?)
}

pub async fn by_name(p: &Pools, name: &str) -> Result<AssignmentGroup> {
    sqlx::query_as(select!(" WHERE lower(g.name) = lower($1)"))
        .bind(name)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn of_user(p: &Pools, user_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id",
    )
    .bind(user_id)
    .fetch_all(p.read())
    .await?)
}

pub async fn is_member(p: &Pools, group_id: i64, user_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2",
    )
    .bind(group_id)
    .bind(user_id)
    .fetch_one(p.read())
    .await?;
    Ok(n > 0)
}
