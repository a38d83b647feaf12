//! Attachments: one upload mechanism for every record that takes files (today:
//! incidents). The type is decided from the bytes, the name is cleaned, the
//! bytes are stored in the data folder under a random key (never a name a
//! user chose) and served only as a download, under the same visibility rules
//! as comments: customers see public attachments of their own organisation's
//! incidents; internal ones are for staff.

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use steward_domain::access::{Action, Actor};
use steward_domain::attachment;
use steward_domain::incident::CommentVisibility;
use steward_store::{Attachment, AuditActor, NewAttachment};

use crate::AppState;
use crate::auth::random_token;
use crate::error::{AppError, AppResult};
use crate::incidents::{self, require};

fn path_of(state: &AppState, storage_key: &str) -> PathBuf {
    PathBuf::from(&state.config.data_dir)
        .join("attachments")
        .join(storage_key)
}

/// Whether the actor may attach files to this incident at all (404 when it is
/// hidden from them, 403 when their role may not): asked before the body is read.
pub async fn check_may_attach(state: &AppState, actor: &Actor, number: &str) -> AppResult<()> {
    let inc = incidents::get(state, actor, number).await?;
    require(actor, Action::IncidentComment, Some(inc.org_id))
}

/// Checks and stores a file for an incident, then records it with its audit entry.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    number: &str,
    visibility: Option<&str>,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    let inc = incidents::get(state, actor, number).await?;
    let visibility = match visibility.filter(|v| !v.is_empty()) {
        None => CommentVisibility::Public,
        Some(v) => CommentVisibility::parse(v)
            .ok_or_else(|| AppError::field("visibility", "must be public or internal"))?,
    };
    let action = match visibility {
        CommentVisibility::Public => Action::IncidentComment,
        CommentVisibility::Internal => Action::IncidentWorkNote,
    };
    require(actor, action, Some(inc.org_id))?;
    inc.state()
        .check_changeable()
        .map_err(|e| AppError::InvalidTransition(e.to_string()))?;
    if bytes.len() > state.config.max_upload_bytes {
        return Err(AppError::Rejected(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "files may be at most {} bytes",
                state.config.max_upload_bytes
            ),
        ));
    }
    let content_type = attachment::sniff(&bytes)?;
    let file_name = attachment::safe_file_name(file_name);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let storage_key = random_token(24);
    let path = path_of(state, &storage_key);
    let size = bytes.len() as i64;
    write_durably(path.clone(), bytes).await?;
    let new = NewAttachment {
        visibility: visibility.as_str().to_owned(),
        file_name,
        content_type: content_type.to_owned(),
        size,
        sha256,
        storage_key,
    };
    match state
        .store
        .add_attachment(&AuditActor::from(actor), &inc, &new)
        .await
    {
        Ok(a) => Ok(a),
        Err(e) => {
            // Not recorded, so not kept.
            let _ = tokio::fs::remove_file(&path).await;
            Err(e.into())
        }
    }
}

/// Writes to a temporary name, syncs, then renames, so a crash never leaves half a file under the key.
async fn write_durably(path: PathBuf, bytes: Vec<u8>) -> AppResult<()> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("part");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::internal(format!("storing an attachment: {e}")))
}

/// The attachments of an incident the actor may see.
pub async fn list(state: &AppState, actor: &Actor, number: &str) -> AppResult<Vec<Attachment>> {
    let inc = incidents::get(state, actor, number).await?;
    Ok(state
        .store
        .attachments(inc.id, actor.role.is_staff())
        .await?)
}

/// An attachment and its bytes, if the actor may see it (404 otherwise, whatever the reason).
pub async fn download(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(Attachment, Vec<u8>)> {
    let a = state.store.attachment(id).await?;
    // The incident's own visibility rule decides first (another organisation's: 404).
    incidents::get(state, actor, &a.incident_number).await?;
    if a.visibility == "internal" && !actor.role.is_staff() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(path_of(state, &a.storage_key))
        .await
        .map_err(|e| AppError::internal(format!("reading attachment {}: {e}", a.id)))?;
    Ok((a, bytes))
}

/// The response for a download: always an attachment, never rendered inline.
pub fn download_response(a: &Attachment, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let ascii: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::auth::urlencode(&a.file_name).replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// The fields of an upload form: `file` (required), `visibility` and, from
/// the web UI, `csrf`.
#[derive(Default)]
pub struct UploadForm {
    pub file_name: String,
    pub bytes: Option<Vec<u8>>,
    pub visibility: Option<String>,
    pub csrf: Option<String>,
}

/// Reads a `multipart/form-data` upload, refusing a file over the limit.
pub async fn read_upload(
    mut multipart: axum::extract::Multipart,
    max: usize,
) -> AppResult<UploadForm> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        AppError::Rejected(
            if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                status
            } else {
                axum::http::StatusCode::BAD_REQUEST
            },
            e.body_text(),
        )
    };
    let mut form = UploadForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => {
                form.file_name = field.file_name().unwrap_or("attachment").to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if bytes.len() + chunk.len() > max {
                        return Err(AppError::Rejected(
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                            format!("files may be at most {max} bytes"),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                form.bytes = Some(bytes);
            }
            "visibility" => form.visibility = Some(field.text().await.map_err(bad)?),
            "csrf" => form.csrf = Some(field.text().await.map_err(bad)?),
            other => {
                return Err(AppError::field(
                    other,
                    "is not a field of an upload (file, visibility)",
                ));
            }
        }
    }
    if form.bytes.is_none() {
        return Err(AppError::field("file", "is required"));
    }
    Ok(form)
}
