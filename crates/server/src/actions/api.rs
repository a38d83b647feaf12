//! `/api/v1/actions`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ActionInput, ActionListParams, ActionPage, ActionPatch, ActionStepInput, ActionView};
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

fn view(c: &steward_store::Action) -> Response {
    with_etag(c.version, ActionView::of(c, steward_store::now_ms()))
}

/// List actions, newest first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", params(ActionListParams),
    responses((status = 200, body = ActionPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ActionListParams>,
) -> AppResult<ApiJson<ActionPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ActionPage {
        items: page.items.iter().map(|x| ActionView::of(x, now)).collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Plan an action on the record it follows from (`parent`, e.g. a nonconformity).
#[utoipa::path(post, path = "/api/v1/actions", tag = "actions", request_body = ActionInput,
    responses((status = 201, body = ActionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ActionInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/actions/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One action; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/actions/{number}", tag = "actions",
    params(("number" = String, Path, description = "e.g. ACT-0001")),
    responses((status = 200, body = ActionView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change an action: owner, due date, the wait before its effectiveness review...
#[utoipa::path(patch, path = "/api/v1/actions/{number}", tag = "actions", request_body = ActionPatch,
    params(("number" = String, Path, description = "e.g. ACT-0001")),
    responses((status = 200, body = ActionView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ActionPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Move an action on: start, complete (with what was done), review_effective
/// or review_not_effective (with the review; not before it is due; not
/// effective opens a follow-up action, named in `follow_up`), cancel.
#[utoipa::path(post, path = "/api/v1/actions/{number}/transitions", tag = "actions",
    request_body = ActionStepInput,
    params(("number" = String, Path, description = "e.g. ACT-0001")),
    responses((status = 200, body = ActionView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ActionStepInput>,
) -> AppResult<Response> {
    let (c, next) = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    let mut v = ActionView::of(&c, steward_store::now_ms());
    v.follow_up = next.map(|n| n.number.clone());
    Ok(with_etag(c.version, v))
}
