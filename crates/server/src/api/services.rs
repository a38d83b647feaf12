//! `/api/v1/services`

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath, if_match, with_etag};
use crate::AppState;
use crate::auth::ApiActor;
use crate::catalogue::{self, ServiceInput, ServicePatch};
use crate::error::{AppResult, Problem};
use crate::views::ServiceView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
}

/// The service catalogue; customers see the services their organisation receives.
#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    responses((status = 200, body = Vec<ServiceView>)))]
async fn list(State(state): State<AppState>, a: ApiActor) -> AppResult<ApiJson<Vec<ServiceView>>> {
    let list = catalogue::list(&state.store, &a.actor).await?;
    Ok(ApiJson(
        list.iter().map(|s| ServiceView::new(s, None)).collect(),
    ))
}

/// Add a service (managers and admins).
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = ServiceInput,
    responses((status = 201, body = ServiceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ServiceInput>,
) -> AppResult<Response> {
    let s = catalogue::create(&state.store, &a.actor, &input).await?;
    let customers = state.store.service_customers(s.id).await?;
    let mut res = with_etag(s.version, ServiceView::new(&s, Some(&customers)));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One service with the organisations that receive it.
#[utoipa::path(get, path = "/api/v1/services/{number}", tag = "services",
    params(("number" = String, Path, description = "e.g. SVC-0001")),
    responses((status = 200, body = ServiceView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let (s, customers) = catalogue::get(&state.store, &a.actor, &number).await?;
    Ok(with_etag(
        s.version,
        ServiceView::new(&s, customers.as_deref()),
    ))
}

/// Change a service (managers and admins); honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/services/{number}", tag = "services", request_body = ServicePatch,
    params(("number" = String, Path, description = "e.g. SVC-0001")),
    responses((status = 200, body = ServiceView), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(p): ApiJson<ServicePatch>,
) -> AppResult<Response> {
    let s = catalogue::update(&state.store, &a.actor, &number, &p, if_match(&headers)?).await?;
    let customers = state.store.service_customers(s.id).await?;
    Ok(with_etag(s.version, ServiceView::new(&s, Some(&customers))))
}
