//! The kernel's routes, the same for every kind of work record (ADR 0010):
//! comments and work notes, attachments, history and links under
//! `/api/v1/{kind}/{number}/…`. They are written once here, registered for
//! each kind in the registry ([`Kind::ALL`]) and documented per kind, under
//! the kind's tag, from one description.

use axum::extract::{DefaultBodyLimit, FromRequest, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get};
use steward_domain::kind::{Kind, Verb};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi as Doc, RefOr};
use utoipa_axum::router::OpenApiRouter;

use super::{ApiJson, ApiMultipart, ApiPath};
use crate::AppState;
use crate::attachments::{self, read_form};
use crate::auth::ApiActor;
use crate::error::{AppError, AppResult, Problem};
use crate::incidents::CommentInput;
use crate::records::{self, LinkInput, LinkView};
use crate::views::{AttachmentView, AuditEntryView, CommentView};

#[derive(OpenApi)]
#[openapi(paths(
    comments,
    add_comment,
    history,
    links,
    add_link,
    remove_link,
    list_attachments,
    upload,
    get_rating,
    rate
))]
struct KernelDoc;

/// The kernel's routes for every kind, with their description.
pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(documented_per_kind());
    for kind in Kind::ALL {
        let base = format!("/api/v1/{}/{{number}}", kind.spec().path);
        router = router
            .route(
                &format!("{base}/comments"),
                get(move |s, a, p| comments(kind, s, a, p))
                    .post(move |s, a, p, b| add_comment(kind, s, a, p, b)),
            )
            .route(
                &format!("{base}/history"),
                get(move |s, a, p| history(kind, s, a, p)),
            )
            .route(
                &format!("{base}/links"),
                get(move |s, a, p| links(kind, s, a, p))
                    .post(move |s, a, p, b| add_link(kind, s, a, p, b)),
            )
            .route(
                &format!("{base}/links/{{other}}"),
                delete(move |s, a, p| remove_link(kind, s, a, p)),
            )
            .route(
                &format!("{base}/attachments"),
                attachment_routes(kind)
                    // Room for the file plus the form's other fields and boundaries.
                    .layer(DefaultBodyLimit::max(max_upload + 64 * 1024)),
            );
        if rated(kind) {
            router = router.route(
                &format!("{base}/rating"),
                get(move |s, a, p| get_rating(kind, s, a, p))
                    .post(move |s, a, p, b| rate(kind, s, a, p, b)),
            );
        }
    }
    router
}

/// Whether records of `kind` are rated by anyone (its descriptor grants `Rate`).
fn rated(kind: Kind) -> bool {
    !kind.granted(Verb::Rate).is_empty()
}

fn attachment_routes(kind: Kind) -> MethodRouter<AppState> {
    get(move |s, a, p| list_attachments(kind, s, a, p))
        .post(move |s, a, p, r| upload(kind, s, a, p, r))
}

/// The description of `/api/v1/{kind}/…` copied for each kind: its own
/// path, its tag, an example number of its own and operation ids that stay
/// unique.
fn documented_per_kind() -> Doc {
    let template = KernelDoc::openapi();
    let mut doc = Doc::default();
    for kind in Kind::ALL {
        let spec = kind.spec();
        let example = format!("e.g. {}", spec.number.format(1));
        for (path, item) in &template.paths.paths {
            if path.ends_with("/rating") && !rated(kind) {
                continue;
            }
            let mut item = item.clone();
            for op in [&mut item.get, &mut item.post, &mut item.delete]
                .into_iter()
                .flatten()
            {
                per_kind(op, spec.path, &example);
            }
            doc.paths
                .paths
                .insert(path.replace("{kind}", spec.path), item);
        }
    }
    doc.components = template.components;
    doc
}

fn per_kind(op: &mut Operation, path: &str, example: &str) {
    op.tags = Some(vec![path.to_owned()]);
    op.operation_id = op.operation_id.take().map(|id| format!("{id}_{path}"));
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && p.name == "number"
        {
            p.description = Some(example.to_owned());
        }
    }
}

/// Comments and (for staff) work notes, oldest first.
#[utoipa::path(get, path = "/api/v1/{kind}/{number}/comments",
    params(("number" = String, Path)),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = Problem)))]
async fn comments(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<CommentView>>> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let list = records::comments(&state, &a.actor, &r).await?;
    Ok(ApiJson(list.iter().map(CommentView::from).collect()))
}

