//! `/api/v1/surveys`: satisfaction surveys, their rounds, answers and results.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AnswersInput, ResultsView, SurveyInput, SurveyView};
use crate::AppState;
use crate::api::{ApiJson, ApiPath};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update))
        .routes(routes!(send))
        .routes(routes!(close))
        .routes(routes!(answer))
        .routes(routes!(results))
}

#[derive(Serialize, ToSchema)]
pub struct SurveyList {
    pub items: Vec<SurveyView>,
}

/// Surveys: every one to staff; to a customer, those they are asked to answer.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "satisfaction",
    responses((status = 200, body = SurveyList)))]
async fn list(State(state): State<AppState>, a: ApiActor) -> AppResult<ApiJson<SurveyList>> {
    Ok(ApiJson(SurveyList {
        items: super::list(&state, &a.actor, None).await?,
    }))
}

fn created(view: SurveyView) -> Response {
    let id = view.id;
    let mut res = (StatusCode::CREATED, ApiJson(view)).into_response();
    if let Ok(v) = format!("/api/v1/surveys/{id}").parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    res
}

/// Write a survey (a draft until sent).
#[utoipa::path(post, path = "/api/v1/surveys", tag = "satisfaction", request_body = SurveyInput,
    responses((status = 201, body = SurveyView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<SurveyInput>,
) -> AppResult<Response> {
    let s = super::create(&state, &a.actor, &input).await?;
    Ok(created(SurveyView::of(&s, None, None)))
}

/// A survey (to a customer: one they are asked to answer, else 404).
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "satisfaction", params(("id" = i64, Path)),
    responses((status = 200, body = SurveyView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<SurveyView>> {
    let (s, inv) = super::get(&state, &a.actor, id).await?;
    Ok(ApiJson(SurveyView::of(
        &s,
        inv.and_then(|i| i.answered_at),
        None,
    )))
}

/// Rewrite a draft survey (409 once it was sent).
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "satisfaction", params(("id" = i64, Path)),
    request_body = SurveyInput,
    responses((status = 200, body = SurveyView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> AppResult<ApiJson<SurveyView>> {
    let s = super::update(&state, &a.actor, id, &input).await?;
    Ok(ApiJson(SurveyView::of(&s, None, None)))
}

#[derive(Serialize, ToSchema)]
pub struct RoundSent {
    pub round: i64,
    /// Contacts asked (each e-mailed when mail is set up).
    pub invited: i64,
}

/// Send a new round to the contacts of the survey's customer (or every customer's).
#[utoipa::path(post, path = "/api/v1/surveys/{id}/send", tag = "satisfaction", params(("id" = i64, Path)),
    responses((status = 200, body = RoundSent), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn send(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<RoundSent>> {
    let (round, invited) = super::send_as(&state, &a.actor, id).await?;
    Ok(ApiJson(RoundSent { round, invited }))
}

/// Close an open survey: no more answers.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/close", tag = "satisfaction", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn close(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    super::close(&state, &a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answer a survey one is asked to answer, once per round.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/answers", tag = "satisfaction", params(("id" = i64, Path)),
    request_body = AnswersInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnswersInput>,
) -> AppResult<StatusCode> {
    super::answer(&state, &a.actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A survey's results: scores per customer and question, rounds, written answers.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/results", tag = "satisfaction", params(("id" = i64, Path)),
    responses((status = 200, body = ResultsView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn results(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<ResultsView>> {
    Ok(ApiJson(super::results(&state, &a.actor, id, None).await?))
}
