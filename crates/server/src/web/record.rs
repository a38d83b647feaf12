//! What every work record's page shows the same way (the kernel, ADR 0010):
//! its timeline of comments, work notes and changes from the audit trail, its
//! files and its links, and the forms that add them (one route each per kind).

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use steward_domain::access::Actor;
use steward_domain::kind::Kind;
use steward_store::RecordRef;

use super::multipart::page_multipart;
use super::{WebResult, WebRoutes, local_time};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::{AppError, AppResult};
use crate::incidents::CommentInput;
use crate::records::LinkInput;

/// One entry of a record's timeline.
pub struct TimelineItem {
    pub at: i64,
    pub when: String,
    pub who: String,
    pub kind: &'static str,
    pub label: String,
    pub body: String,
    pub changes: Vec<(String, String, String)>,
    /// Files attached to this comment.
    pub files: Vec<AttachmentRow>,
}

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) if s.is_empty() => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A change's fields as people read them; a time (`..._at`, kept in
/// milliseconds) reads as one.
pub fn changes_of(json: &str) -> Vec<(String, String, String)> {
    let list: Vec<steward_domain::audit::FieldChange> =
        serde_json::from_str(json).unwrap_or_default();
    list.iter()
        .map(|c| {
            let show = |v: &serde_json::Value| match v.as_i64() {
                Some(ms) if c.field.ends_with("_at") => crate::views::time(ms),
                _ => show_value(v),
            };
            (c.field.replace('_', " "), show(&c.before), show(&c.after))
        })
        .collect()
}

/// The record's comments and history, newest first; `files` are the record's
/// attachments with the comment each belongs to.
pub async fn timeline(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    files: &[(Option<i64>, AttachmentRow)],
    tz: &str,
) -> AppResult<Vec<TimelineItem>> {
    let mut timeline = Vec::new();
    for c in crate::records::comments(state, actor, r).await? {
        let internal = c.visibility == "internal";
        let own_files = files
            .iter()
            .filter(|(on, _)| *on == Some(c.id))
            .map(|(_, f)| f.clone())
            .collect();
        timeline.push(TimelineItem {
            at: c.created_at,
            when: local_time(c.created_at, tz),
            who: c.author_name.clone().unwrap_or_else(|| "Steward".into()),
            kind: if internal { "work_note" } else { "comment" },
            label: if internal {
                "work note (staff only)".into()
            } else {
                "comment".into()
            },
            body: c.body,
            changes: Vec::new(),
            files: own_files,
        });
    }
    let kind_label = r
        .kind()
        .map(|k| k.spec().label.to_lowercase())
        .unwrap_or_default();
    for e in crate::records::history(state, actor, r).await? {
        if matches!(e.action.as_str(), "comment" | "work_note") {
            continue;
        }
        let label = match e.action.as_str() {
            "create" if r.kind == "incident" => "raised the incident".to_owned(),
            "create" => format!("recorded the {kind_label}"),
            "import" => format!("imported the {kind_label}"),
            "update" => "changed fields".to_owned(),
            other => other.replace('_', " "),
        };
        let changes = if matches!(e.action.as_str(), "create" | "import") {
            Vec::new()
        } else {
            changes_of(&e.changes)
        };
        timeline.push(TimelineItem {
            at: e.occurred_at,
            when: local_time(e.occurred_at, tz),
            who: e.actor_label,
            kind: "change",
            label,
            body: String::new(),
            changes,
            files: Vec::new(),
        });
    }
    timeline.sort_by_key(|t| std::cmp::Reverse(t.at));
    Ok(timeline)
}

/// How a record's page shows a refused change: the status and the errors to
/// list at the top, or the error itself when the page cannot show it (a
/// record that is not there, a role that may not).
pub fn refusal(
    e: crate::error::AppError,
    kind: &str,
) -> Result<(axum::http::StatusCode, Vec<steward_domain::FieldError>), crate::error::AppError> {
    use crate::error::AppError;
    use axum::http::StatusCode;
    let one = |field: &str, message: String| {
        vec![steward_domain::FieldError {
            field: field.into(),
            message,
        }]
    };
    Ok(match e {
        AppError::Validation(v) => (StatusCode::UNPROCESSABLE_ENTITY, v.0),
        AppError::InvalidTransition(m) | AppError::Conflict(m) => {
            (StatusCode::CONFLICT, one("action", m))
        }
        AppError::PreconditionFailed => (
            StatusCode::PRECONDITION_FAILED,
            one(
                kind,
                format!(
                    "someone else changed this {kind} while you were looking at it; review the current version and try again"
                ),
            ),
        ),
        other => return Err(other),
    })
}

/// One file in a record's list.
#[derive(Clone)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub size: String,
    pub who: String,
    pub when: String,
    pub internal: bool,
}

