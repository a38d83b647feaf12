//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document built
//! from the same handlers (`/api/v1/openapi.json`).

mod admin;
mod agreements;
mod attachments;
mod audit;
mod calendars;
mod conformity;
mod jobs;
mod me;
mod records;
mod registers;
mod search;
mod services;

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::AppError;

/// JSON body whose rejections are problem documents.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query string whose rejections are problem documents.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// A multipart body whose rejections are problem documents.
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(AppError::from)
    }
}

/// Path parameters whose rejections are problem documents.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A JSON body with its `ETag` (the record's version).
pub fn with_etag<T: serde::Serialize>(version: i64, body: T) -> Response {
    let mut res = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"v{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// The version an `If-Match` header names; `None` when absent or `*`.
/// A value that names no version can match nothing, so it answers 412.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| AppError::PreconditionFailed)?.trim();
    if v == "*" {
        return Ok(None);
    }
    v.trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or(AppError::PreconditionFailed)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward API",
        description = "IT service management with live ISO/IEC 20000-1 evidence. \
            Authenticate with `Authorization: Bearer <token>`; errors are RFC 9457 problem documents.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The API's routes and their OpenAPI description.
pub fn router(max_upload: usize) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::incidents::api::router())
        .merge(crate::problems::api::router())
        .merge(crate::complaints::api::router())
        .merge(crate::nonconformities::api::router())
        .merge(crate::actions::api::router())
        .merge(crate::improvements::api::router())
        .merge(crate::audits::api::router())
        .merge(crate::findings::api::router())
        .merge(crate::reviews::api::router())
        .merge(crate::articles::api::router())
        .merge(crate::requests::api::router())
        .merge(crate::relationship::api::router())
        .merge(crate::mail_in::web::api_router())
        .merge(crate::satisfaction::api::router())
        .merge(crate::service_reports::api::router())
        .merge(crate::surveys::api::router())
        .merge(attachments::router())
        .merge(records::router(max_upload))
        .merge(services::router())
        .merge(search::router())
        .merge(admin::router())
        .merge(me::router())
        .merge(audit::router())
        .merge(jobs::router())
        .merge(conformity::router(max_upload))
        .merge(calendars::router())
        .merge(agreements::router())
        .merge(registers::router(max_upload))
        .split_for_parts()
}
