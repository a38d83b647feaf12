//! Incoming e-mail as the store keeps it (migration 0029).

use serde::Serialize;

/// A message taken in, to be written with what became of it.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// SHA-256 of the sender and `Message-ID`, or of the bytes.
    pub dedup_key: String,
    pub message_id: Option<String>,
    /// `imap`, `http`, `pipe` or `demo`.
    pub source: &'static str,
    pub sender: String,
    pub subject: String,
    pub size: i64,
    /// What was left out (a refused attachment), in words.
    pub detail: String,
    /// The bytes, kept only if the message is quarantined.
    pub raw: Vec<u8>,
}

/// Where the outcome of a message is written: a new row, or the row of a
/// quarantined message someone releases.
#[derive(Debug, Clone, Copy)]
pub enum MailAnchor<'a> {
    New(&'a NewMail),
    Release {
        id: i64,
        /// Who released it, for its row and the audit trail.
        reviewer: &'a crate::AuditActor,
        detail: &'a str,
    },
}

/// A message taken in, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InboundMail {
    pub id: i64,
    pub message_id: Option<String>,
    pub source: String,
    pub sender: String,
    pub subject: String,
    pub size: i64,
    pub received_at: i64,
    /// `opened`, `replied` or `quarantined`.
    pub outcome: String,
    /// Why it was quarantined (`steward_domain::mail_in::Reason`).
    pub reason: Option<String>,
    pub detail: String,
    pub record_number: Option<String>,
    pub record_kind: Option<String>,
    /// `released` or `dismissed`, once reviewed.
    pub review: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<i64>,
}

/// Which messages a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailFilter {
    /// Quarantined and not reviewed yet.
    #[default]
    Waiting,
    /// Every quarantined message, reviewed or not.
    Quarantined,
    /// Everything taken in.
    All,
}

/// What a reply is written on: an incident (whose first response and
/// notifications follow the incident's rules) or any other record.
#[derive(Debug, Clone, Copy)]
pub enum MailReplyTo<'a> {
    Incident(&'a crate::Incident),
    Record(&'a crate::RecordRef),
}