fn human_size(n: i64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
        n if n >= 1024 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

/// What every record's page shows the same way: its files, its timeline
/// (comments with their files, and changes) and its links.
pub struct RecordParts {
    pub attachments: Vec<AttachmentRow>,
    pub timeline: Vec<TimelineItem>,
    pub links: Vec<crate::records::LinkView>,
}

pub async fn parts(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    tz: &str,
) -> AppResult<RecordParts> {
    let files: Vec<(Option<i64>, AttachmentRow)> = state
        .store
        .attachments(r.id, actor.role.is_staff())
        .await?
        .into_iter()
        .map(|a| {
            let row = AttachmentRow {
                id: a.id,
                size: human_size(a.size),
                who: a.uploaded_by_name.unwrap_or_else(|| "Steward".into()),
                when: local_time(a.created_at, tz),
                internal: a.visibility == "internal",
                file_name: a.file_name,
            };
            (a.comment_id, row)
        })
        .collect();
    let timeline = timeline(state, actor, r, &files, tz).await?;
    let links = crate::records::links(state, actor, r)
        .await?
        .iter()
        .map(crate::records::LinkView::from)
        .collect();
    Ok(RecordParts {
        attachments: files.into_iter().map(|(_, f)| f).collect(),
        timeline,
        links,
    })
}

/// A refused form shown on the kind's own page, with what was being written.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    kind: Kind,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    match kind {
        Kind::Incident => crate::incidents::web::refused(state, s, number, e, draft).await,
        Kind::Problem => crate::problems::web::refused(state, s, number, e, draft).await,
        Kind::Complaint => crate::complaints::web::refused(state, s, number, e, draft).await,
        Kind::Nonconformity => {
            crate::nonconformities::web::refused(state, s, number, e, draft).await
        }
        Kind::Action => crate::actions::web::refused(state, s, number, e, draft).await,
        Kind::Improvement => crate::improvements::web::refused(state, s, number, e, draft).await,
        Kind::Audit => crate::audits::web::refused(state, s, number, e, draft).await,
        Kind::Finding => crate::findings::web::refused(state, s, number, e, draft).await,
        Kind::Review => crate::reviews::web::refused(state, s, number, e, draft).await,
        Kind::Article => crate::articles::web::refused(state, s, number, e, draft).await,
        Kind::Request => crate::requests::web::refused(state, s, number, e, draft).await,
        Kind::Task => crate::requests::web::task_refused(state, s, number, e, draft).await,
        Kind::ServiceReview => {
            crate::relationship::web::review_refused(state, s, number, e, draft).await
        }
    }
}

/// The most files one comment takes.
pub const MAX_COMMENT_FILES: usize = 5;

/// The kernel's forms on every kind's page: a comment or work note with
/// files, a file, a link to another record.
pub fn routes(max_upload: usize) -> WebRoutes {
    let mut w = WebRoutes::default();
    for kind in Kind::ALL {
        let base = format!("/{}/{{number}}", kind.spec().path);
        w = w
            .route(
                format!("{base}/comments"),
                "POST",
                post(move |st, s, h, p, m| comment(kind, st, s, h, p, m)).layer(
                    DefaultBodyLimit::max(MAX_COMMENT_FILES * max_upload + 64 * 1024),
                ),
            )
            .route(
                format!("{base}/attachments"),
                "POST",
                post(move |st, s, h, p, m| attach(kind, st, s, h, p, m))
                    .layer(DefaultBodyLimit::max(max_upload + 64 * 1024)),
            )
            .route(
                format!("{base}/links"),
                "POST",
                post(move |st, p, f| link(kind, st, p, f)),
            );
        if !kind.granted(steward_domain::kind::Verb::Rate).is_empty() {
            w = w.route(
                format!("{base}/rating"),
                "POST",
                post(move |st, p, f| rate(kind, st, p, f)),
            );
        }
    }
    w
}

fn page_of(kind: Kind, number: &str, m: &str) -> Response {
    Redirect::to(&format!("/{}/{number}?m={m}", kind.spec().path)).into_response()
}

/// A comment or work note, with any files attached to it.
async fn comment(
    kind: Kind,
    State(state): State<AppState>,
    s: WebSession,
    headers: HeaderMap,
    Path(number): Path<String>,
    multipart: Multipart,
) -> WebResult<Response> {
    let r = crate::records::get_of(&state, &s.actor, kind, &number).await?;
    // Who may comment is answered before the body is read.
    crate::attachments::check_may_attach(&s.actor, &r)?;
    let form = page_multipart(
        &state,
        &s,
        &headers,
        multipart,
        &["body", "visibility"],
        MAX_COMMENT_FILES,
    )
    .await?;
    let input = CommentInput {
        body: form.text("body").unwrap_or_default().to_owned(),
        visibility: form.text("visibility").map(str::to_owned),
    };
    match crate::attachments::comment_with_files(&state, &s.actor, &r, &input, form.files).await {
        Ok(_) => Ok(page_of(kind, &r.number, "commented")),
        Err(e) => refused(&state, &s, kind, &r.number, e, input.body).await,
    }
}

