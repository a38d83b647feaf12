//! Query parameters shared by the API and the web UI.

use serde::{Deserialize, Serialize};
use steward_store::AuditFilter;

use crate::error::{AppError, AppResult};

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// incident, service, user, organisation, group.
    pub record_type: Option<String>,
    /// e.g. INC-000001, or a user's e-mail.
    pub record: Option<String>,
    pub actor_id: Option<i64>,
    /// create, update, start, resolve, comment, login, ...
    pub action: Option<String>,
    /// Entries older than this id (for paging: the last id of the previous page).
    pub before: Option<i64>,
    /// 1..500, default 100.
    pub limit: Option<i64>,
}

impl AuditParams {
    pub fn filter(&self) -> AppResult<AuditFilter> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(AppError::field("limit", "must be between 1 and 500"));
        }
        for (field, value) in [
            ("record_type", &self.record_type),
            ("record", &self.record),
            ("action", &self.action),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.chars().count() > 254 || v.chars().any(char::is_control))
            {
                return Err(AppError::field(
                    field,
                    "must be at most 254 characters, without control characters",
                ));
            }
        }
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        Ok(AuditFilter {
            record_type: nonempty(&self.record_type),
            record_number: nonempty(&self.record),
            actor_id: self.actor_id,
            action: nonempty(&self.action),
            before_id: self.before,
            limit,
        })
    }
}
