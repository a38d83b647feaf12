//! Multipart forms posted by our pages (comments with files, uploads).

use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;

/// A `multipart/form-data` post from one of our pages: same origin, and the
/// session's CSRF token in its `csrf` field.
pub(crate) async fn page_multipart(
    state: &AppState,
    s: &WebSession,
    headers: &axum::http::HeaderMap,
    multipart: axum::extract::Multipart,
    fields: &[&str],
    max_files: usize,
) -> crate::error::AppResult<crate::attachments::MultipartForm> {
    let forbidden = || {
        AppError::Forbidden(
            "the form expired or came from another site; reload the page and try again".into(),
        )
    };
    if !crate::auth::same_origin(headers) {
        return Err(forbidden());
    }
    let mut all = vec!["csrf"];
    all.extend_from_slice(fields);
    let form =
        crate::attachments::read_form(multipart, &all, max_files, state.config.max_upload_bytes)
            .await?;
    if !crate::auth::constant_time_eq(form.text("csrf").unwrap_or(""), &s.csrf) {
        return Err(forbidden());
    }
    Ok(form)
}
