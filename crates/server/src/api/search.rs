//! `/api/v1/search`

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::search::{self, SearchResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(find))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Words (each also the start of a longer word), `"a phrase"`, and
    /// `-word` or `-"a phrase"` to leave out; at most 200 characters.
    q: String,
    /// 1 .. 50 (default 20).
    limit: Option<i64>,
}

/// Records and services that match, best first, among what the caller may
/// read (a customer: their organisation's records and the services it
/// receives).
#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(SearchParams),
    responses((status = 200, body = Vec<SearchResult>), (status = 422, body = Problem)))]
async fn find(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> AppResult<ApiJson<Vec<SearchResult>>> {
    Ok(ApiJson(
        search::run(&state, &a.actor, &p.q, p.limit.unwrap_or(20)).await?,
    ))
}
