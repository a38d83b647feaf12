//! `/api/v1/findings`: the findings of internal audits.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    FindingInput, FindingListParams, FindingPage, FindingPatch, FindingStepInput, FindingView,
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

fn view(c: &steward_store::Finding) -> Response {
    with_etag(c.version, FindingView::of(c, steward_store::now_ms()))
}

/// The findings of every audit, newest first.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings", params(FindingListParams),
    responses((status = 200, body = FindingPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<FindingListParams>,
) -> AppResult<ApiJson<FindingPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(FindingPage {
        items: page.items.iter().map(|n| FindingView::of(n, now)).collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Record a finding on an audit in progress (422 on an audit not started), with the
/// records it was seen on (`records`, linked to it).
#[utoipa::path(post, path = "/api/v1/findings", tag = "findings", request_body = FindingInput,
    responses((status = 201, body = FindingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<FindingInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/findings/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One finding; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/findings/{number}", tag = "findings",
    params(("number" = String, Path, description = "e.g. FND-0001")),
    responses((status = 200, body = FindingView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change an open finding: its grade, clause, evidence, owner, target date...
#[utoipa::path(patch, path = "/api/v1/findings/{number}", tag = "findings", request_body = FindingPatch,
    params(("number" = String, Path, description = "e.g. FND-0001")),
    responses((status = 200, body = FindingView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<FindingPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Answer a finding: close (a major or minor nonconformity once a
/// nonconformity is raised from it), or withdraw (with the reason).
#[utoipa::path(post, path = "/api/v1/findings/{number}/transitions", tag = "findings",
    request_body = FindingStepInput,
    params(("number" = String, Path, description = "e.g. FND-0001")),
    responses((status = 200, body = FindingView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<FindingStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}
