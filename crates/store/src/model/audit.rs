//! The audit trail, and the one organisation filter.

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: UtcMillis,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub org_id: Option<i64>,
    pub record_type: String,
    pub record_number: String,
    pub action: String,
    pub changes: String,
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub record_type: Option<String>,
    pub record_number: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    /// Entries with an id below this one (keyset, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Sealed entries whose link was checked.
    pub verified: i64,
    /// Entries not yet sealed (written, waiting for the sealer).
    pub unsealed: i64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub entry_id: Option<i64>,
    pub reason: String,
}

/// Visibility turns into SQL through this one helper so that handlers never
/// write their own organisation filters.
pub fn scope_org(v: Visibility) -> Option<i64> {
    match v {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    }
}
