//! `/api/v1/calendars`: business calendars and their arithmetic.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use steward_domain::calendar::CalendarSpec;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::AppState;
use crate::auth::ApiActor;
use crate::calendars::{self, Loaded};
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, replace))
        .routes(routes!(due))
        .routes(routes!(between))
        .routes(routes!(import_holidays))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidayImportParams {
    /// `true`: the file's holidays replace the calendar's; default: they are added
    /// (a date already there takes the file's name).
    pub replace: Option<bool>,
}

/// Import holidays from an iCalendar file (`Content-Type: text/calendar`,
/// as public-holiday feeds publish them) or CSV (`text/csv`: `date,name`
/// lines, a header optional). Managers and admins.
#[utoipa::path(post, path = "/api/v1/calendars/{id}/holidays", tag = "service levels",
    params(("id" = i64, Path), HolidayImportParams),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = CalendarView), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn import_holidays(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<HolidayImportParams>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // Who may, before what was sent: a stranger learns nothing from a 415.
    crate::calendars::may_change(&a.actor)?;
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let kind = steward_domain::holidays::HolidayFile::detect(ct, "").ok_or_else(|| {
        crate::error::AppError::Rejected(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the file as text/calendar (iCalendar) or text/csv".into(),
        )
    })?;
    let (c, _) = calendars::import_holidays(
        &state,
        &a.actor,
        id,
        kind,
        &body,
        q.replace.unwrap_or(false),
    )
    .await?;
    Ok(with_etag(c.stored.version, view(&c)))
}

/// A calendar as stored: its specification's fields with its id and version.
/// (Not `CalendarSpec` flattened: the spec refuses unknown fields, so its
/// schema forbids the two this adds.)
#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    pub id: i64,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Working hours per weekday (`monday` .. `sunday`).
    pub week: std::collections::BTreeMap<String, Vec<String>>,
    pub holidays: Vec<steward_domain::calendar::Holiday>,
    pub exceptions: Vec<steward_domain::calendar::Exception>,
    pub version: i64,
}

fn view(c: &Loaded) -> CalendarView {
    let spec = c.spec.clone();
    CalendarView {
        id: c.stored.id,
        name: spec.name,
        time_zone: spec.time_zone,
        week: spec.week,
        holidays: spec.holidays,
        exceptions: spec.exceptions,
        version: c.stored.version,
    }
}

/// Every business calendar (staff and auditors).
#[utoipa::path(get, path = "/api/v1/calendars", tag = "calendars",
    responses((status = 200, body = Vec<CalendarView>), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, a: ApiActor) -> AppResult<ApiJson<Vec<CalendarView>>> {
    let all = calendars::list(&state, &a.actor).await?;
    Ok(ApiJson(all.iter().map(view).collect()))
}

/// Add a calendar (managers and admins): time zone, working hours per weekday,
/// holidays and exceptions. Every wrong part is named in the problem document.
#[utoipa::path(post, path = "/api/v1/calendars", tag = "calendars", request_body = CalendarSpec,
    responses((status = 201, body = CalendarView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(spec): ApiJson<CalendarSpec>,
) -> AppResult<Response> {
    let c = calendars::create(&state, &a.actor, &spec).await?;
    let mut res = with_etag(c.stored.version, view(&c));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "calendars",
    params(("id" = i64, Path)),
    responses((status = 200, body = CalendarView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let c = calendars::get(&state, &a.actor, id).await?;
    Ok(with_etag(c.stored.version, view(&c)))
}

/// Replace a calendar (managers and admins); honours `If-Match`.
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "calendars", request_body = CalendarSpec,
    params(("id" = i64, Path)),
    responses((status = 200, body = CalendarView), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn replace(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(spec): ApiJson<CalendarSpec>,
) -> AppResult<Response> {
    let c = calendars::replace(&state, &a.actor, id, &spec, if_match(&headers)?).await?;
    Ok(with_etag(c.stored.version, view(&c)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DueParams {
    /// An RFC 3339 instant, e.g. `2026-03-26T15:00:00Z`.
    start: String,
    /// Business minutes.
    minutes: i64,
}

#[derive(Serialize, ToSchema)]
struct DueView {
    start: String,
    minutes: i64,
    due: String,
}

/// When a business duration that starts at `start` ends.
#[utoipa::path(get, path = "/api/v1/calendars/{id}/due", tag = "calendars",
    params(("id" = i64, Path), DueParams),
    responses((status = 200, body = DueView), (status = 422, body = Problem)))]
async fn due(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DueParams>,
) -> AppResult<ApiJson<DueView>> {
    let due = calendars::due(&state, &a.actor, id, &q.start, q.minutes).await?;
    Ok(ApiJson(DueView {
        start: q.start.trim().to_owned(),
        minutes: q.minutes,
        due: due.to_string(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct BetweenParams {
    from: String,
    to: String,
}

#[derive(Serialize, ToSchema)]
struct BetweenView {
    from: String,
    to: String,
    business_seconds: i64,
    business_minutes: i64,
}

/// The business time between two instants.
#[utoipa::path(get, path = "/api/v1/calendars/{id}/between", tag = "calendars",
    params(("id" = i64, Path), BetweenParams),
    responses((status = 200, body = BetweenView), (status = 422, body = Problem)))]
async fn between(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<BetweenParams>,
) -> AppResult<ApiJson<BetweenView>> {
    let secs = calendars::between(&state, &a.actor, id, &q.from, &q.to).await?;
    Ok(ApiJson(BetweenView {
        from: q.from.trim().to_owned(),
        to: q.to.trim().to_owned(),
        business_seconds: secs,
        business_minutes: secs / 60,
    }))
}
