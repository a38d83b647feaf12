//! Attachments: one upload mechanism for every work record of any kind and
//! its comments. The type is decided from the bytes, the name is cleaned, the
//! bytes are stored in the data folder under a random key (never a name a
//! user chose) and served only as a download, under the same visibility rules
//! as comments: customers see public attachments of their own organisation's
//! records; internal ones are for staff.

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use steward_domain::access::{Action, Actor};
use steward_domain::attachment;
use steward_domain::incident::CommentVisibility;
use steward_store::{Attachment, AuditActor, Comment, NewAttachment, RecordRef};

use crate::AppState;
use crate::auth::random_token;
use crate::error::{AppError, AppResult};
use crate::incidents::CommentInput;
use crate::policy::require;
use crate::records;

fn path_of(state: &AppState, storage_key: &str) -> PathBuf {
    PathBuf::from(&state.config.data_dir)
        .join("attachments")
        .join(storage_key)
}

/// Whether the actor may attach files to this record (found for them) at
/// all (403 when their role may not): asked before the body is read.
pub fn check_may_attach(actor: &Actor, r: &RecordRef) -> AppResult<()> {
    require(
        actor,
        Action::Work(r.kind()?, steward_domain::kind::Verb::Comment),
        records::scope_org(r),
    )
}

/// A file as it came in a form: the name the client gave and the bytes.
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file that passed the checks, ready to be stored.
pub struct CheckedFile {
    file_name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// Checks size and content type (from the bytes) and cleans the name.
pub fn check_file(state: &AppState, file: UploadedFile) -> AppResult<CheckedFile> {
    if file.bytes.len() > state.config.max_upload_bytes {
        return Err(AppError::Rejected(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "files may be at most {} bytes",
                state.config.max_upload_bytes
            ),
        ));
    }
    let content_type = attachment::sniff(&file.bytes)?;
    Ok(CheckedFile {
        content_type,
        file_name: attachment::file_name_for(&file.name, content_type),
        bytes: file.bytes,
    })
}

/// Where an upload goes and who sees it: attached to one of the record's
/// comments, a file takes that comment's visibility, and only the comment's
/// author may add it.
async fn upload_visibility(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    visibility: Option<&str>,
    comment: Option<i64>,
) -> AppResult<CommentVisibility> {
    let given = visibility
        .filter(|v| !v.is_empty())
        .map(|v| records::visibility(Some(v)))
        .transpose()?;
    let visibility = match comment {
        None => given.unwrap_or(CommentVisibility::Public),
        Some(id) => {
            let missing =
                || AppError::field("comment", format!("{} has no comment {id}", r.number));
            let c = match state.store.comment(r.id, id).await {
                Ok(c) if c.visibility == "public" || actor.role.is_staff() => c,
                Ok(_) | Err(steward_store::StoreError::NotFound) => return Err(missing()),
                Err(e) => return Err(e.into()),
            };
            if c.author_id != Some(actor.user_id) {
                return Err(AppError::Forbidden(
                    "only the author of a comment may attach files to it".into(),
                ));
            }
            let own = CommentVisibility::parse(&c.visibility).ok_or_else(|| {
                AppError::internal(format!(
                    "comment {} has visibility {:?}",
                    c.id, c.visibility
                ))
            })?;
            if given.is_some_and(|g| g != own) {
                return Err(AppError::field(
                    "visibility",
                    format!("must be the comment's: {}", own.as_str()),
                ));
            }
            own
        }
    };
    require(
        actor,
        Action::Work(r.kind()?, records::verb_for(visibility)),
        records::scope_org(r),
    )?;
    records::check_open(r)?;
    Ok(visibility)
}

