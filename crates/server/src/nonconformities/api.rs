//! `/api/v1/nonconformities`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    NonconformityInput, NonconformityListParams, NonconformityPage, NonconformityPatch,
    NonconformityStepInput, NonconformityView,
};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(step))
}

fn view(c: &steward_store::Nonconformity) -> Response {
    with_etag(c.version, NonconformityView::of(c, steward_store::now_ms()))
}

/// List nonconformities, newest first.
#[utoipa::path(get, path = "/api/v1/nonconformities", tag = "nonconformities", params(NonconformityListParams),
    responses((status = 200, body = NonconformityPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<NonconformityListParams>,
) -> AppResult<ApiJson<NonconformityPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(NonconformityPage {
        items: page
            .items
            .iter()
            .map(|n| NonconformityView::of(n, now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Raise a nonconformity, by hand or from the record it was found on (`from`).
#[utoipa::path(post, path = "/api/v1/nonconformities", tag = "nonconformities", request_body = NonconformityInput,
    responses((status = 201, body = NonconformityView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<NonconformityInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/nonconformities/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One nonconformity; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/nonconformities/{number}", tag = "nonconformities",
    params(("number" = String, Path, description = "e.g. NCR-0001")),
    responses((status = 200, body = NonconformityView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change a nonconformity: correction, root cause and its category, clause, owner, target date...
#[utoipa::path(patch, path = "/api/v1/nonconformities/{number}", tag = "nonconformities", request_body = NonconformityPatch,
    params(("number" = String, Path, description = "e.g. NCR-0001")),
    responses((status = 200, body = NonconformityView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<NonconformityPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Move a nonconformity on: investigate, close (once corrected, analysed and
/// its actions closed), reject (with the reason).
#[utoipa::path(post, path = "/api/v1/nonconformities/{number}/transitions", tag = "nonconformities",
    request_body = NonconformityStepInput,
    params(("number" = String, Path, description = "e.g. NCR-0001")),
    responses((status = 200, body = NonconformityView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<NonconformityStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}
