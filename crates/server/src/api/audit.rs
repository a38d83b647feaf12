//! `/api/v1/audit`: the audit trail for admins and auditors.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::api_params::AuditParams;
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::views::AuditEntryView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Audit entries, newest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> AppResult<ApiJson<Vec<AuditEntryView>>> {
    let entries = crate::admin::audit(&state.store, &a.actor, &p).await?;
    Ok(ApiJson(entries.iter().map(AuditEntryView::from).collect()))
}
