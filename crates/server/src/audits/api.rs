//! `/api/v1/audits`: internal audits, their samples and checklist, and the
//! programme's coverage.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    AuditInput, AuditListParams, AuditPage, AuditPatch, AuditStepInput, AuditView, Checklist,
    RedrawView, SampleInput, SampleView,
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
        .routes(routes!(samples, sample))
        .routes(routes!(redraw))
        .routes(routes!(checklist))
        .routes(routes!(coverage))
}

async fn view(state: &AppState, a: &steward_store::Audit) -> AppResult<Response> {
    let team = super::team_emails(state, a).await?;
    Ok(with_etag(
        a.version,
        AuditView::of(a, team, steward_store::now_ms()),
    ))
}

/// The audits, newest first.
#[utoipa::path(get, path = "/api/v1/audits", tag = "audits", params(AuditListParams),
    responses((status = 200, body = AuditPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<AuditListParams>,
) -> AppResult<ApiJson<AuditPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    let mut items = Vec::with_capacity(page.items.len());
    for x in &page.items {
        items.push(AuditView::of(x, super::team_emails(&state, x).await?, now));
    }
    Ok(ApiJson(AuditPage {
        items,
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Plan an audit: its scope, criteria, dates, lead auditor (`assignee`) and
/// team. An auditor who holds a role on a process in scope is refused (422, with the reason).
#[utoipa::path(post, path = "/api/v1/audits", tag = "audits", request_body = AuditInput,
    responses((status = 201, body = AuditView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<AuditInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&state, &c).await?;
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/audits/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One audit; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/audits/{number}", tag = "audits",
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 200, body = AuditView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    view(&state, &super::get(&state, &a.actor, &number).await?).await
}

/// Change an audit's plan until it is reported.
#[utoipa::path(patch, path = "/api/v1/audits/{number}", tag = "audits", request_body = AuditPatch,
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 200, body = AuditView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<AuditPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    view(&state, &c).await
}

/// Move an audit on: start, report (with the conclusion), close (once its
/// findings are closed or withdrawn), cancel (with the reason).
#[utoipa::path(post, path = "/api/v1/audits/{number}/transitions", tag = "audits",
    request_body = AuditStepInput,
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 200, body = AuditView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<AuditStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    view(&state, &c).await
}

/// The samples drawn for an audit, oldest first.
#[utoipa::path(get, path = "/api/v1/audits/{number}/samples", tag = "audits",
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 200, body = Vec<SampleView>), (status = 404, body = Problem)))]
async fn samples(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<SampleView>>> {
    let s = super::samples(&state, &a.actor, &number).await?;
    Ok(ApiJson(s.iter().map(SampleView::of).collect()))
}

/// Draw a sample of records for the audit: `size` records of `kind` opened
/// from `from` to `to`, picked by `seed` (made when none is given). The same
/// seed over the same records draws the same sample.
#[utoipa::path(post, path = "/api/v1/audits/{number}/samples", tag = "audits",
    request_body = SampleInput,
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 201, body = SampleView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn sample(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<SampleInput>,
) -> AppResult<(StatusCode, ApiJson<SampleView>)> {
    let s = super::sample(&state, &a.actor, &number, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(SampleView::of(&s))))
}

/// Draw a kept sample again from its seed and say whether the same records come out.
#[utoipa::path(get, path = "/api/v1/audits/{number}/samples/{id}/redraw", tag = "audits",
    params(("number" = String, Path, description = "e.g. AUD-0001"), ("id" = i64, Path)),
    responses((status = 200, body = RedrawView), (status = 404, body = Problem)))]
async fn redraw(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, id)): ApiPath<(String, i64)>,
) -> AppResult<ApiJson<RedrawView>> {
    Ok(ApiJson(super::redraw(&state, &a.actor, &number, id).await?))
}

/// The audit's checklist: the requirements in its scope, each with its
/// evidence status as of the audit's first day, and the findings on it.
#[utoipa::path(get, path = "/api/v1/audits/{number}/checklist", tag = "audits",
    params(("number" = String, Path, description = "e.g. AUD-0001")),
    responses((status = 200, body = Checklist), (status = 404, body = Problem)))]
async fn checklist(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Checklist>> {
    Ok(ApiJson(super::checklist(&state, &a.actor, &number).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// The programme, e.g. `APR-0001` (default: the one whose cycle holds today).
    pub programme: Option<String>,
}

/// How a requirement is covered by the programme's audits.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageItem {
    pub clause: String,
    pub title: String,
    /// The audits (not cancelled) that cover it.
    pub audits: Vec<String>,
    /// Findings and nonconformities on it in the year before the cycle.
    pub attention: i64,
    /// Audits the cycle should hold on it (two where past findings show a weakness).
    pub wanted: usize,
    pub covered: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    pub programme: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub audits: Vec<String>,
    /// Requirements not covered as often as they should be.
    pub uncovered: usize,
    pub items: Vec<CoverageItem>,
}

/// How an audit programme's cycle covers every requirement of clauses 4 to 10.
#[utoipa::path(get, path = "/api/v1/audit-coverage", tag = "audits", params(CoverageParams),
    responses((status = 200, body = CoverageView), (status = 404, body = Problem)))]
async fn coverage(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<CoverageParams>,
) -> AppResult<ApiJson<CoverageView>> {
    let c = super::coverage(&state, &a.actor, params.programme.as_deref())
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    Ok(ApiJson(CoverageView {
        programme: c.programme.number.clone(),
        starts_on: c.programme.text("starts_on").map(str::to_owned),
        ends_on: c.programme.text("ends_on").map(str::to_owned),
        audits: c.audits.iter().map(|a| a.number.clone()).collect(),
        uncovered: c.uncovered(),
        items: c
            .coverage
            .iter()
            .map(|x| CoverageItem {
                clause: x.clause.clone(),
                title: x.title.clone(),
                audits: x.audits.iter().map(|(n, _)| n.clone()).collect(),
                attention: x.attention,
                wanted: x.wanted(),
                covered: x.is_covered(),
            })
            .collect(),
    }))
}
