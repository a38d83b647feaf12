//! `/api/v1/improvements`: the improvement register.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    ImprovementInput, ImprovementListParams, ImprovementPage, ImprovementPatch,
    ImprovementStepInput, ImprovementView,
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

fn view(c: &steward_store::Improvement) -> Response {
    with_etag(c.version, ImprovementView::of(c, steward_store::now_ms()))
}

/// The improvement register, newest first.
#[utoipa::path(get, path = "/api/v1/improvements", tag = "improvements", params(ImprovementListParams),
    responses((status = 200, body = ImprovementPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ImprovementListParams>,
) -> AppResult<ApiJson<ImprovementPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ImprovementPage {
        items: page
            .items
            .iter()
            .map(|n| ImprovementView::of(n, now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Propose an improvement, by hand or from the record it came from (`from`).
#[utoipa::path(post, path = "/api/v1/improvements", tag = "improvements", request_body = ImprovementInput,
    responses((status = 201, body = ImprovementView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ImprovementInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/improvements/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One improvement; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/improvements/{number}", tag = "improvements",
    params(("number" = String, Path, description = "e.g. IMP-0001")),
    responses((status = 200, body = ImprovementView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change an improvement: the benefit expected, its measure, the objective, owner, target date...
#[utoipa::path(patch, path = "/api/v1/improvements/{number}", tag = "improvements", request_body = ImprovementPatch,
    params(("number" = String, Path, description = "e.g. IMP-0001")),
    responses((status = 200, body = ImprovementView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ImprovementPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Move an improvement on: approve (once its benefit and measure are said),
/// start, complete, evaluate_met / evaluate_not_met (with the evaluation),
/// reject (with the reason).
#[utoipa::path(post, path = "/api/v1/improvements/{number}/transitions", tag = "improvements",
    request_body = ImprovementStepInput,
    params(("number" = String, Path, description = "e.g. IMP-0001")),
    responses((status = 200, body = ImprovementView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ImprovementStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}
