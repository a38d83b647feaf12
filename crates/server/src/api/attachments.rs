//! `/api/v1/attachments/{id}`: a file of any record (a record's list and
//! uploads are the kernel's routes, `api/records.rs`).

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiPath;
use crate::AppState;
use crate::attachments::{self, download_response};
use crate::auth::ApiActor;
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
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
