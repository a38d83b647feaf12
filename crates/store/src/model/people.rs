//! Organisations, users, groups, sessions and tokens, and who an audit entry names.

use super::*;

/// Who a write is attributed to in the audit trail.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub label: String,
}

impl AuditActor {
    /// A change made by Steward itself or an operator at the command line.
    pub fn system(label: &str) -> AuditActor {
        AuditActor {
            user_id: None,
            label: label.to_owned(),
        }
    }
}

impl From<&Actor> for AuditActor {
    fn from(a: &Actor) -> Self {
        AuditActor {
            user_id: Some(a.user_id),
            label: a.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub time_zone: String,
    pub created_at: UtcMillis,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `provider` or `customer`.
    pub org_kind: String,
    pub email: String,
    pub name: String,
    pub role: crate::Code<Role>,
    pub time_zone: Option<String>,
    pub org_time_zone: String,
    pub active: bool,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.get()
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            role: self.role(),
            org_id: self.org_id,
            name: self.name.clone(),
        }
    }

    /// The user's own time zone, or their organisation's.
    pub fn effective_time_zone(&self) -> &str {
        self.time_zone.as_deref().unwrap_or(&self.org_time_zone)
    }
}

/// A user with the secret needed to log in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AssignmentGroup {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
}

/// A group as it is written: the manager and members are users' ids.
#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    pub name: String,
    pub description: String,
    pub manager_id: Option<i64>,
    pub member_ids: Vec<i64>,
}

/// One member of an assignment group.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GroupMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: UtcMillis,
    pub last_used_at: Option<UtcMillis>,
    pub revoked_at: Option<UtcMillis>,
    /// When the token stops working by itself, if it was given an end.
    pub expires_at: Option<UtcMillis>,
}

/// Whether a sign-in attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Checked; `last` when it is the last the window allows before a lock.
    Allowed { last: bool },
    /// The account is locked: refused without a check.
    Locked,
}

/// A live browser session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub user_id: i64,
    pub created_at: UtcMillis,
    pub csrf_token: String,
    pub last_seen_at: UtcMillis,
    pub expires_at: UtcMillis,
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub time_zone: Option<Option<String>>,
    pub password_hash: Option<String>,
    /// Moves the user to another organisation; their sessions end.
    pub org_id: Option<i64>,
}
