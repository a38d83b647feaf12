//! `/api/v1/complaints`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    ComplaintInput, ComplaintListParams, ComplaintPage, ComplaintPatch, ComplaintStepInput,
    ComplaintView,
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

fn view(c: &steward_store::Complaint) -> Response {
    with_etag(c.version, ComplaintView::of(c, steward_store::now_ms()))
}

/// List complaints, newest first (customers: their organisation's).
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ComplaintListParams),
    responses((status = 200, body = ComplaintPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ComplaintListParams>,
) -> AppResult<ApiJson<ComplaintPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ComplaintPage {
        items: page
            .items
            .iter()
            .map(|c| ComplaintView::of(c, now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Raise a complaint (customers for themselves, staff for a customer: `caller`).
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = ComplaintInput,
    responses((status = 201, body = ComplaintView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ComplaintInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/complaints/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One complaint; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/complaints/{number}", tag = "complaints",
    params(("number" = String, Path, description = "e.g. CMP-0001")),
    responses((status = 200, body = ComplaintView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change a complaint's fields (staff): owner, target date, priority...
#[utoipa::path(patch, path = "/api/v1/complaints/{number}", tag = "complaints", request_body = ComplaintPatch,
    params(("number" = String, Path, description = "e.g. CMP-0001")),
    responses((status = 200, body = ComplaintView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ComplaintPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Move a complaint on (staff): acknowledge, respond (with the response to the
/// customer), close, reopen, withdraw.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/transitions", tag = "complaints",
    request_body = ComplaintStepInput,
    params(("number" = String, Path, description = "e.g. CMP-0001")),
    responses((status = 200, body = ComplaintView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ComplaintStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}
