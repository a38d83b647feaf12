//! `/api/v1/reviews`: management reviews and their input packs.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ReviewInput, ReviewListParams, ReviewPage, ReviewPatch, ReviewStepInput, ReviewView};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(step))
        .routes(routes!(pack_of))
        .routes(routes!(pack))
}

fn view(c: &steward_store::Review) -> Response {
    with_etag(c.version, ReviewView::of(c, steward_store::now_ms()))
}

/// The management reviews, newest first.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", params(ReviewListParams),
    responses((status = 200, body = ReviewPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ReviewListParams>,
) -> AppResult<ApiJson<ReviewPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ReviewPage {
        items: page.items.iter().map(|n| ReviewView::of(n, now)).collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Plan a management review: the period it reviews and its day (`target_date`).
#[utoipa::path(post, path = "/api/v1/reviews", tag = "reviews", request_body = ReviewInput,
    responses((status = 201, body = ReviewView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ReviewInput>,
) -> AppResult<Response> {
    let c = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&c);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/reviews/{}", c.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One review; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/reviews/{number}", tag = "reviews",
    params(("number" = String, Path, description = "e.g. REV-0001")),
    responses((status = 200, body = ReviewView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change a review: its period, attendees, decisions, owner, day...
#[utoipa::path(patch, path = "/api/v1/reviews/{number}", tag = "reviews", request_body = ReviewPatch,
    params(("number" = String, Path, description = "e.g. REV-0001")),
    responses((status = 200, body = ReviewView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewPatch>,
) -> AppResult<Response> {
    let c = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// Move a review on: hold (with the minutes), close (once its decisions are
/// recorded), cancel (with the reason).
#[utoipa::path(post, path = "/api/v1/reviews/{number}/transitions", tag = "reviews",
    request_body = ReviewStepInput,
    params(("number" = String, Path, description = "e.g. REV-0001")),
    responses((status = 200, body = ReviewView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewStepInput>,
) -> AppResult<Response> {
    let c = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&c))
}

/// The review's input pack, compiled from Steward's records over its period
/// as of its day (or now, before it).
#[utoipa::path(get, path = "/api/v1/reviews/{number}/pack", tag = "reviews",
    params(("number" = String, Path, description = "e.g. REV-0001")),
    responses((status = 200, body = super::pack::Pack), (status = 404, body = Problem)))]
async fn pack_of(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<super::pack::Pack>> {
    let r = super::get(&state, &a.actor, &number).await?;
    Ok(ApiJson(super::pack::of_review(&state, &r).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PackParams {
    /// `2026-Q3`, `2026-07`, `2026` or `2026-07-01..2026-09-30`.
    #[serde(default)]
    pub period: String,
}

/// An input pack for any period, as of now: what a review of it would see.
#[utoipa::path(get, path = "/api/v1/review-pack", tag = "reviews", params(PackParams),
    responses((status = 200, body = super::pack::Pack), (status = 422, body = Problem)))]
async fn pack(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<PackParams>,
) -> AppResult<ApiJson<super::pack::Pack>> {
    crate::policy::require(
        &a.actor,
        steward_domain::access::Action::Work(
            steward_domain::kind::Kind::Review,
            steward_domain::kind::Verb::Read,
        ),
        None,
    )?;
    let (from, to) = steward_domain::review::parse_period("period", &params.period)?;
    let p = super::pack::build(
        &state,
        from,
        to,
        steward_store::now_ms(),
        super::pack::ReviewText::default(),
    )
    .await?;
    Ok(ApiJson(p))
}
