//! Assignment groups and their members.

use steward_domain::audit::Changes;

use super::super::{Conn, Pools};
use super::audit::append;
use crate::{
    AssignmentGroup, AuditActor, GroupFields, GroupMember, Result, StoreError, now_ms, on_unique,
};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT g.id, g.name, g.description, \
             (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members, \
             g.manager_id, mu.name AS manager_name \
             FROM assignment_groups g LEFT JOIN users mu ON mu.id = g.manager_id",
            $tail
        )
    };
}

/// Creates a group with its manager and members in one transaction.
pub async fn create(p: &Pools, actor: &AuditActor, f: &GroupFields) -> Result<AssignmentGroup> {
    let (name, description, member_ids) = (&f.name, &f.description, &f.member_ids);
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assignment_groups (name, description, manager_id, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(description)
    .bind(f.manager_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "a group with this name already exists"))?;
    set_members(&mut tx, id, member_ids).await?;
    let mut c = Changes::default();
    c.set("name", &name);
    c.set("description", &description);
    c.set("manager_id", &f.manager_id);
    c.set("members", member_ids);
    append(&mut tx, actor, None, "group", name, "create", &c, now).await?;
    let g = sqlx::query_as(select!(" WHERE g.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(g)
}

/// Changes a group's name, description, manager and members (replaced as
/// a whole) in one audited transaction.
pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    id: i64,
    f: &GroupFields,
) -> Result<AssignmentGroup> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let before: AssignmentGroup = sqlx::query_as(select!(" WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let members_before = member_ids(&mut tx, id).await?;
    set_members(&mut tx, id, &f.member_ids).await?;
    let members_after = member_ids(&mut tx, id).await?;
    let mut c = Changes::default();
    c.diff("name", &before.name, &f.name);
    c.diff("description", &before.description, &f.description);
    c.diff("manager_id", &before.manager_id, &f.manager_id);
    c.diff("members", &members_before, &members_after);
    if c.is_empty() {
        return Ok(before);
    }
    sqlx::query(
        "UPDATE assignment_groups SET name = $1, description = $2, manager_id = $3 WHERE id = $4",
    )
    .bind(&f.name)
    .bind(&f.description)
    .bind(f.manager_id)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "a group with this name already exists"))?;
    append(&mut tx, actor, None, "group", &f.name, "update", &c, now).await?;
    let g = sqlx::query_as(select!(" WHERE g.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(g)
}

/// Replaces a group's members.
async fn set_members(conn: &mut Conn, group_id: i64, user_ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    for m in user_ids {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group_id)
        .bind(m)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn member_ids(conn: &mut Conn, group_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar(
            "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id",
        )
        .bind(group_id)
        .fetch_all(conn)
        .await?,
    )
}

pub async fn by_id(p: &Pools, id: i64) -> Result<AssignmentGroup> {
    sqlx::query_as(select!(" WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// A group's members, by name.
pub async fn members(p: &Pools, group_id: i64) -> Result<Vec<GroupMember>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.active FROM group_members m JOIN users u ON u.id = m.user_id \
         WHERE m.group_id = $1 ORDER BY lower(u.name), u.id",
    )
    .bind(group_id)
    .fetch_all(p.read())
    .await?)
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
