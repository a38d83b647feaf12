//! Sessions, API tokens and login throttling. Only hashes of secrets are stored.

use steward_domain::audit::Changes;

use super::super::Pools;
use super::audit::append;
use crate::{ApiToken, AuditActor, LoginAttempt, Result, Session, StoreError, now_ms};

pub async fn create_session(
    p: &Pools,
    actor: &AuditActor,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    expires_at: i64,
) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    // Expired sessions are swept whenever someone logs in.
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    append(
        &mut tx,
        actor,
        None,
        "user",
        &email,
        "login",
        &Changes::default(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn session(p: &Pools, token_hash: &str) -> Result<Option<Session>> {
    Ok(sqlx::query_as(
        "SELECT s.user_id, s.created_at, s.csrf_token, s.last_seen_at, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.active",
    )
    .bind(token_hash)
    .fetch_optional(p.read())
    .await?)
}

pub async fn touch_session(p: &Pools, token_hash: &str, now: i64, expires_at: i64) -> Result<()> {
    let mut tx = p.begin().await?;
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(now)
        .bind(expires_at)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_session(p: &Pools, actor: &AuditActor, token_hash: &str) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let email: Option<String> = sqlx::query_scalar(
        "SELECT u.email FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
    if let Some(email) = email {
        append(
            &mut tx,
            actor,
            None,
            "user",
            &email,
            "logout",
            &Changes::default(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn create_token(
    p: &Pools,
    actor: &AuditActor,
    user_id: i64,
    name: &str,
    token_hash: &str,
    expires_at: Option<i64>,
) -> Result<ApiToken> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (email, org_id): (String, i64) =
        sqlx::query_as("SELECT email, org_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let token: ApiToken = sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, user_id, name, created_at, last_used_at, revoked_at, expires_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("token_id", &token.id);
    c.set("name", &name);
    if let Some(t) = expires_at {
        c.set("expires_at", &t);
    }
    append(
        &mut tx,
        actor,
        Some(org_id),
        "user",
        &email,
        "token_create",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn list_tokens(p: &Pools, user_id: i64) -> Result<Vec<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, created_at, last_used_at, revoked_at, expires_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(p.read())
    .await?)
}

pub async fn revoke_token(p: &Pools, actor: &AuditActor, user_id: i64, id: i64) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT u.email, u.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.id = $1 AND t.user_id = $2 AND t.revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (email, org_id) = row.ok_or(StoreError::NotFound)?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut c = Changes::default();
    c.set("token_id", &id);
    append(
        &mut tx,
        actor,
        Some(org_id),
        "user",
        &email,
        "token_revoke",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reserves one sign-in attempt for `email` before its password is checked,
/// so that concurrent attempts cannot all slip past the count: the row is
/// written (and, on PostgreSQL, locked) in one statement. Unknown e-mails are
/// counted like real ones, so that the answers do not tell which accounts exist.
pub async fn attempt(
    p: &Pools,
    email: &str,
    max_failures: i64,
    window_ms: i64,
    lock_ms: i64,
) -> Result<LoginAttempt> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    // While locked nothing changes; a lock that has ended or a window that
    // has passed starts a new count; otherwise the attempt is counted.
    let (failures, locked_until): (i64, i64) = sqlx::query_as(
        "INSERT INTO login_failures (email, failures, first_failure_at, locked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (email) DO UPDATE SET \
           failures = CASE WHEN login_failures.locked_until > $2 THEN login_failures.failures \
             WHEN login_failures.locked_until > 0 OR login_failures.first_failure_at < $3 THEN 1 \
             ELSE login_failures.failures + 1 END, \
           first_failure_at = CASE WHEN login_failures.locked_until > $2 THEN login_failures.first_failure_at \
             WHEN login_failures.locked_until > 0 OR login_failures.first_failure_at < $3 THEN $2 \
             ELSE login_failures.first_failure_at END, \
           locked_until = CASE WHEN login_failures.locked_until > $2 THEN login_failures.locked_until \
             ELSE 0 END \
         RETURNING failures, locked_until",
    )
    .bind(email)
    .bind(now)
    .bind(now - window_ms)
    .fetch_one(&mut *tx)
    .await?;
    let outcome = if locked_until > now {
        LoginAttempt::Locked
    } else if failures >= max_failures {
        // The last attempt the window allows: later ones wait out the lock
        // unless this one succeeds (which clears the count).
        sqlx::query("UPDATE login_failures SET locked_until = $1 WHERE email = $2")
            .bind(now + lock_ms)
            .bind(email)
            .execute(&mut *tx)
            .await?;
        LoginAttempt::Allowed { last: true }
    } else {
        LoginAttempt::Allowed { last: false }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Records a failed sign-in of a real account in the audit trail
/// (`login_locked` when it was the last attempt the window allowed).
pub async fn record_failure(p: &Pools, email: &str, locked: bool) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let org_id: Option<i64> = sqlx::query_scalar("SELECT org_id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(org_id) = org_id {
        let action = if locked {
            "login_locked"
        } else {
            "login_failed"
        };
        append(
            &mut tx,
            &AuditActor::system("login"),
            Some(org_id),
            "user",
            email,
            action,
            &Changes::default(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets counts whose window and lock have both passed.
pub async fn sweep_failures(p: &Pools, window_ms: i64) -> Result<u64> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let n =
        sqlx::query("DELETE FROM login_failures WHERE first_failure_at < $1 AND locked_until < $2")
            .bind(now - window_ms)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    Ok(n)
}

pub async fn clear_failures(p: &Pools, email: &str) -> Result<()> {
    let mut tx = p.begin().await?;
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
