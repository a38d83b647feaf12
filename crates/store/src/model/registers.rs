//! The SMS registers, conformity figures, notes and evidence.

use super::*;

/// A record an evidence figure counted as not good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Gap {
    /// incident, service, organisation, group or audit.
    pub kind: String,
    /// Its number or name.
    pub record_key: String,
    pub title: String,
}

/// A scalar field of an SMS record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Int(i64),
    Real(f64),
    /// Text, a choice, a date (`YYYY-MM-DD`) or a figure name.
    Text(String),
    User {
        id: i64,
        email: String,
        name: String,
    },
}

/// One entry of a many-valued field of an SMS record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmsLink {
    pub field: String,
    /// user, service, record or process.
    pub target_type: String,
    pub target_id: Option<i64>,
    /// E-mail, service number, record number or clause.
    pub key: String,
    /// Name or title of what it points at.
    pub label: String,
    /// The RACI letter of a process link.
    pub value: Option<String>,
}

/// A record of one of the SMS registers.
#[derive(Debug, Clone, Serialize)]
pub struct SmsRecord {
    pub id: i64,
    pub register: steward_domain::register::Register,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: String,
    /// The register's scalar fields by name.
    pub values: std::collections::BTreeMap<String, FieldValue>,
    pub links: Vec<SmsLink>,
    /// Documents: the version being written and the one in force.
    pub doc_version: i64,
    pub approved_version: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<UtcMillis>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

impl SmsRecord {
    pub fn value(&self, field: &str) -> &FieldValue {
        self.values.get(field).unwrap_or(&FieldValue::Null)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        match self.value(field) {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn links_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a SmsLink> {
        self.links.iter().filter(move |l| l.field == field)
    }
}

/// What to write for an SMS record: checked and resolved by the caller.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    pub register: steward_domain::register::Register,
    pub title: String,
    pub description: String,
    pub status: String,
    /// The scalar fields by name (users carry their id).
    pub values: std::collections::BTreeMap<&'static str, FieldValue>,
    /// Every link of the record (the previous ones are replaced).
    pub links: Vec<SmsLink>,
    /// For the audit trail.
    pub changes: steward_domain::audit::Changes,
}

/// A file of an SMS record (a document version) or of manual evidence.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RecordFile {
    pub id: i64,
    pub record_id: Option<i64>,
    pub version_no: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_by_name: Option<String>,
    pub created_at: UtcMillis,
}

/// When an evidence figure is computed: the instant, the calendar day (UTC)
/// that date fields are compared with, and the risk score that counts as high.
#[derive(Debug, Clone)]
pub struct FigureAt {
    pub now: UtcMillis,
    /// `YYYY-MM-DD`.
    pub today: String,
    pub high_score: i64,
}

/// One check's result on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SnapshotRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub check_id: String,
    pub outcome: String,
    pub counted: i64,
    pub good: i64,
}

/// A requirement's owner, how it is met, and notes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct RequirementNote {
    pub clause: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    /// `us`, or `other_party` (with the controls we keep over it).
    pub operated_by: String,
    pub controls: String,
    pub notes: String,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// Manual evidence or a note on a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub clause: String,
    /// record, file or note.
    pub kind: String,
    /// incident, service or record (an SMS record).
    pub record_type: Option<String>,
    pub record_key: Option<String>,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub note: String,
    pub created_by_name: Option<String>,
    pub created_at: UtcMillis,
}

#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub clause: String,
    pub kind: String,
    pub record_type: Option<String>,
    pub record_key: Option<String>,
    pub file_id: Option<i64>,
    pub note: String,
}
