//! The SMS registers: `/api/v1/{register}` for context, interested-parties,
//! roles, risks, objectives, plan, training, communications and documents,
//! plus the document workflow, acknowledgements and files.

use axum::extract::{DefaultBodyLimit, FromRequest, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{ApiJson, ApiMultipart, ApiPath, ApiQuery, if_match, with_etag};
use crate::AppState;
use crate::attachments::{download_response, read_form};
use crate::auth::ApiActor;
use crate::error::{AppError, AppResult, Problem};
use crate::registers::{self, register_of};
use crate::views::{RecordFileView, RecordPage, RecordView};

pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, patch))
        .routes(routes!(step))
        .routes(routes!(acknowledge))
        .routes(routes!(upload).layer(DefaultBodyLimit::max(max_upload + 64 * 1024)))
        .routes(routes!(download))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PageParams {
    /// The last number of the previous page (its `next`).
    after: Option<String>,
    /// 1..500, default 100.
    limit: Option<i64>,
}

/// A register's records in number order (keyset pages).
#[utoipa::path(get, path = "/api/v1/{register}", tag = "sms",
    params(("register" = String, Path, description = "context, interested-parties, roles, risks, objectives, plan, training, communications or documents"), PageParams),
    responses((status = 200, body = RecordPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(register): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> AppResult<ApiJson<RecordPage>> {
    let register = register_of(&register)?;
    Ok(ApiJson(
        registers::page(&state, &a.actor, register, q.after.as_deref(), q.limit).await?,
    ))
}

/// Add a record (managers and admins). The body names `title`, `description`,
/// `status` and the register's fields; the problem document lists every
/// field that is wrong.
#[utoipa::path(post, path = "/api/v1/{register}", tag = "sms",
    params(("register" = String, Path)),
    request_body(content = Object, description = "title, description, status and the register's fields"),
    responses((status = 201, body = RecordView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(register): ApiPath<String>,
    ApiJson(input): ApiJson<Map<String, Json>>,
) -> AppResult<Response> {
    let register = register_of(&register)?;
    let r = registers::create(&state, &a.actor, register, &input).await?;
    let scale = registers::context(&state).risk_scale;
    let mut res = with_etag(r.version, RecordView::new(&r, scale, None));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One record; an objective with its live value, a document with its
/// acknowledgements and files.
#[utoipa::path(get, path = "/api/v1/{register}/{number}", tag = "sms",
    params(("register" = String, Path), ("number" = String, Path, description = "e.g. RSK-0004")),
    responses((status = 200, body = RecordView), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((register, number)): ApiPath<(String, String)>,
) -> AppResult<Response> {
    let register = register_of(&register)?;
    let d = registers::detail(&state, &a.actor, register, &number).await?;
    Ok(with_etag(d.record.version, d.view))
}

/// Change a record (managers and admins); fields not named keep their value.
/// Honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/{register}/{number}", tag = "sms",
    params(("register" = String, Path), ("number" = String, Path)),
    request_body(content = Object),
    responses((status = 200, body = RecordView), (status = 412, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath((register, number)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<Map<String, Json>>,
) -> AppResult<Response> {
    let register = register_of(&register)?;
    let r = registers::update(
        &state,
        &a.actor,
        register,
        &number,
        &input,
        if_match(&headers)?,
    )
    .await?;
    let scale = registers::context(&state).risk_scale;
    Ok(with_etag(r.version, RecordView::new(&r, scale, None)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StepInput {
    /// submit, approve, reject, revise or retire.
    step: String,
}

/// Take a step of a document's workflow: submit (draft to in review), approve
/// or reject (the approver; never one's own document unless configured),
/// revise (approved to a new draft version), retire (to obsolete).
#[utoipa::path(post, path = "/api/v1/documents/{number}/steps", tag = "sms",
    params(("number" = String, Path, description = "e.g. DOC-0003")),
    request_body = StepInput,
    responses((status = 200, body = RecordView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn step(
    State(state): State<AppState>,
    a: ApiActor,
    headers: HeaderMap,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<StepInput>,
) -> AppResult<Response> {
    let r = registers::step(&state, &a.actor, &number, &input.step, if_match(&headers)?).await?;
    let scale = registers::context(&state).risk_scale;
    Ok(with_etag(r.version, RecordView::new(&r, scale, None)))
}

/// Acknowledge having read the approved version of a document distributed to you.
#[utoipa::path(post, path = "/api/v1/documents/{number}/acknowledgement", tag = "sms",
    params(("number" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<StatusCode> {
    registers::acknowledge(&state, &a.actor, &number).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attach a file to the version of the document being written
/// (`multipart/form-data` with a `file` field; type detected from the content).
#[utoipa::path(post, path = "/api/v1/documents/{number}/files", tag = "sms",
    params(("number" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "field: file"),
    responses((status = 201, body = RecordFileView), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    // Who may attach is answered before the body is read.
    registers::may_attach(&state, &a.actor, &number).await?;
    let ApiMultipart(multipart) = ApiMultipart::from_request(request, &state).await?;
    let mut form = read_form(multipart, &[], 1, state.config.max_upload_bytes).await?;
    let file = form
        .files
        .pop()
        .ok_or_else(|| AppError::field("file", "is required"))?;
    let f = registers::attach(&state, &a.actor, &number, file).await?;
    Ok((StatusCode::CREATED, axum::Json(RecordFileView::from(&f))).into_response())
}

/// Download a file of a document (always as a file, never shown inline).
#[utoipa::path(get, path = "/api/v1/documents/{number}/files/{id}", tag = "sms",
    params(("number" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = Problem)))]
async fn download(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, id)): ApiPath<(String, i64)>,
) -> AppResult<Response> {
    let (f, bytes) = registers::document_file(&state, &a.actor, &number, id).await?;
    Ok(download_response(&f.file_name, &f.content_type, bytes))
}
