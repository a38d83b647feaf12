//! Users and their credentials.

use steward_domain::audit::Changes;

use super::super::{Pools, dialect};
use super::audit::append;
use crate::{AuditActor, Credentials, Result, StoreError, User, UserChange, now_ms, on_unique};

macro_rules! select {
    ($tail:literal) => {
        select!("", "", $tail)
    };
    ($columns:literal, $joins:literal, $tail:literal) => {
        concat!(
            "SELECT u.id, u.org_id, o.name AS org_name, o.kind AS org_kind, u.email, u.name, u.role, \
             u.time_zone, o.time_zone AS org_time_zone, u.active, u.created_at, u.updated_at",
            $columns,
            " FROM users u JOIN organisations o ON o.id = u.org_id",
            $joins,
            $tail
        )
    };
}

#[derive(sqlx::FromRow)]
struct TokenOwner {
    #[sqlx(flatten)]
    user: User,
    token_id: i64,
    token_last_used: Option<i64>,
}

/// The active user a live (not revoked) API token belongs to, in one query;
/// records the token's use at most once a minute, so that reads seldom queue for the writer.
pub async fn by_token(p: &Pools, token_hash: &str) -> Result<Option<User>> {
    let row: Option<TokenOwner> = sqlx::query_as(select!(
        ", t.id AS token_id, t.last_used_at AS token_last_used",
        " JOIN api_tokens t ON t.user_id = u.id",
        " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active \
         AND (t.expires_at IS NULL OR t.expires_at > $2)"
    ))
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(p.read())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let now = now_ms();
    if row.token_last_used.is_none_or(|t| now - t > 60_000) {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(row.token_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some(row.user))
}

pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    email: &str,
    name: &str,
    role: &str,
    org_id: i64,
    password_hash: Option<&str>,
) -> Result<User> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (org_id, email, name, role, password_hash, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, "a user with this e-mail already exists"))?;
    let mut c = Changes::default();
    c.set("email", &email);
    c.set("name", &name);
    c.set("role", &role);
    c.set("org_id", &org_id);
    c.set("password", &password_hash.map(|_| "set"));
    append(
        &mut tx,
        actor,
        Some(org_id),
        "user",
        email,
        "create",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    by_id(p, id).await
}

pub async fn by_id(p: &Pools, id: i64) -> Result<User> {
    sqlx::query_as(select!(" WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_email(p: &Pools, email: &str) -> Result<User> {
    sqlx::query_as(select!(" WHERE u.email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn credentials(p: &Pools, email: &str) -> Result<Option<Credentials>> {
    Ok(
        sqlx::query_as("SELECT id AS user_id, password_hash, active FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(p.read())
            .await?,
    )
}

pub async fn list(p: &Pools, org_id: Option<i64>) -> Result<Vec<User>> {
    Ok(sqlx::query_as(select!(
        " WHERE ($1 IS NULL OR u.org_id = $1) ORDER BY lower(u.name), u.id"
    ))
    .bind(org_id)
    .fetch_all(p.read())
    .await?)
}

pub async fn update(p: &Pools, actor: &AuditActor, id: i64, ch: &UserChange) -> Result<User> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    // Lock the row first (PostgreSQL), so that two concurrent changes do not overwrite each other.
    let lock = format!("SELECT id FROM users WHERE id = $1{}", dialect::FOR_UPDATE);
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(lock))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before: User = sqlx::query_as(select!(" WHERE u.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let name = ch.name.clone().unwrap_or_else(|| before.name.clone());
    let role = ch.role.clone().unwrap_or_else(|| before.role.to_string());
    let active = ch.active.unwrap_or(before.active);
    let tz = ch
        .time_zone
        .clone()
        .unwrap_or_else(|| before.time_zone.clone());
    let org_id = ch.org_id.unwrap_or(before.org_id);
    let mut c = Changes::default();
    c.diff("name", &before.name, &name);
    c.diff("org_id", &before.org_id, &org_id);
    c.diff("role", &before.role.to_string(), &role);
    c.diff("active", &before.active, &active);
    c.diff("time_zone", &before.time_zone, &tz);
    if ch.password_hash.is_some() {
        c.diff("password", &"unchanged", &"changed");
    }
    if c.is_empty() {
        return Ok(before);
    }
    sqlx::query(
        "UPDATE users SET name = $1, role = $2, active = $3, time_zone = $4, \
         password_hash = COALESCE($5, password_hash), updated_at = $6, org_id = $7 WHERE id = $8",
    )
    .bind(&name)
    .bind(&role)
    .bind(active)
    .bind(&tz)
    .bind(ch.password_hash.as_deref())
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // A member of staff who becomes a customer leaves the assignment groups
    // (and stops managing any), so that no group's mail reaches them.
    if role == "customer" && before.role != "customer" {
        let left = sqlx::query("DELETE FROM group_members WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let managed =
            sqlx::query("UPDATE assignment_groups SET manager_id = NULL WHERE manager_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if left + managed > 0 {
            c.set("groups_left", &(left + managed));
        }
    }
    // A user moved to another organisation signs in again, so that no page
    // open in a browser keeps what the old one could see.
    if org_id != before.org_id {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    // A disabled account or a new password ends every session and revokes
    // every API token (ASVS 7.4.2): enabling the account again brings none back.
    if (!active && before.active) || ch.password_hash.is_some() {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked > 0 {
            c.set("tokens_revoked", &revoked);
        }
    }
    append(
        &mut tx,
        actor,
        Some(before.org_id),
        "user",
        &before.email,
        "update",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    by_id(p, id).await
}
