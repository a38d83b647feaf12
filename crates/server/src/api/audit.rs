//! `/api/v1/audit`: the audit trail for admins and auditors.

use axum::extract::State;
use serde::Deserialize;
use steward_domain::access::Action;
use steward_store::AuditFilter;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{AppError, AppResult, Problem};
use crate::incidents::require;
use crate::views::AuditEntryView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
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

/// Audit entries, newest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> AppResult<ApiJson<Vec<AuditEntryView>>> {
    require(&a.actor, Action::AuditRead, None)?;
    let entries = state.store.list_audit(&p.filter()?).await?;
    Ok(ApiJson(entries.iter().map(AuditEntryView::from).collect()))
}
