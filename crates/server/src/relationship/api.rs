//! `/api/v1/customers` (profiles and contacts) and `/api/v1/service-reviews`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    ContactInput, ContactView, CustomerView, ProfileInput, ServiceReviewInput, ServiceReviewPatch,
    ServiceReviewStepInput, ServiceReviewView,
};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, if_match, with_etag};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};
use crate::paging::KindListParams;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customers))
        .routes(routes!(customer))
        .routes(routes!(put_profile))
        .routes(routes!(add_contact))
        .routes(routes!(remove_contact))
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(step))
}

/// Every customer with its relationship at a glance (staff).
#[utoipa::path(get, path = "/api/v1/customers", tag = "relationship",
    responses((status = 200, body = Vec<CustomerView>), (status = 403, body = Problem)))]
async fn customers(
    State(state): State<AppState>,
    a: ApiActor,
) -> AppResult<ApiJson<Vec<CustomerView>>> {
    let list = super::customers(&state, &a.actor).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(
        list.iter().map(|c| CustomerView::of(c, &[], now)).collect(),
    ))
}

/// One customer: profile, relationship manager, contacts, reviews (staff).
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "relationship",
    params(("id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = CustomerView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn customer(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<CustomerView>> {
    let (c, contacts) = super::customer(&state, &a.actor, id).await?;
    Ok(ApiJson(CustomerView::of(
        &c,
        &contacts,
        steward_store::now_ms(),
    )))
}

/// Set a customer's profile and relationship manager (admins and managers).
#[utoipa::path(put, path = "/api/v1/customers/{id}/profile", tag = "relationship",
    request_body = ProfileInput,
    params(("id" = i64, Path, description = "The organisation's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_profile(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> AppResult<StatusCode> {
    super::set_profile(&state, &a.actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a contact at a customer (admins and managers).
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "relationship",
    request_body = ContactInput,
    params(("id" = i64, Path, description = "The organisation's id")),
    responses((status = 201, body = ContactView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_contact(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> AppResult<Response> {
    let c = super::add_contact(&state, &a.actor, id, &input).await?;
    Ok((StatusCode::CREATED, ApiJson(ContactView::of(&c))).into_response())
}

/// Remove a contact (admins and managers).
#[utoipa::path(delete, path = "/api/v1/customers/{id}/contacts/{contact}", tag = "relationship",
    params(("id" = i64, Path, description = "The organisation's id"), ("contact" = i64, Path, description = "The contact's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_contact(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((id, contact)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    super::remove_contact(&state, &a.actor, id, contact).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn view(r: &steward_store::ServiceReview) -> Response {
    with_etag(r.version, ServiceReviewView::of(r, steward_store::now_ms()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceReviewPage {
    pub items: Vec<ServiceReviewView>,
    pub next_cursor: Option<String>,
}

/// List service reviews, newest first (customers: their organisation's).
#[utoipa::path(get, path = "/api/v1/service-reviews", tag = "relationship", params(KindListParams),
    responses((status = 200, body = ServiceReviewPage), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(params): ApiQuery<KindListParams>,
) -> AppResult<ApiJson<ServiceReviewPage>> {
    let page = super::list(&state, &a.actor, &params).await?;
    let now = steward_store::now_ms();
    Ok(ApiJson(ServiceReviewPage {
        items: page
            .items
            .iter()
            .map(|r| ServiceReviewView::of(r, now))
            .collect(),
        next_cursor: page.next.as_ref().map(crate::paging::encode_cursor),
    }))
}

/// Plan a service review with a customer (admins and managers).
#[utoipa::path(post, path = "/api/v1/service-reviews", tag = "relationship", request_body = ServiceReviewInput,
    responses((status = 201, body = ServiceReviewView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiJson(input): ApiJson<ServiceReviewInput>,
) -> AppResult<Response> {
    let r = super::create(&state, &a.actor, &input).await?;
    let mut res = view(&r);
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/service-reviews/{}", r.number).parse() {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(res)
}

/// One service review; its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/service-reviews/{number}", tag = "relationship",
    params(("number" = String, Path, description = "e.g. SRM-0001")),
    responses((status = 200, body = ServiceReviewView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<Response> {
    Ok(view(&super::get(&state, &a.actor, &number).await?))
}

/// Change a planned review: its day, subject, agenda, attendees.
#[utoipa::path(patch, path = "/api/v1/service-reviews/{number}", tag = "relationship", request_body = ServiceReviewPatch,
    params(("number" = String, Path, description = "e.g. SRM-0001")),
    responses((status = 200, body = ServiceReviewView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ServiceReviewPatch>,
) -> AppResult<Response> {
    let r = super::update(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&r))
}

/// Record a review as held (with its minutes) or cancel it (with why).
#[utoipa::path(post, path = "/api/v1/service-reviews/{number}/transitions", tag = "relationship",
    request_body = ServiceReviewStepInput,
    params(("number" = String, Path, description = "e.g. SRM-0001")),
    responses((status = 200, body = ServiceReviewView), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<ServiceReviewStepInput>,
) -> AppResult<Response> {
    let r = super::step(&state, &a.actor, &number, &input, if_match(&headers)?).await?;
    Ok(view(&r))
}
