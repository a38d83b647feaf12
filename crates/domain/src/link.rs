//! Typed links between two work records (ADR 0010).
//!
//! A link is stored once, as `(a, b, type)` with `a < b` and the type read
//! from `a`'s side; each end reads it in its own words ("caused by" from the
//! incident, "causes" from the problem). Two records are linked at most once.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// How one record relates to another, read from the record that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    /// This record was caused by the other (an incident by a problem).
    CausedBy,
    /// This record causes the other.
    Causes,
    /// This record repeats the other, which is the one worked on.
    DuplicateOf,
    /// The other record repeats this one.
    DuplicatedBy,
    /// This record was resolved by the other (a problem by a change).
    ResolvedBy,
    /// This record resolves the other.
    Resolves,
    /// The two records concern the same thing.
    RelatedTo,
}

impl LinkType {
    pub const ALL: [LinkType; 7] = [
        LinkType::CausedBy,
        LinkType::Causes,
        LinkType::DuplicateOf,
        LinkType::DuplicatedBy,
        LinkType::ResolvedBy,
        LinkType::Resolves,
        LinkType::RelatedTo,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            LinkType::CausedBy => "caused_by",
            LinkType::Causes => "causes",
            LinkType::DuplicateOf => "duplicate_of",
            LinkType::DuplicatedBy => "duplicated_by",
            LinkType::ResolvedBy => "resolved_by",
            LinkType::Resolves => "resolves",
            LinkType::RelatedTo => "related_to",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            LinkType::CausedBy => "Caused by",
            LinkType::Causes => "Causes",
            LinkType::DuplicateOf => "Duplicate of",
            LinkType::DuplicatedBy => "Duplicated by",
            LinkType::ResolvedBy => "Resolved by",
            LinkType::Resolves => "Resolves",
            LinkType::RelatedTo => "Related to",
        }
    }

    pub fn parse(s: &str) -> Option<LinkType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The same link read from the other end.
    pub const fn inverse(self) -> LinkType {
        match self {
            LinkType::CausedBy => LinkType::Causes,
            LinkType::Causes => LinkType::CausedBy,
            LinkType::DuplicateOf => LinkType::DuplicatedBy,
            LinkType::DuplicatedBy => LinkType::DuplicateOf,
            LinkType::ResolvedBy => LinkType::Resolves,
            LinkType::Resolves => LinkType::ResolvedBy,
            LinkType::RelatedTo => LinkType::RelatedTo,
        }
    }
}

/// A link as stored: `a < b`, `link_type` read from `a`'s side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLink {
    pub a: i64,
    pub b: i64,
    pub link_type: LinkType,
}

impl StoredLink {
    /// The link that `from` asks for to `to`, in its stored form; a record is
    /// never linked to itself.
    pub fn new(from: i64, to: i64, link_type: LinkType) -> Result<StoredLink, ValidationError> {
        if from == to {
            return Err(ValidationError::single(
                "record",
                "a record cannot be linked to itself",
            ));
        }
        Ok(if from < to {
            StoredLink {
                a: from,
                b: to,
                link_type,
            }
        } else {
            StoredLink {
                a: to,
                b: from,
                link_type: link_type.inverse(),
            }
        })
    }

    /// The link as `record` reads it: the other record and the type from its side.
    pub fn seen_from(&self, record: i64) -> (i64, LinkType) {
        if record == self.a {
            (self.b, self.link_type)
        } else {
            (self.a, self.link_type.inverse())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip_and_inverses_pair_up() {
        for t in LinkType::ALL {
            assert_eq!(LinkType::parse(t.as_str()), Some(t));
            assert_eq!(t.inverse().inverse(), t);
        }
        assert_eq!(LinkType::parse("blocks"), None);
    }

    #[test]
    fn a_record_is_not_linked_to_itself() {
        assert!(StoredLink::new(5, 5, LinkType::RelatedTo).is_err());
    }

    proptest! {
        #[test]
        fn each_end_reads_the_link_it_asked_for(from in 1i64..1000, to in 1i64..1000, t in 0usize..7) {
            prop_assume!(from != to);
            let t = LinkType::ALL[t];
            let s = StoredLink::new(from, to, t).unwrap();
            prop_assert!(s.a < s.b);
            prop_assert_eq!(s.seen_from(from), (to, t));
            prop_assert_eq!(s.seen_from(to), (from, t.inverse()));
            // Asked from the other end, the same link is stored the same way.
            prop_assert_eq!(StoredLink::new(to, from, t.inverse()).unwrap(), s);
        }
    }
}
