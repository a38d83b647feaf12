//! What any work record carries: comments and attachments.

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub record_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub visibility: String,
    pub body: String,
    pub created_at: UtcMillis,
}

/// A file attached to an incident.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub record_id: i64,
    pub record_number: String,
    pub org_id: i64,
    /// The comment it was attached to, if any.
    pub comment_id: Option<i64>,
    /// `public` (the customer sees it) or `internal` (staff only, like a work note).
    pub visibility: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where the bytes are kept in the data folder; never shown to users.
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: Option<String>,
    pub created_at: UtcMillis,
}

/// A file to record, already checked and stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The comment it belongs to; its visibility must then be the comment's.
    pub comment_id: Option<i64>,
    pub visibility: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
}

/// A customer's rating of a resolved record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Rating {
    pub id: i64,
    pub record_id: i64,
    pub score: i64,
    pub comment: Option<String>,
    pub rated_by_name: String,
    pub rated_at: UtcMillis,
}

/// A new rating, its record found and its score validated.
#[derive(Debug, Clone)]
pub struct NewRating<'a> {
    pub record: &'a RecordRef,
    pub rated_by: i64,
    pub score: i64,
    pub comment: Option<String>,
}

/// Satisfaction in one month, for one customer and service.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SatisfactionRow {
    /// `YYYY-MM`.
    pub month: String,
    pub organisation: String,
    pub service: Option<String>,
    pub ratings: i64,
    /// The mean score, 1 to 5.
    pub average: f64,
    /// Ratings of 4 or 5.
    pub satisfied: i64,
}
