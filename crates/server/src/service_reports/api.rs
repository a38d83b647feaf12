//! `/api/v1/service-reports`: customers' service reports, issued and kept,
//! and `/api/v1/organisations/{id}/service-report`: one compiled now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{IssuedView, ServiceReport};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(get))
        .routes(routes!(compile))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// One customer's (staff only; customers always see their own).
    pub organisation: Option<i64>,
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedList {
    pub items: Vec<IssuedView>,
    pub next_cursor: Option<String>,
}

/// Issued service reports, newest first.
#[utoipa::path(get, path = "/api/v1/service-reports", tag = "service reports", params(ListParams),
    responses((status = 200, body = IssuedList), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> AppResult<ApiJson<IssuedList>> {
    let page = super::list(
        &state,
        &a.actor,
        q.organisation,
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(ApiJson(IssuedList {
        items: page.items.iter().map(IssuedView::from).collect(),
        next_cursor: page.next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The customer organisation's id.
    #[serde(default)]
    pub organisation: i64,
    /// `2026-11`, `2026-Q3`, `2026` or `2026-07-01..2026-09-30`.
    #[serde(default)]
    pub period: String,
}

/// Issue a customer's report for a period now and keep it as issued (its
/// contacts are e-mailed when mail is set up). 409 when one is already issued.
#[utoipa::path(post, path = "/api/v1/service-reports", tag = "service reports", request_body = IssueInput,
    responses((status = 201, body = IssuedView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<IssueInput>,
) -> AppResult<Response> {
    let r = super::issue_as(&state, &a.actor, input.organisation, &input.period).await?;
    let mut res = (StatusCode::CREATED, ApiJson(IssuedView::from(&r))).into_response();
    if let Ok(v) = format!("/api/v1/service-reports/{}", r.id).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// json (default: `{issued, report}`), body (the report's JSON exactly
    /// as kept: its SHA-256 is `issued.sha256`), html, pdf or csv.
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedReportView {
    pub issued: IssuedView,
    pub report: ServiceReport,
}

/// An issued report as it was issued: JSON (with how it was issued), or the
/// page, PDF or CSV rendered from it.
#[utoipa::path(get, path = "/api/v1/service-reports/{id}", tag = "service reports",
    params(("id" = i64, Path), FormatParams),
    responses((status = 200, body = IssuedReportView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FormatParams>,
) -> AppResult<Response> {
    if q.format.as_deref().map(str::trim) == Some("body") {
        let (_, body) = super::issued_body(&state, &a.actor, id).await?;
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response());
    }
    let (issued, report) = super::issued(&state, &a.actor, id).await?;
    let issued = IssuedView::from(&issued);
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => {
            Ok(ApiJson(IssuedReportView { issued, report }).into_response())
        }
        f => super::render(&report, Some(&issued), f).await,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompileParams {
    /// `2026-11`, `2026-Q3`, `2026` or `2026-07-01..2026-09-30`.
    #[serde(default)]
    pub period: String,
    /// json (default), html, pdf or csv.
    pub format: Option<String>,
}

/// A customer's service report for a period, compiled now (not kept).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/service-report", tag = "service reports",
    params(("id" = i64, Path), CompileParams),
    responses((status = 200, body = ServiceReport), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn compile(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CompileParams>,
) -> AppResult<Response> {
    let r = super::live(&state, &a.actor, id, &q.period).await?;
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => Ok(ApiJson(r).into_response()),
        f => super::render(&r, None, f).await,
    }
}
