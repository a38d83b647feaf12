//! `/api/v1/incidents/{number}/attachments` and `/api/v1/attachments/{id}`.

use axum::extract::{DefaultBodyLimit, FromRequest, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{ApiJson, ApiMultipart, ApiPath};
use crate::AppState;
use crate::attachments::{self, download_response, read_form};
use crate::auth::ApiActor;
use crate::error::{AppError, AppResult, Problem};
use crate::views::AttachmentView;

pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // Room for the file plus the form's other fields and boundaries.
        .routes(routes!(list, upload).layer(DefaultBodyLimit::max(max_upload + 64 * 1024)))
        .routes(routes!(download))
}

/// The incident's attachments (customers do not see internal ones).
#[utoipa::path(get, path = "/api/v1/incidents/{number}/attachments", tag = "attachments",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    responses((status = 200, body = Vec<AttachmentView>), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<AttachmentView>>> {
    let list = attachments::list(&state, &a.actor, &number).await?;
    Ok(ApiJson(list.iter().map(AttachmentView::from).collect()))
}

/// Attach a file (`multipart/form-data` with a `file` field, an optional
/// `visibility` (public, or internal for staff) and an optional `comment`: the
/// id of one of your own comments on the incident, whose visibility the file
/// then takes). The type is detected from the content: images, PDF, office
/// documents, archives and UTF-8 text are accepted.
#[utoipa::path(post, path = "/api/v1/incidents/{number}/attachments", tag = "attachments",
    params(("number" = String, Path, description = "e.g. INC-000123")),
    request_body(content_type = "multipart/form-data", description = "fields: file, visibility, comment"),
    responses((status = 201, body = AttachmentView), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    // Who may attach is answered before the body is read.
    attachments::check_may_attach(&state, &a.actor, &number).await?;
    let ApiMultipart(multipart) = ApiMultipart::from_request(request, &state).await?;
    let mut form = read_form(
        multipart,
        &["visibility", "comment"],
        1,
        state.config.max_upload_bytes,
    )
    .await?;
    let comment = form.id("comment")?;
    let file = form
        .files
        .pop()
        .ok_or_else(|| AppError::field("file", "is required"))?;
    let att = attachments::upload(
        &state,
        &a.actor,
        &number,
        form.text("visibility"),
        comment,
        file,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(AttachmentView::from(&att))).into_response())
}

/// Download an attachment (always as a file, never shown inline).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = Problem)))]
async fn download(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let (att, bytes) = attachments::download(&state, &a.actor, id).await?;
    Ok(download_response(&att.file_name, &att.content_type, bytes))
}
