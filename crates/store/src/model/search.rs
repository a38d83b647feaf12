//! What a search finds, and what an actor may find.

use serde::Serialize;

/// A record or service that matched, best first.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SearchHit {
    /// The record's kind (`incident`, `problem`, ...) or `service`.
    pub kind: String,
    pub number: String,
    pub title: String,
    /// Words around the matches, each match between
    /// `steward_domain::search::MARK_START` and `MARK_END`.
    pub snippet: String,
    /// Higher is better; comparable within one search only.
    pub rank: f64,
}

/// What an actor may find of one kind: all of it (`org: None`) or one
/// organisation's records; for `service`, the services that organisation
/// receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRule {
    pub kind: String,
    pub org: Option<i64>,
}
