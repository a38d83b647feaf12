//! `/api/v1/articles`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use steward_domain::access::Actor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    ArticleInput, ArticleListParams, ArticlePage, ArticlePatch, ArticleStepInput, ArticleView,
    FeedbackInput, VersionView,
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
        .routes(routes!(versions))
        .routes(routes!(feedback))
}

async fn view(state: &AppState, actor: &Actor, a: &steward_store::Article) -> AppResult<Response> {
    let names = super::org_names(state).await?;
    let v = ArticleView::of(a, actor.role.is_staff(), &names, steward_store::now_ms());
    Ok(with_etag(a.version, v))
}

/// List articles, newest first (staff: all; customers: those published to them).
#[utoipa::path(get, path = "/api/v1/articles", tag = "articles", params(ArticleListParams),
    responses((status = 200, body = ArticlePage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<ArticleListParams>,
) -> AppResult<ApiJson<ArticlePage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let names = super::org_names(&state).await?;
    let (now, staff) = (steward_store::now_ms(), a.actor.role.is_staff());
    Ok(ApiJson(ArticlePage {
        items: page
            .items
            .iter()
            .map(|x| ArticleView::of(x, staff, &names, now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Write an article (staff): its first version, a draft.
#[utoipa::path(post, path = "/api/v1/articles", tag = "articles", request_body = ArticleInput,
    responses((status = 201, body = ArticleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ArticleInput>,
) -> AppResult<Response> {
    let x = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&state, &a.actor, &x).await?;
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/articles/{}", x.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One article; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/articles/{number}", tag = "articles",
    params(("number" = String, Path, description = "e.g. KB-0001")),
    responses((status = 200, body = ArticleView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    let x = super::get(&state, &a.actor, &number).await?;
    view(&state, &a.actor, &x).await
}

/// Change an article (staff): a new title or body is a new version, back to draft.
#[utoipa::path(patch, path = "/api/v1/articles/{number}", tag = "articles", request_body = ArticlePatch,
    params(("number" = String, Path, description = "e.g. KB-0001")),
    responses((status = 200, body = ArticleView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ArticlePatch>,
) -> AppResult<Response> {
    let x = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    view(&state, &a.actor, &x).await
}

/// Move an article on (staff): review (not its author), publish, rework, retire, restore.
#[utoipa::path(post, path = "/api/v1/articles/{number}/transitions", tag = "articles",
    request_body = ArticleStepInput,
    params(("number" = String, Path, description = "e.g. KB-0001")),
    responses((status = 200, body = ArticleView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ArticleStepInput>,
) -> AppResult<Response> {
    let x = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    view(&state, &a.actor, &x).await
}

/// Every saved version, newest first (staff).
#[utoipa::path(get, path = "/api/v1/articles/{number}/versions", tag = "articles",
    params(("number" = String, Path, description = "e.g. KB-0001")),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
async fn versions(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<VersionView>>> {
    Ok(ApiJson(super::versions(&state, &a.actor, &number).await?))
}

/// Say whether a published article helped (the reader's latest answer counts).
#[utoipa::path(post, path = "/api/v1/articles/{number}/feedback", tag = "articles",
    request_body = FeedbackInput,
    params(("number" = String, Path, description = "e.g. KB-0001")),
    responses((status = 200, body = ArticleView), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
async fn feedback(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<FeedbackInput>,
) -> AppResult<Response> {
    let x = super::feedback(&state, &a.actor, &number, &input).await?;
    view(&state, &a.actor, &x).await
}
