//! Errors of the server and their one mapping to HTTP.
//!
//! Policy: domain and store errors convert into [`AppError`]; every API error
//! is answered as an RFC 9457 problem document (`application/problem+json`).
//! Internal errors are logged with a reference and answered with a generic
//! message naming that reference, never with database text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use steward_domain::{FieldError, RuleError, ValidationError};
use steward_store::StoreError;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` for plain HTTP statuses).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The offending input fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Validation(ValidationError),
    /// The lifecycle does not allow this step from the current state.
    #[error("{0}")]
    InvalidTransition(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the record changed since you read it")]
    PreconditionFailed,
    #[error("too many attempts; try again later")]
    TooManyRequests,
    /// A rejected request body, path or query string, with the status the extractor chose.
    #[error("{1}")]
    Rejected(StatusCode, String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(ValidationError::single(field, message))
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::InvalidTransition(_) | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Rejected(s, _) => *s,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document for this error. Internal errors are logged here.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, title, detail, errors) = match self {
            AppError::NotFound => ("not-found", "Not found", None, vec![]),
            AppError::Unauthenticated => (
                "unauthenticated",
                "Authentication required",
                Some("send a valid API token as `Authorization: Bearer <token>`".to_owned()),
                vec![],
            ),
            AppError::Forbidden(d) => ("forbidden", "Forbidden", Some(d.clone()), vec![]),
            AppError::BadRequest(d) => ("bad-request", "Bad request", Some(d.clone()), vec![]),
            AppError::Validation(v) => (
                "validation",
                "Invalid input",
                Some("one or more fields are invalid".to_owned()),
                v.0.clone(),
            ),
            AppError::InvalidTransition(d) => (
                "invalid-transition",
                "Transition not allowed",
                Some(d.clone()),
                vec![],
            ),
            AppError::Conflict(d) => ("conflict", "Conflict", Some(d.clone()), vec![]),
            AppError::PreconditionFailed => (
                "stale",
                "Precondition failed",
                Some("the record was changed by someone else; fetch it again and retry".to_owned()),
                vec![],
            ),
            AppError::TooManyRequests => (
                "too-many-requests",
                "Too many requests",
                Some("too many failed attempts; wait a few minutes".to_owned()),
                vec![],
            ),
            AppError::Rejected(s, d) => (
                if *s == StatusCode::PAYLOAD_TOO_LARGE {
                    "too-large"
                } else {
                    "bad-request"
                },
                s.canonical_reason().unwrap_or("Bad request"),
                Some(d.clone()),
                vec![],
            ),
            AppError::Internal(e) => {
                let reference = crate::auth::random_token(6);
                tracing::error!(reference, error = %e, "internal error");
                (
                    "internal",
                    "Internal error",
                    Some(format!(
                        "something went wrong on our side; reference {reference}"
                    )),
                    vec![],
                )
            }
        };
        Problem {
            kind: format!("https://steward.example/problems/{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        problem_response(&self.problem())
    }
}

pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, axum::Json(p)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Stale => AppError::PreconditionFailed,
            StoreError::Rule(r) => r.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<RuleError> for AppError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Validation(v) => AppError::Validation(v),
            RuleError::Transition(t) => AppError::InvalidTransition(t.to_string()),
            RuleError::Refused(m) => AppError::Forbidden(m),
            RuleError::Conflict(m) => AppError::Conflict(m),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(v: ValidationError) -> Self {
        AppError::Validation(v)
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        let status = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        };
        AppError::Rejected(status, r.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::Rejected(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::Rejected(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<axum::extract::multipart::MultipartRejection> for AppError {
    fn from(r: axum::extract::multipart::MultipartRejection) -> Self {
        AppError::Rejected(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<axum::extract::rejection::FormRejection> for AppError {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        let status = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        AppError::Rejected(status, r.body_text())
    }
}
