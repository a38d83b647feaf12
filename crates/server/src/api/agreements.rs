//! `/api/v1/agreements`: service and operational level agreements.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use steward_store::Agreement;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::AppState;
use crate::agreements::{self, AgreementInput};
use crate::auth::ApiActor;
use crate::error::{AppError, AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(applicable))
        .routes(routes!(get, replace))
        .routes(routes!(report))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlaReportParams {
    /// The last month, `YYYY-MM` (default: this month, UTC).
    pub to: Option<String>,
    /// How many months back, 1 to 36 (default 12).
    pub months: Option<u32>,
    /// json (default) or csv (one row per month and clock).
    pub format: Option<String>,
}

/// The SLA report of an agreement: per month and clock, clocks stopped, the
/// share within target, mean and 90th percentile times; and the breaches.
#[utoipa::path(get, path = "/api/v1/agreements/{number}/report", tag = "service levels",
    params(("number" = String, Path, description = "e.g. SLA-0001"), SlaReportParams),
    responses((status = 200, body = crate::sla_report::SlaReport), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiQuery(q): ApiQuery<SlaReportParams>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let months = crate::sla_report::months_of(q.to.as_deref(), q.months)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::field("format", "must be json or csv")),
    };
    let r = crate::sla_report::build(&state, &a.actor, &number, &months).await?;
    if csv {
        let body = crate::sla_report::csv(&r)?;
        let name = format!("{}-{}-{}.csv", r.agreement, r.from, r.to);
        return Ok((
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(ApiJson(r).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TargetView {
    pub response_minutes: i64,
    pub resolution_minutes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    pub number: String,
    /// sla or ola.
    pub kind: String,
    pub title: String,
    /// SLA: the customer (null: every customer).
    pub customer: Option<String>,
    /// OLA: the group.
    pub group: Option<String>,
    /// Service numbers (empty: every service).
    pub services: Vec<String>,
    pub calendar: i64,
    pub calendar_name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub status: String,
    pub owner: Option<String>,
    pub review_on: Option<String>,
    pub warn_percent: i64,
    /// Per priority, `P1` .. `P5`.
    pub targets: BTreeMap<String, TargetView>,
    pub version: i64,
}

fn view(a: &Agreement) -> AgreementView {
    AgreementView {
        number: a.number.clone(),
        kind: a.kind.clone(),
        title: a.title.clone(),
        customer: a.org_name.clone(),
        group: a.group_name.clone(),
        services: a.services.iter().map(|(_, n)| n.clone()).collect(),
        calendar: a.calendar_id,
        calendar_name: a.calendar_name.clone(),
        valid_from: a.valid_from.clone(),
        valid_to: a.valid_to.clone(),
        status: a.status.clone(),
        owner: a.owner_email.clone(),
        review_on: a.review_on.clone(),
        warn_percent: a.warn_percent,
        targets: a
            .targets()
            .into_iter()
            .map(|(p, t)| {
                (
                    format!("P{p}"),
                    TargetView {
                        response_minutes: t.response_minutes,
                        resolution_minutes: t.resolution_minutes,
                    },
                )
            })
            .collect(),
        version: a.version,
    }
}

/// Every agreement (staff and auditors).
#[utoipa::path(get, path = "/api/v1/agreements", tag = "service levels",
    responses((status = 200, body = Vec<AgreementView>), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<AgreementView>>> {
    let all = agreements::list(&state, &a.actor).await?;
    Ok(ApiJson(all.iter().map(view).collect()))
}

/// Add an agreement (managers and admins).
#[utoipa::path(post, path = "/api/v1/agreements", tag = "service levels", request_body = AgreementInput,
    responses((status = 201, body = AgreementView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<AgreementInput>,
) -> AppResult<Response> {
    let ag = agreements::create(&state, &a.actor, &input).await?;
    let mut res = with_etag(ag.version, view(&ag));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/agreements/{number}", tag = "service levels",
    params(("number" = String, Path, description = "e.g. SLA-0001 or OLA-0002")),
    responses((status = 200, body = AgreementView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let ag = agreements::get(&state, &a.actor, &number).await?;
    Ok(with_etag(ag.version, view(&ag)))
}

/// Replace an agreement (managers and admins); honours `If-Match`.
#[utoipa::path(put, path = "/api/v1/agreements/{number}", tag = "service levels",
    request_body = AgreementInput, params(("number" = String, Path)),
    responses((status = 200, body = AgreementView), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn replace(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> AppResult<Response> {
    let ag = agreements::replace(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(with_etag(ag.version, view(&ag)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ApplicableParams {
    /// The customer organisation's name.
    customer: String,
    /// A service number.
    service: String,
    /// 1 .. 5.
    priority: u8,
    /// `YYYY-MM-DD` (default: today).
    on: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ApplicableView {
    /// The agreement that applies, or null.
    agreement: Option<String>,
    target: Option<TargetView>,
    /// Why this agreement, in words.
    reason: String,
}

/// Which SLA applies to a customer's case on a service at a priority: the most
/// specific agreed agreement valid that day, with the reason.
#[utoipa::path(get, path = "/api/v1/agreements/applicable", tag = "service levels",
    params(ApplicableParams),
    responses((status = 200, body = ApplicableView), (status = 422, body = Problem)))]
async fn applicable(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(q): ApiQuery<ApplicableParams>,
) -> AppResult<ApiJson<ApplicableView>> {
    let on = match q.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => crate::registers::today(),
        Some(raw) => raw
            .parse()
            .map_err(|_| AppError::field("on", "must be a date written YYYY-MM-DD"))?,
    };
    let found =
        agreements::applicable(&state, &a.actor, &q.customer, &q.service, q.priority, on).await?;
    Ok(ApiJson(match found {
        Some(x) => ApplicableView {
            agreement: Some(x.number),
            target: Some(TargetView {
                response_minutes: x.target.response_minutes,
                resolution_minutes: x.target.resolution_minutes,
            }),
            reason: x.reason,
        },
        None => ApplicableView {
            agreement: None,
            target: None,
            reason: format!(
                "no agreed agreement valid on {on} covers this customer, service and priority"
            ),
        },
    }))
}
