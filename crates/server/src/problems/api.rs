//! `/api/v1/problems`, and the kernel's links on incidents and problems.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    ProblemInput, ProblemListParams, ProblemPage, ProblemPatch, ProblemStepInput, ProblemView,
};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::core_fields::service_ref;
use crate::error::{AppResult, Problem};
use crate::records;
use crate::views::CommentView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(candidates))
        .routes(routes!(get, patch))
        .routes(routes!(step))
        .routes(routes!(incidents))
        .routes(routes!(known_errors))
        .routes(routes!(apply_workaround))
}

async fn view(state: &AppState, p: &steward_store::Problem) -> AppResult<ProblemView> {
    let services = super::services(state, p).await?;
    Ok(ProblemView::of(p, services, steward_store::now_ms()))
}

/// List problems, newest first, filtered, a page at a time (staff).
#[utoipa::path(get, path = "/api/v1/problems", tag = "problems", params(ProblemListParams),
    responses((status = 200, body = ProblemPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ProblemListParams>,
) -> AppResult<ApiJson<ProblemPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ProblemPage {
        items: page
            .items
            .iter()
            // The list names the first affected service; a problem's own page has them all.
            .map(|p| ProblemView::of(p, service_ref(p).into_iter().collect(), now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Record a problem; `incidents` are linked to it as caused by it.
#[utoipa::path(post, path = "/api/v1/problems", tag = "problems", request_body = ProblemInput,
    responses((status = 201, body = ProblemView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ProblemInput>,
) -> AppResult<Response> {
    let p = super::create(&state, &a.actor, &input).await?;
    let mut res = with_etag(p.version, view(&state, &p).await?);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/problems/{}", p.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// Candidate problems: incidents of one service and category that repeat
/// (`problem_trend_incidents` within `problem_trend_days`) with no problem linked.
#[utoipa::path(get, path = "/api/v1/problems/candidates", tag = "problems",
    responses((status = 200, body = Vec<super::CandidateView>), (status = 403, body = Problem)))]
async fn candidates(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<super::CandidateView>>> {
    let c = super::candidates(&state, &a.actor).await?;
    Ok(ApiJson(c.iter().map(super::CandidateView::from).collect()))
}

/// One problem; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/problems/{number}", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = ProblemView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let p = super::get(&state, &a.actor, &number).await?;
    Ok(with_etag(p.version, view(&state, &p).await?))
}

/// Change a problem's fields; `published` shows a known error to customers.
#[utoipa::path(patch, path = "/api/v1/problems/{number}", tag = "problems", request_body = ProblemPatch,
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = ProblemView), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ProblemPatch>,
) -> AppResult<Response> {
    let p = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(p.version, view(&state, &p).await?))
}

/// Move a problem through its lifecycle: investigate, root_cause, known_error,
/// resolve, close, reopen, cancel.
#[utoipa::path(post, path = "/api/v1/problems/{number}/transitions", tag = "problems",
    request_body = ProblemStepInput,
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = ProblemView), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ProblemStepInput>,
) -> AppResult<Response> {
    let p = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(p.version, view(&state, &p).await?))
}

/// The incidents linked to the problem, newest link first; `cursor` is the
/// last item's `link_id`.
#[utoipa::path(get, path = "/api/v1/problems/{number}/incidents", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001"), super::LinkedParams),
    responses((status = 200, body = Vec<super::LinkedIncidentView>), (status = 404, body = Problem)))]
async fn incidents(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiQuery(params): ApiQuery<super::LinkedParams>,
) -> AppResult<ApiJson<Vec<super::LinkedIncidentView>>> {
    let p = super::get(&state, &a.actor, &number).await?;
    let list = super::linked_incidents(&state, &p, &params).await?;
    Ok(ApiJson(
        list.iter().map(super::LinkedIncidentView::from).collect(),
    ))
}

/// Known errors that concern the incident: linked to it, or open with a
/// workaround for its service and category (customers: those published to them).
#[utoipa::path(get, path = "/api/v1/incidents/{number}/known-errors", tag = "incidents",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = Vec<super::KnownErrorView>), (status = 404, body = Problem)))]
async fn known_errors(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<super::KnownErrorView>>> {
    let inc = crate::incidents::get(&state, &a.actor, &number).await?;
    let list = records::known_errors(&state, &a.actor, &inc).await?;
    Ok(ApiJson(
        list.iter().map(super::KnownErrorView::from).collect(),
    ))
}

/// Apply a known error's workaround to the incident (staff): a public comment
/// with the workaround, a link to the problem, one entry in the history.
#[utoipa::path(post, path = "/api/v1/incidents/{number}/workaround", tag = "incidents",
    request_body = super::ApplyWorkaroundInput,
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 201, body = CommentView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn apply_workaround(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<super::ApplyWorkaroundInput>,
) -> AppResult<Response> {
    let c = records::apply_workaround(&state, &a.actor, &number, &input.problem).await?;
    Ok((StatusCode::CREATED, axum::Json(CommentView::from(&c))).into_response())
}