/// Add a comment (public) or a work note (`visibility: internal`, staff only).
#[utoipa::path(post, path = "/api/v1/{kind}/{number}/comments", request_body = CommentInput,
    params(("number" = String, Path)),
    responses((status = 201, body = CommentView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn add_comment(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> AppResult<Response> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let c = records::comment(&state, &a.actor, &r, &input, &[]).await?;
    Ok((StatusCode::CREATED, axum::Json(CommentView::from(&c))).into_response())
}

/// The record's audit history, oldest first (customers do not see work notes).
#[utoipa::path(get, path = "/api/v1/{kind}/{number}/history",
    params(("number" = String, Path)),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 404, body = Problem)))]
async fn history(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<AuditEntryView>>> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let entries = records::history(&state, &a.actor, &r).await?;
    Ok(ApiJson(entries.iter().map(AuditEntryView::from).collect()))
}

/// The record's links to other records, read from its side.
#[utoipa::path(get, path = "/api/v1/{kind}/{number}/links",
    params(("number" = String, Path)),
    responses((status = 200, body = Vec<LinkView>), (status = 404, body = Problem)))]
async fn links(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<LinkView>>> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let list = records::links(&state, &a.actor, &r).await?;
    Ok(ApiJson(list.iter().map(LinkView::from).collect()))
}

/// Link the record to another, e.g. `{"record": "PRB-000001", "type": "caused_by"}` (staff).
#[utoipa::path(post, path = "/api/v1/{kind}/{number}/links", request_body = LinkInput,
    params(("number" = String, Path)),
    responses((status = 201, body = LinkView), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_link(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<Response> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let l = records::link(&state, &a.actor, &r.number, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(LinkView::from(&l))).into_response())
}

/// Remove the record's link to another (staff).
#[utoipa::path(delete, path = "/api/v1/{kind}/{number}/links/{other}",
    params(("number" = String, Path), ("other" = String, Path, description = "the other record, e.g. INC-000123")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_link(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath((number, other)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    records::unlink(&state, &a.actor, &r.number, &other).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The record's attachments (customers do not see internal ones).
#[utoipa::path(get, path = "/api/v1/{kind}/{number}/attachments",
    params(("number" = String, Path)),
    responses((status = 200, body = Vec<AttachmentView>), (status = 404, body = Problem)))]
async fn list_attachments(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Vec<AttachmentView>>> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let list = attachments::list(&state, &a.actor, &r).await?;
    Ok(ApiJson(list.iter().map(AttachmentView::from).collect()))
}

/// Attach a file (`multipart/form-data` with a `file` field, an optional
/// `visibility` (public, or internal for staff) and an optional `comment`: the
/// id of one of your own comments on the record, whose visibility the file
/// then takes). The type is detected from the content: images, PDF, office
/// documents, archives and UTF-8 text are accepted.
#[utoipa::path(post, path = "/api/v1/{kind}/{number}/attachments",
    params(("number" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "fields: file, visibility, comment"),
    responses((status = 201, body = AttachmentView), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    // Who may attach is answered before the body is read.
    attachments::check_may_attach(&a.actor, &r)?;
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
    let att =
        attachments::upload(&state, &a.actor, &r, form.text("visibility"), comment, file).await?;
    Ok((StatusCode::CREATED, axum::Json(AttachmentView::from(&att))).into_response())
}

/// The customer's rating of the record: `null` until it is rated.
#[utoipa::path(get, path = "/api/v1/{kind}/{number}/rating",
    params(("number" = String, Path)),
    responses((status = 200, body = Option<crate::satisfaction::RatingView>), (status = 404, body = Problem)))]
async fn get_rating(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Option<crate::satisfaction::RatingView>>> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let rating = crate::satisfaction::rating(&state, &r).await?;
    Ok(ApiJson(
        rating.as_ref().map(crate::satisfaction::RatingView::from),
    ))
}

/// Rate how the record was resolved, once, 1 to 5 (its customer, once resolved).
#[utoipa::path(post, path = "/api/v1/{kind}/{number}/rating",
    request_body = crate::satisfaction::RatingInput,
    params(("number" = String, Path)),
    responses((status = 201, body = crate::satisfaction::RatingView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn rate(
    kind: Kind,
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(number): ApiPath<String>,
    ApiJson(input): ApiJson<crate::satisfaction::RatingInput>,
) -> AppResult<Response> {
    let r = records::get_of(&state, &a.actor, kind, &number).await?;
    let rating = crate::satisfaction::rate(&state, &a.actor, &r, &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(crate::satisfaction::RatingView::from(&rating)),
    )
        .into_response())
}
