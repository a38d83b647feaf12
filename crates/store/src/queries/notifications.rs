//! Who is around an incident, for notifications, and each user's choice of
//! the events they hear of.

use steward_domain::audit::Changes;

use super::super::Pools;
use super::audit::append;
use crate::{AuditActor, Recipient, Result, now_ms};

/// The caller, the assignee, the assignment group's members and its manager
/// of a record, in one read: the provider's staff, and customers of the
/// record's own organisation only (one who moved elsewhere hears nothing more).
/// `group` names the group instead of the record's own (the group whose OLA
/// clock fired, which may have handed the record over since).
pub async fn circle(p: &Pools, record_id: i64, group: Option<i64>) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, u.active, u.notify_muted, \
         COALESCE(u.time_zone, o.time_zone) AS time_zone, \
         COALESCE(u.id = i.requester_id, FALSE) AS is_caller, \
         COALESCE(u.id = i.assignee_id, FALSE) AS is_assignee, \
         (gm.user_id IS NOT NULL) AS in_group, \
         COALESCE(u.id = g.manager_id, FALSE) AS is_group_manager \
         FROM work_records i \
         LEFT JOIN assignment_groups g ON g.id = COALESCE($2, i.group_id) \
         JOIN users u ON u.id = i.requester_id OR u.id = i.assignee_id OR u.id = g.manager_id \
           OR u.id IN (SELECT m.user_id FROM group_members m WHERE m.group_id = g.id) \
         JOIN organisations o ON o.id = u.org_id \
         LEFT JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = u.id \
         WHERE i.id = $1 AND (o.kind = 'provider' OR u.org_id = i.org_id) ORDER BY u.id",
    )
    .bind(record_id)
    .bind(group)
    .fetch_all(p.read())
    .await?)
}

/// Sets the events a user does not want to hear of (comma-separated names).
pub async fn set_muted(p: &Pools, actor: &AuditActor, user_id: i64, muted: &str) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (before, email): (String, String) =
        sqlx::query_as("SELECT notify_muted, email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
    if before == muted {
        return Ok(());
    }
    sqlx::query("UPDATE users SET notify_muted = $1, updated_at = $2 WHERE id = $3")
        .bind(muted)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let mut c = Changes::default();
    c.diff("notifications_muted", &before, &muted.to_owned());
    append(&mut tx, actor, None, "user", &email, "update", &c, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn muted(p: &Pools, user_id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT notify_muted FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(p.read())
            .await?
            .unwrap_or_default(),
    )
}

const PEOPLE: &str = "SELECT u.id, u.email, u.name, u.role, u.active, u.notify_muted, \
     COALESCE(u.time_zone, o.time_zone) AS time_zone, \
     FALSE AS is_caller, FALSE AS is_assignee, FALSE AS in_group, FALSE AS is_group_manager \
     FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.active";

/// The active customer contacts of an organisation, for what is sent to the
/// customer as a whole (its service reports).
pub async fn contacts(p: &Pools, org_id: i64) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PEOPLE} AND u.org_id = $1 AND u.role = 'customer' ORDER BY u.id"
    )))
    .bind(org_id)
    .fetch_all(p.read())
    .await?)
}

/// The provider's active managers.
pub async fn managers(p: &Pools) -> Result<Vec<Recipient>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PEOPLE} AND o.kind = 'provider' AND u.role = 'manager' ORDER BY u.id"
    )))
    .fetch_all(p.read())
    .await?)
}
