//! `/api/v1/offerings`, `/api/v1/requests` and `/api/v1/tasks`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    DecisionInput, OfferingInput, OfferingParams, OfferingView, RequestInput, RequestStepInput,
    RequestView, TaskStepInput, TaskView,
};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::paging::KindListParams;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_offerings, create_offering))
        .routes(routes!(get_offering, put_offering))
        .routes(routes!(list, create))
        .routes(routes!(awaiting))
        .routes(routes!(get))
        .routes(routes!(decide))
        .routes(routes!(step))
        .routes(routes!(list_tasks))
        .routes(routes!(get_task))
        .routes(routes!(task_step))
}

fn created(mut res: Response, location: String) -> Response {
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = location.parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    res
}

async fn offering_view(
    state: &AppState,
    a: &ApiActor,
    o: &steward_store::Offering,
) -> AppResult<Response> {
    Ok(with_etag(
        o.version,
        OfferingView::of(state, &a.actor, o).await?,
    ))
}

/// The catalogue's offerings: staff see all; others what they may order.
#[utoipa::path(get, path = "/api/v1/offerings", tag = "requests", params(OfferingParams),
    responses((status = 200, body = Vec<OfferingView>), (status = 422, body = Problem)))]
async fn list_offerings(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<OfferingParams>,
) -> AppResult<ApiJson<Vec<OfferingView>>> {
    let list = super::offerings(&state, &a.actor, &params).await?;
    let mut out = Vec::with_capacity(list.len());
    for o in &list {
        out.push(OfferingView::of(&state, &a.actor, o).await?);
    }
    Ok(ApiJson(out))
}

/// Add an offering to the catalogue (admins and managers).
#[utoipa::path(post, path = "/api/v1/offerings", tag = "requests", request_body = OfferingInput,
    responses((status = 201, body = OfferingView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_offering(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<OfferingInput>,
) -> AppResult<Response> {
    let o = super::create_offering(&state, &a.actor, &input).await?;
    let res = offering_view(&state, &a, &o).await?;
    Ok(created(res, format!("/api/v1/offerings/{}", o.number)))
}

/// One offering; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/offerings/{number}", tag = "requests",
    params(("number" = String, Path, description = "e.g. OFR-0001")),
    responses((status = 200, body = OfferingView), (status = 404, body = Problem)))]
async fn get_offering(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let o = super::offering(&state, &a.actor, &number).await?;
    offering_view(&state, &a, &o).await
}

/// Replace an offering (admins and managers); requests already made keep what they were.
#[utoipa::path(put, path = "/api/v1/offerings/{number}", tag = "requests", request_body = OfferingInput,
    params(("number" = String, Path, description = "e.g. OFR-0001")),
    responses((status = 200, body = OfferingView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn put_offering(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<OfferingInput>,
) -> AppResult<Response> {
    let o = super::update_offering(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    offering_view(&state, &a, &o).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestView>,
    pub next_cursor: Option<String>,
}

/// List requests, newest first (customers: their organisation's).
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(KindListParams),
    responses((status = 200, body = RequestPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<KindListParams>,
) -> AppResult<ApiJson<RequestPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for r in &page.items {
        items.push(RequestView::with(r, &[], &[]));
    }
    Ok(ApiJson(RequestPage {
        items,
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Order an offering with the answers to its form.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = RequestInput,
    responses((status = 201, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<RequestInput>,
) -> AppResult<Response> {
    let r = super::create(&state, &a.actor, &input).await?;
    let res = with_etag(r.version, RequestView::of(&state, &a.actor, &r).await?);
    Ok(created(res, format!("/api/v1/requests/{}", r.number)))
}

/// Requests waiting for the caller's approval.
#[utoipa::path(get, path = "/api/v1/requests/awaiting-me", tag = "requests",
    responses((status = 200, body = Vec<RequestView>), (status = 403, body = Problem)))]
async fn awaiting(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<RequestView>>> {
    let list = super::awaiting(&state, &a.actor).await?;
    Ok(ApiJson(
        list.iter()
            .map(|r| RequestView::with(r, &[], &[]))
            .collect(),
    ))
}

/// One request with its approvals and tasks.
#[utoipa::path(get, path = "/api/v1/requests/{number}", tag = "requests",
    params(("number" = String, Path, description = "e.g. REQ-000001")),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let r = super::get(&state, &a.actor, &number).await?;
    Ok(with_etag(
        r.version,
        RequestView::of(&state, &a.actor, &r).await?,
    ))
}

/// Approve or reject a request, as one of its approvers (never one's own).
#[utoipa::path(post, path = "/api/v1/requests/{number}/decision", tag = "requests",
    request_body = DecisionInput,
    params(("number" = String, Path, description = "e.g. REQ-000001")),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Response> {
    let r = super::decide(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(
        r.version,
        RequestView::of(&state, &a.actor, &r).await?,
    ))
}

/// Fulfil a request without open tasks (staff), or cancel it (staff, or its requester).
#[utoipa::path(post, path = "/api/v1/requests/{number}/transitions", tag = "requests",
    request_body = RequestStepInput,
    params(("number" = String, Path, description = "e.g. REQ-000001")),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<RequestStepInput>,
) -> AppResult<Response> {
    let r = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(
        r.version,
        RequestView::of(&state, &a.actor, &r).await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    pub next_cursor: Option<String>,
}

/// List fulfilment tasks, newest first (staff).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "requests", params(KindListParams),
    responses((status = 200, body = TaskPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_tasks(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<KindListParams>,
) -> AppResult<ApiJson<TaskPage>> {
    let page = super::tasks(&state, &a.actor, &params).await?;
    Ok(ApiJson(TaskPage {
        items: page.items.iter().map(TaskView::of).collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{number}", tag = "requests",
    params(("number" = String, Path, description = "e.g. TSK-000001")),
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_task(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let t = super::task(&state, &a.actor, &number).await?;
    Ok(with_etag(t.version, TaskView::of(&t)))
}

/// Start, complete or cancel a task; its request moves on when its tasks are done.
#[utoipa::path(post, path = "/api/v1/tasks/{number}/transitions", tag = "requests",
    request_body = TaskStepInput,
    params(("number" = String, Path, description = "e.g. TSK-000001")),
    responses((status = 200, body = TaskView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn task_step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<TaskStepInput>,
) -> AppResult<Response> {
    let t = super::task_step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(t.version, TaskView::of(&t)))
}