/// A comment with files: the files are checked and written first, then the
/// comment and their records are written in one transaction, so that a
/// refused file or a failure leaves neither a comment nor a file behind.
pub async fn comment_with_files(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    input: &CommentInput,
    files: Vec<UploadedFile>,
) -> AppResult<Comment> {
    let files = files
        .into_iter()
        .map(|f| check_file(state, f))
        .collect::<AppResult<Vec<_>>>()?;
    let mut staged = Vec::with_capacity(files.len());
    let mut result = Ok(());
    for file in files {
        // The comment's id and visibility are given to the records by the store.
        match stage(state, None, CommentVisibility::Public, file).await {
            Ok(s) => staged.push(s),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let news: Vec<NewAttachment> = staged.iter().map(|(n, _)| n.clone()).collect();
    let result = match result {
        Ok(()) => records::comment(state, actor, r, input, &news).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        for (_, path) in &staged {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
    result
}

/// Checks and stores a file for a record or one of its comments, then
/// records it with its audit entry.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    visibility: Option<&str>,
    comment: Option<i64>,
    file: UploadedFile,
) -> AppResult<Attachment> {
    let visibility = upload_visibility(state, actor, r, visibility, comment).await?;
    let file = check_file(state, file)?;
    store(state, actor, r, comment, visibility, file).await
}

/// Stores a checked file and records it; the caller has decided its target.
async fn store(
    state: &AppState,
    actor: &Actor,
    record: &RecordRef,
    comment_id: Option<i64>,
    visibility: CommentVisibility,
    file: CheckedFile,
) -> AppResult<Attachment> {
    let (new, path) = stage(state, comment_id, visibility, file).await?;
    match state
        .store
        .add_attachment(&AuditActor::from(actor), record, &new)
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

/// Writes a checked file to the data folder under a fresh key; returns its
/// record-to-be and where it lies (to remove it if the record is not written).
pub(crate) async fn stage(
    state: &AppState,
    comment_id: Option<i64>,
    visibility: CommentVisibility,
    file: CheckedFile,
) -> AppResult<(NewAttachment, PathBuf)> {
    let sha256 = hex::encode(Sha256::digest(&file.bytes));
    let storage_key = random_token(24);
    let path = path_of(state, &storage_key);
    let size = file.bytes.len() as i64;
    write_durably(path.clone(), file.bytes).await?;
    let new = NewAttachment {
        comment_id,
        visibility: visibility.as_str().to_owned(),
        file_name: file.file_name,
        content_type: file.content_type.to_owned(),
        size,
        sha256,
        storage_key,
    };
    Ok((new, path))
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

/// Checks and stores a file of an SMS record (a document's current version)
/// or, without a record, of manual evidence; then records it.
pub async fn store_record_file(
    state: &AppState,
    actor: &Actor,
    record: Option<&steward_store::SmsRecord>,
    file: UploadedFile,
) -> AppResult<steward_store::RecordFile> {
    let file = check_file(state, file)?;
    let (new, path) = stage(state, None, CommentVisibility::Internal, file).await?;
    match state
        .store
        .add_record_file(&AuditActor::from(actor), record, &new)
        .await
    {
        Ok(f) => Ok(f),
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e.into())
        }
    }
}

/// The bytes of a stored file.
pub async fn read_stored(state: &AppState, storage_key: &str) -> AppResult<Vec<u8>> {
    tokio::fs::read(path_of(state, storage_key))
        .await
        .map_err(|e| AppError::internal(format!("reading stored file {storage_key}: {e}")))
}

/// The attachments of a record found for the actor that they may see.
pub async fn list(state: &AppState, actor: &Actor, r: &RecordRef) -> AppResult<Vec<Attachment>> {
    if !records::sees_activity(actor, &r.kind) {
        return Ok(Vec::new());
    }
    Ok(state.store.attachments(r.id, actor.role.is_staff()).await?)
}

/// An attachment and its bytes, if the actor may see it (404 otherwise, whatever the reason).
pub async fn download(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(Attachment, Vec<u8>)> {
    let a = state.store.attachment(id).await?;
    // The record's own visibility rule decides first (another organisation's: 404).
    let r = records::get(state, actor, &a.record_number).await?;
    if (a.visibility == "internal" && !actor.role.is_staff())
        || !records::sees_activity(actor, &r.kind)
    {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(path_of(state, &a.storage_key))
        .await
        .map_err(|e| AppError::internal(format!("reading attachment {}: {e}", a.id)))?;
    Ok((a, bytes))
}

/// The response for a download: always an attachment, never rendered inline.
pub fn download_response(
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::auth::urlencode(file_name).replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
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

/// A `multipart/form-data` form: its text fields and its files.
#[derive(Default)]
pub struct MultipartForm {
    pub text: std::collections::HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.text.get(name).map(String::as_str)
    }

    /// An optional whole-number field (a record id).
    pub fn id(&self, name: &str) -> AppResult<Option<i64>> {
        match self.text(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::field(name, "must be a whole number")),
        }
    }
}

/// Reads a `multipart/form-data` form with the text fields `fields` and up to
/// `max_files` parts named `file`, each at most `max` bytes; a file input left
/// empty by a browser is skipped.
pub async fn read_form(
    mut multipart: axum::extract::Multipart,
    fields: &[&str],
    max_files: usize,
    max: usize,
) -> AppResult<MultipartForm> {
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
    let mut form = MultipartForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
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
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            if form.files.len() == max_files {
                return Err(AppError::field(
                    "file",
                    format!("at most {max_files} files at a time"),
                ));
            }
            let name = if file_name.is_empty() {
                "attachment".to_owned()
            } else {
                file_name
            };
            form.files.push(UploadedFile { name, bytes });
        } else if fields.contains(&name.as_str()) && !form.text.contains_key(&name) {
            let value = field.text().await.map_err(bad)?;
            form.text.insert(name, value);
        } else {
            return Err(AppError::field(
                &name,
                format!("is not a field of this form ({})", fields.join(", ")),
            ));
        }
    }
    Ok(form)
}
