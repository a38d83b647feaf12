//! The audit trail's content and its tamper-evident hash chain.
//!
//! Writers append entries unsealed, in the same transaction as their change.
//! A sealer later gives each entry the next position in the chain and
//! `hash = SHA-256(previous hash ‖ canonical entry)`. Changing, removing or
//! reordering a sealed entry breaks every later link, which [`verify_link`]
//! detects.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::UtcMillis;

/// The hash that precedes the first sealed entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One field's value before and after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// Collects the fields that differ between two versions of a record.
#[derive(Debug, Default, Clone)]
pub struct Changes(pub Vec<FieldChange>);

impl Changes {
    /// Records `field` if `before != after`.
    pub fn diff<T: Serialize + PartialEq>(&mut self, field: &str, before: &T, after: &T) {
        if before != after {
            self.0.push(FieldChange {
                field: field.to_owned(),
                before: serde_json::to_value(before).unwrap_or(serde_json::Value::Null),
                after: serde_json::to_value(after).unwrap_or(serde_json::Value::Null),
            });
        }
    }

    /// Records a field set on creation.
    pub fn set<T: Serialize>(&mut self, field: &str, after: &T) {
        self.0.push(FieldChange {
            field: field.to_owned(),
            before: serde_json::Value::Null,
            after: serde_json::to_value(after).unwrap_or(serde_json::Value::Null),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".to_owned())
    }
}

/// An audit entry as it is hashed. The field order here is the canonical order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanonicalEntry<'a> {
    pub id: i64,
    pub occurred_at: UtcMillis,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub org_id: Option<i64>,
    pub record_type: &'a str,
    pub record_number: &'a str,
    pub action: &'a str,
    pub changes: &'a str,
}

impl CanonicalEntry<'_> {
    /// The link hash for this entry placed after `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        h.update(prev_hash.as_bytes());
        h.update(b"\n");
        // Serialising a struct of plain fields cannot fail.
        h.update(serde_json::to_vec(self).unwrap_or_default());
        hex::encode(h.finalize())
    }
}

/// Checks one sealed link: `hash` must follow `prev_hash` for this content.
pub fn verify_link(entry: &CanonicalEntry<'_>, prev_hash: &str, hash: &str) -> bool {
    entry.chain_hash(prev_hash) == hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> CanonicalEntry<'_> {
        CanonicalEntry {
            id: 1,
            occurred_at: 1000,
            actor_id: Some(2),
            actor_label: "Ann",
            org_id: Some(3),
            record_type: "incident",
            record_number: "INC-000001",
            action,
            changes: "[]",
        }
    }

    #[test]
    fn any_change_breaks_the_link() {
        let h = entry("create").chain_hash(GENESIS);
        assert!(verify_link(&entry("create"), GENESIS, &h));
        assert!(!verify_link(&entry("update"), GENESIS, &h));
        assert!(!verify_link(&entry("create"), &h, &h));
    }

    #[test]
    fn diff_keeps_only_changed_fields() {
        let mut c = Changes::default();
        c.diff("title", &"a", &"b");
        c.diff("impact", &1, &1);
        assert_eq!(c.0.len(), 1);
        assert_eq!(
            c.to_json(),
            r#"[{"field":"title","before":"a","after":"b"}]"#
        );
    }
}
