//! `/api/v1/incidents`

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use steward_domain::access::Visibility;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::incidents::{self, IncidentInput, IncidentPatch, ListParams, TransitionInput};
use crate::views::{IncidentPage, IncidentView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(transition))
        .routes(routes!(sla))
        .routes(routes!(breach_reason))
}

/// Record why a breached SLA clock (`response` or `resolution`) missed its target (staff).
#[utoipa::path(put, path = "/api/v1/incidents/{number}/sla/{kind}/reason", tag = "incidents",
    request_body = crate::sla::BreachReasonInput,
    params(("number" = String, Path, description = "e.g. INC-000123"),
           ("kind" = String, Path, description = "response or resolution")),
    responses((status = 200, body = crate::sla::SlaView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn breach_reason(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, kind)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<crate::sla::BreachReasonInput>,
) -> AppResult<ApiJson<crate::sla::SlaView>> {
    let inc = crate::sla::record_breach_reason(&state, &a.actor, &number, &kind, &input).await?;
    Ok(ApiJson(
        crate::sla::of_incident(&state, &a.actor, &inc, &crate::views::time).await?,
    ))
}

/// The incident's SLA: the agreement that applies and why, and each clock with
/// its standing, due time and every interval it counted.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/sla", tag = "incidents",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = crate::sla::SlaView), (status = 404, body = Problem)))]
async fn sla(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<crate::sla::SlaView>> {
    let inc = incidents::get(&state, &a.actor, &number).await?;
    Ok(ApiJson(
        crate::sla::of_incident(&state, &a.actor, &inc, &crate::views::time).await?,
    ))
}

/// List incidents, newest first (or by priority), filtered, a page at a time.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListParams),
    responses((status = 200, body = IncidentPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<ApiJson<IncidentPage>> {
    let (filter, order, cursor, limit) = incidents::build_filter(&state, &a.actor, &params).await?;
    let page = state
        .store
        .list_incidents(Visibility::of(&a.actor), &filter, order, cursor, limit)
        .await?;
    Ok(ApiJson(IncidentPage {
        items: page.items.iter().map(IncidentView::from).collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Raise an incident.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = IncidentInput,
    responses((status = 201, body = IncidentView), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<IncidentInput>,
) -> AppResult<Response> {
    let inc = incidents::create(&state, &a.actor, &input).await?;
    let mut res = with_etag(inc.version, IncidentView::from(&inc));
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/incidents/{}", inc.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One incident; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/incidents/{number}", tag = "incidents",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = IncidentView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let inc = incidents::get(&state, &a.actor, &number).await?;
    Ok(with_etag(inc.version, IncidentView::from(&inc)))
}

/// Change an incident's fields (staff). Send `If-Match` to refuse overwriting someone else's change.
#[utoipa::path(patch, path = "/api/v1/incidents/{number}", tag = "incidents", request_body = IncidentPatch,
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = IncidentView), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(p): ApiJson<IncidentPatch>,
) -> AppResult<Response> {
    let inc = incidents::update(&state, &a.actor, &number, &p, if_match(&headers)?).await?;
    Ok(with_etag(inc.version, IncidentView::from(&inc)))
}

/// Move an incident through its lifecycle: start, hold, resume, resolve, close, reopen, cancel.
#[utoipa::path(post, path = "/api/v1/incidents/{number}/transitions", tag = "incidents", request_body = TransitionInput,
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = IncidentView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(t): ApiJson<TransitionInput>,
) -> AppResult<Response> {
    let inc = incidents::transition(&state, &a.actor, &number, &t, if_match(&headers)?).await?;
    Ok(with_etag(inc.version, IncidentView::from(&inc)))
}
