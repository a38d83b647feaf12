//! `/api/v1/me` and the caller's own API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath};
use crate::AppState;
use crate::admin::{self, TokenInput};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::views::{TokenView, UserView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", responses((status = 200, body = UserView), (status = 401, body = Problem)))]
async fn me(a: ApiActor) -> ApiJson<UserView> {
    ApiJson(UserView::from(&a.user))
}

/// Your API tokens (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "me", responses((status = 200, body = Vec<TokenView>)))]
async fn list_tokens(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<TokenView>>> {
    let list = admin::tokens(&state.store, &a.actor).await?;
    Ok(ApiJson(
        list.iter().map(|t| TokenView::new(t, None)).collect(),
    ))
}

/// Create an API token for yourself; the response shows the secret once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "me", request_body = TokenInput,
    responses((status = 201, body = TokenView), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<TokenInput>,
) -> AppResult<(StatusCode, ApiJson<TokenView>)> {
    let (t, secret) = admin::create_token(&state.store, &a.actor, &a.user, &input).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(TokenView::new(&t, Some(secret))),
    ))
}

/// Revoke one of your tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "me", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    admin::revoke_token(&state.store, &a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
