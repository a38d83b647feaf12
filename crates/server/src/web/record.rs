//! What every work record's page shows the same way (the kernel, ADR 0010):
//! its timeline of comments, work notes and changes from the audit trail, and
//! its links.

use steward_domain::access::Actor;
use steward_store::RecordRef;

use super::incidents::AttachmentRow;
use super::local_time;
use crate::AppState;
use crate::error::AppResult;

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

pub fn changes_of(json: &str) -> Vec<(String, String, String)> {
    let list: Vec<steward_domain::audit::FieldChange> =
        serde_json::from_str(json).unwrap_or_default();
    list.iter()
        .map(|c| {
            (
                c.field.replace('_', " "),
                show_value(&c.before),
                show_value(&c.after),
            )
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
