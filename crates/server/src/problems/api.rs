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
use crate::error::{AppResult, Problem};
use crate::incidents::CommentInput;
use crate::records::{self, LinkInput, LinkView};
use crate::views::{AuditEntryView, CommentView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(candidates))
        .routes(routes!(get, patch))
        .routes(routes!(step))
        .routes(routes!(comments, add_comment))
        .routes(routes!(history))
        .routes(routes!(incidents))
        .routes(routes!(links, add_link))
        .routes(routes!(remove_link))
        .routes(routes!(incident_links, add_incident_link))
        .routes(routes!(remove_incident_link))
        .routes(routes!(known_errors))
        .routes(routes!(apply_workaround))
}

async fn view(state: &AppState, p: &steward_store::Problem) -> AppResult<ProblemView> {
    let services = super::services(state, p).await?;
    Ok(ProblemView::of(p, &services, steward_store::now_ms()))
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
            .map(|p| {
                // The list names the first affected service; a problem's own page has them all.
                let first: Vec<_> = p
                    .service_number
                    .clone()
                    .zip(p.service_name.clone())
                    .into_iter()
                    .collect();
                ProblemView::of(p, &first, now)
            })
            .collect(),
        next_cursor: page.next.as_ref().map(super::encode_cursor),
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

/// Comments and work notes, oldest first.
#[utoipa::path(get, path = "/api/v1/problems/{number}/comments", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = Problem)))]
async fn comments(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<CommentView>>> {
    let p = super::get(&state, &a.actor, &number).await?;
    let r = records::get(&state, &a.actor, &p.number).await?;
    let list = records::comments(&state, &a.actor, &r).await?;
    Ok(ApiJson(list.iter().map(CommentView::from).collect()))
}

/// Add a comment or a work note (`visibility: internal`).
#[utoipa::path(post, path = "/api/v1/problems/{number}/comments", tag = "problems", request_body = CommentInput,
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 201, body = CommentView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn add_comment(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> AppResult<Response> {
    let p = super::get(&state, &a.actor, &number).await?;
    let r = records::get(&state, &a.actor, &p.number).await?;
    let c = records::comment(&state, &a.actor, &r, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(CommentView::from(&c))).into_response())
}

/// The problem's audit history, oldest first.
#[utoipa::path(get, path = "/api/v1/problems/{number}/history", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 404, body = Problem)))]
async fn history(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<AuditEntryView>>> {
    let p = super::get(&state, &a.actor, &number).await?;
    let r = records::get(&state, &a.actor, &p.number).await?;
    let entries = records::history(&state, &a.actor, &r).await?;
    Ok(ApiJson(entries.iter().map(AuditEntryView::from).collect()))
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

/// The problem's links to other records, read from its side.
#[utoipa::path(get, path = "/api/v1/problems/{number}/links", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 200, body = Vec<LinkView>), (status = 404, body = Problem)))]
async fn links(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<LinkView>>> {
    let p = super::get(&state, &a.actor, &number).await?;
    list_links(&state, &a, &p.number).await
}

/// Link the problem to another record (an incident it causes, say).
#[utoipa::path(post, path = "/api/v1/problems/{number}/links", tag = "problems", request_body = LinkInput,
    params(("number" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 201, body = LinkView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_link(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<Response> {
    let p = super::get(&state, &a.actor, &number).await?;
    let l = records::link(&state, &a.actor, &p.number, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(LinkView::from(&l))).into_response())
}

/// Remove the problem's link to another record.
#[utoipa::path(delete, path = "/api/v1/problems/{number}/links/{other}", tag = "problems",
    params(("number" = String, Path, description = "e.g. PRB-000001"),
           ("other" = String, Path, description = "e.g. INC-000123")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_link(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, other)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    let p = super::get(&state, &a.actor, &number).await?;
    records::unlink(&state, &a.actor, &p.number, &other).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_links(
    state: &AppState,
    a: &ApiActor,
    number: &str,
) -> AppResult<ApiJson<Vec<LinkView>>> {
    let r = records::get(state, &a.actor, number).await?;
    let list = records::links(state, &a.actor, &r).await?;
    Ok(ApiJson(list.iter().map(LinkView::from).collect()))
}

/// The incident's links to other records (problems, duplicates), read from its side.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/links", tag = "incidents",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = Vec<LinkView>), (status = 404, body = Problem)))]
async fn incident_links(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<LinkView>>> {
    let inc = crate::incidents::get(&state, &a.actor, &number).await?;
    list_links(&state, &a, &inc.number).await
}

/// Link the incident to another record, e.g. `{"record": "PRB-000001", "type": "caused_by"}` (staff).
#[utoipa::path(post, path = "/api/v1/incidents/{number}/links", tag = "incidents", request_body = LinkInput,
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 201, body = LinkView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_incident_link(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<Response> {
    let inc = crate::incidents::get(&state, &a.actor, &number).await?;
    let l = records::link(&state, &a.actor, &inc.number, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(LinkView::from(&l))).into_response())
}

/// Remove the incident's link to another record (staff).
#[utoipa::path(delete, path = "/api/v1/incidents/{number}/links/{other}", tag = "incidents",
    params(("number" = String, Path, description = "e.g. INC-000123"),
           ("other" = String, Path, description = "e.g. PRB-000001")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_incident_link(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, other)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    let inc = crate::incidents::get(&state, &a.actor, &number).await?;
    records::unlink(&state, &a.actor, &inc.number, &other).await?;
    Ok(StatusCode::NO_CONTENT)
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