/// A file for the record itself.
async fn attach(
    kind: Kind,
    State(state): State<AppState>,
    s: WebSession,
    headers: HeaderMap,
    Path(number): Path<String>,
    multipart: Multipart,
) -> WebResult<Response> {
    let r = crate::records::get_of(&state, &s.actor, kind, &number).await?;
    // Who may attach is answered before the body is read.
    crate::attachments::check_may_attach(&s.actor, &r)?;
    let mut form = page_multipart(&state, &s, &headers, multipart, &["visibility"], 1).await?;
    let Some(file) = form.files.pop() else {
        let e = AppError::field("file", "is required");
        return refused(&state, &s, kind, &r.number, e, String::new()).await;
    };
    let visibility = form.text("visibility");
    match crate::attachments::upload(&state, &s.actor, &r, visibility, None, file).await {
        Ok(_) => Ok(page_of(kind, &r.number, "attached")),
        Err(e) => refused(&state, &s, kind, &r.number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    record: String,
    #[serde(rename = "type")]
    link_type: Option<String>,
}

/// Links the record to another from its page (an incident to its problem).
async fn link(
    kind: Kind,
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<LinkForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let r = crate::records::get_of(&state, &s.actor, kind, &number).await?;
    let input = LinkInput {
        record: form.record,
        link_type: form.link_type,
    };
    match crate::records::link(&state, &s.actor, &r.number, &input).await {
        Ok(_) => Ok(page_of(kind, &r.number, "linked")),
        Err(AppError::NotFound) => {
            let e = AppError::field(
                "record",
                format!("no record {} that you may see", input.record.trim()),
            );
            refused(&state, &s, kind, &r.number, e, String::new()).await
        }
        Err(e) => refused(&state, &s, kind, &r.number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

/// The customer's rating of the record, from its page.
async fn rate(
    kind: Kind,
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<RatingForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let r = crate::records::get_of(&state, &s.actor, kind, &number).await?;
    let input = crate::satisfaction::RatingInput {
        score: form.score.trim().parse().ok(),
        comment: Some(form.comment.clone()),
    };
    match crate::satisfaction::rate(&state, &s.actor, &r, &input).await {
        Ok(_) => Ok(page_of(kind, &r.number, "rated")),
        Err(e) => refused(&state, &s, kind, &r.number, e, String::new()).await,
    }
}

/// The message a record's page shows after one of its forms: the kernel's
/// (saved, moved, commented, attached, linked), or one of the kind's `own`.
pub fn flash(m: Option<&str>, own: &[(&str, &'static str)]) -> &'static str {
    let m = m.unwrap_or_default();
    if let Some((_, text)) = own.iter().find(|(k, _)| *k == m) {
        return text;
    }
    match m {
        "saved" => "Changes saved.",
        "moved" => "State changed.",
        "commented" => "Added.",
        "attached" => "File attached.",
        "linked" => "Linked.",
        "rated" => "Thank you for your rating.",
        _ => "",
    }
}

/// The services a record's form offers: those the actor may see, not retired,
/// as (number, "number name").
pub async fn service_options(state: &AppState, actor: &Actor) -> WebResult<Vec<(String, String)>> {
    let list = state
        .store
        .list_services(steward_domain::access::Visibility::of(actor))
        .await?;
    Ok(list
        .into_iter()
        .filter(|svc| svc.status != "retired")
        .map(|svc| (svc.number.clone(), format!("{} {}", svc.number, svc.name)))
        .collect())
}

/// A lifecycle step as a record page's step buttons post it: the step and the
/// one text it records, if any.
#[derive(Debug, serde::Deserialize)]
pub struct StepForm {
    pub version: i64,
    pub action: String,
    pub text: Option<String>,
}

/// A kind's list page: its page of records, or an empty one with what was
/// wrong with the filters (shown above the table, not as an error page).
pub fn listed<T>(
    r: crate::error::AppResult<steward_store::Page<T>>,
) -> WebResult<(steward_store::Page<T>, String)> {
    match r {
        Ok(p) => Ok((p, String::new())),
        Err(AppError::Validation(v)) => Ok((
            steward_store::Page {
                items: Vec::new(),
                next: None,
            },
            v.to_string(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The link to the page after `next` of a list at `path` filtered by
/// `params` (whose own cursor is replaced); empty on the last page.
pub fn next_link(
    path: &str,
    params: &impl serde::Serialize,
    next: Option<&steward_store::Cursor>,
) -> String {
    let Some(c) = next else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(params).unwrap_or_default())
            .unwrap_or_default();
    pairs.retain(|(k, _)| k != "cursor");
    pairs.push(("cursor".into(), crate::paging::encode_cursor(c)));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_link_keeps_the_filters_and_replaces_the_cursor() {
        #[derive(serde::Serialize)]
        struct P {
            state: Option<&'static str>,
            q: Option<&'static str>,
            cursor: Option<&'static str>,
        }
        let c = steward_store::Cursor {
            priority: 3,
            opened_at: 5,
            id: 7,
            sla_due_at: 0,
        };
        let p = P {
            state: Some("open"),
            q: Some("a&b"),
            cursor: Some("old"),
        };
        let link = super::next_link("/problems", &p, Some(&c));
        let expected = format!(
            "/problems?state=open&q=a%26b&cursor={}",
            crate::paging::encode_cursor(&c)
        );
        assert_eq!(link, expected);
        assert_eq!(super::next_link("/problems", &p, None), "");
    }
}
