//! `/api/v1/organisations`, `/api/v1/users`, `/api/v1/groups`: administration.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath};
use crate::AppState;
use crate::admin::{self, GroupInput, GroupPatch, OrgInput, OrgPatch, UserInput, UserPatch};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::views::{
    GroupDetailView, GroupView, OrganisationDetailView, OrganisationView, TokenView, UserView,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orgs, create_org))
        .routes(routes!(get_org, patch_org))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, patch_user))
        .routes(routes!(list_user_tokens))
        .routes(routes!(revoke_user_token))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, patch_group))
}

/// Organisations (staff).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "administration",
    responses((status = 200, body = Vec<OrganisationView>), (status = 403, body = Problem)))]
async fn list_orgs(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<OrganisationView>>> {
    let list = admin::orgs(&state.store, &a.actor).await?;
    Ok(ApiJson(list.iter().map(OrganisationView::from).collect()))
}

/// Add an organisation (admins).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "administration", request_body = OrgInput,
    responses((status = 201, body = OrganisationView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn create_org(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<OrgInput>,
) -> AppResult<(StatusCode, ApiJson<OrganisationView>)> {
    let o = admin::create_org(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(OrganisationView::from(&o))))
}

/// Users (staff).
#[utoipa::path(get, path = "/api/v1/users", tag = "administration",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = Problem)))]
async fn list_users(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<UserView>>> {
    let list = admin::users(&state.store, &a.actor).await?;
    Ok(ApiJson(list.iter().map(UserView::from).collect()))
}

/// Add a user (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "administration", request_body = UserInput,
    responses((status = 201, body = UserView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<UserInput>,
) -> AppResult<(StatusCode, ApiJson<UserView>)> {
    let u = admin::create_user(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(UserView::from(&u))))
}

/// One user (staff).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "administration",
    params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 404, body = Problem)))]
async fn get_user(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<UserView>> {
    Ok(ApiJson(UserView::from(
        &admin::user(&state.store, &a.actor, id).await?,
    )))
}

/// Change a user's name, role, time zone, password, or disable them (admins).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "administration", request_body = UserPatch,
    params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn patch_user(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<UserPatch>,
) -> AppResult<ApiJson<UserView>> {
    let u = admin::update_user(&state.store, &a.actor, id, &p).await?;
    Ok(ApiJson(UserView::from(&u)))
}

/// A user's API tokens, without their secrets (admins).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "administration",
    params(("id" = i64, Path)), responses((status = 200, body = Vec<TokenView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_user_tokens(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Vec<TokenView>>> {
    let list = admin::user_tokens(&state.store, &a.actor, id).await?;
    Ok(ApiJson(
        list.iter().map(|t| TokenView::new(t, None)).collect(),
    ))
}

/// Revoke one of a user's API tokens (admins).
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token}", tag = "administration",
    params(("id" = i64, Path), ("token" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_user_token(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((id, token)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    admin::revoke_user_token(&state.store, &a.actor, id, token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Assignment groups (staff).
#[utoipa::path(get, path = "/api/v1/groups", tag = "administration",
    responses((status = 200, body = Vec<GroupView>), (status = 403, body = Problem)))]
async fn list_groups(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<GroupView>>> {
    let list = admin::groups(&state.store, &a.actor).await?;
    Ok(ApiJson(list.iter().map(GroupView::from).collect()))
}

/// Add an assignment group with its members (managers and admins).
#[utoipa::path(post, path = "/api/v1/groups", tag = "administration", request_body = GroupInput,
    responses((status = 201, body = GroupView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn create_group(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<GroupInput>,
) -> AppResult<(StatusCode, ApiJson<GroupView>)> {
    let g = admin::create_group(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(GroupView::from(&g))))
}

/// One assignment group with its manager and members (staff).
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "administration",
    params(("id" = i64, Path)),
    responses((status = 200, body = GroupDetailView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_group(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<GroupDetailView>> {
    let (g, members) = admin::group(&state.store, &a.actor, id).await?;
    Ok(ApiJson(GroupDetailView::new(&g, &members)))
}

/// Change a group: name, description, manager, members (managers and admins).
#[utoipa::path(patch, path = "/api/v1/groups/{id}", tag = "administration", request_body = GroupPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = GroupDetailView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn patch_group(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<GroupPatch>,
) -> AppResult<ApiJson<GroupDetailView>> {
    admin::update_group(&state.store, &a.actor, id, &patch).await?;
    let (g, members) = admin::group(&state.store, &a.actor, id).await?;
    Ok(ApiJson(GroupDetailView::new(&g, &members)))
}

/// One organisation with the services it receives (staff).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "administration",
    params(("id" = i64, Path)),
    responses((status = 200, body = OrganisationDetailView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_org(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<OrganisationDetailView>> {
    let (o, services) = admin::org(&state.store, &a.actor, id).await?;
    Ok(ApiJson(OrganisationDetailView::new(&o, &services)))
}

/// Change an organisation: name, time zone, services received (admins).
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "administration", request_body = OrgPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = OrganisationDetailView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn patch_org(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<OrgPatch>,
) -> AppResult<ApiJson<OrganisationDetailView>> {
    admin::update_org(&state.store, &a.actor, id, &patch).await?;
    let (o, services) = admin::org(&state.store, &a.actor, id).await?;
    Ok(ApiJson(OrganisationDetailView::new(&o, &services)))
}
