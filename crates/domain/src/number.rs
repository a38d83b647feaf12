//! Human-readable record numbers: `INC-000123`, `SVC-0007`.
//!
//! People address records by these numbers; the database keeps its own keys.

/// The kinds of record that carry a human number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Incident,
    Problem,
    /// A customer's complaint: `CMP-0001`.
    Complaint,
    /// A nonconformity: `NCR-0001`.
    Nonconformity,
    /// An action following from another record (corrective, review): `ACT-0001`.
    Action,
    /// An improvement of the register (10.2): `IMP-0001`.
    Improvement,
    /// An internal audit (9.2): `AUD-0001`.
    Audit,
    /// A finding of an internal audit: `FND-0001`.
    Finding,
    /// A management review (9.3): `REV-0001`.
    Review,
    /// A knowledge article (7.6): `KB-0001`.
    Article,
    /// A service request (8.6.2): `REQ-000001`.
    Request,
    /// A fulfilment task of a request: `TSK-000001`.
    Task,
    /// A catalogue offering that customers order: `OFR-0001`.
    Offering,
    /// A service review meeting with a customer (8.3.2): `SRM-0001`.
    ServiceReview,
    Service,
    /// A record of one of the SMS registers: `RSK-0004`, `DOC-0012`.
    Record(crate::register::Register),
    /// A service level agreement with a customer: `SLA-0001`.
    Sla,
    /// An operational level agreement with an internal group: `OLA-0001`.
    Ola,
}

impl NumberKind {
    pub const fn prefix(self) -> &'static str {
        match self {
            NumberKind::Incident => "INC",
            NumberKind::Problem => "PRB",
            NumberKind::Complaint => "CMP",
            NumberKind::Nonconformity => "NCR",
            NumberKind::Action => "ACT",
            NumberKind::Improvement => "IMP",
            NumberKind::Audit => "AUD",
            NumberKind::Finding => "FND",
            NumberKind::Review => "REV",
            NumberKind::Article => "KB",
            NumberKind::Request => "REQ",
            NumberKind::Task => "TSK",
            NumberKind::Offering => "OFR",
            NumberKind::ServiceReview => "SRM",
            NumberKind::Service => "SVC",
            NumberKind::Record(r) => r.prefix(),
            NumberKind::Sla => "SLA",
            NumberKind::Ola => "OLA",
        }
    }

    pub const fn width(self) -> usize {
        match self {
            NumberKind::Incident | NumberKind::Problem | NumberKind::Request | NumberKind::Task => {
                6
            }
            NumberKind::Complaint
            | NumberKind::Nonconformity
            | NumberKind::Action
            | NumberKind::Improvement
            | NumberKind::Audit
            | NumberKind::Finding
            | NumberKind::Review
            | NumberKind::Article
            | NumberKind::Offering
            | NumberKind::ServiceReview
            | NumberKind::Service
            | NumberKind::Record(_)
            | NumberKind::Sla
            | NumberKind::Ola => 4,
        }
    }

    /// Formats a sequence value: `format(Incident, 42) == "INC-000042"`.
    pub fn format(self, n: i64) -> String {
        format!("{}-{:0width$}", self.prefix(), n, width = self.width())
    }

    /// [`format`](Self::format) as an SQL expression over the integer
    /// expression `n`, for PostgreSQL's group insert, which numbers many rows
    /// in one statement: the same prefix, width and zero padding (a number
    /// longer than the width is kept whole). The store's tests check that both
    /// spell every number alike.
    pub fn sql_format(self, n: &str) -> String {
        format!(
            "'{}-' || lpad(({n})::text, greatest({}, length(({n})::text)), '0')",
            self.prefix(),
            self.width()
        )
    }

    /// Parses a number of this kind (case-insensitive prefix); `None` when it is not one.
    pub fn parse(self, s: &str) -> Option<i64> {
        let (prefix, digits) = s.split_once('-')?;
        if !prefix.eq_ignore_ascii_case(self.prefix())
            || digits.is_empty()
            || digits.len() > 18
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0)
    }

    /// The canonical spelling of a number typed by a person, if it is one.
    pub fn canonical(self, s: &str) -> Option<String> {
        self.parse(s.trim()).map(|n| self.format(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(NumberKind::Incident.format(42), "INC-000042");
        assert_eq!(NumberKind::Service.format(7), "SVC-0007");
        assert_eq!(NumberKind::Incident.format(1_234_567), "INC-1234567");
        assert_eq!(NumberKind::Incident.parse("inc-000042"), Some(42));
        assert_eq!(NumberKind::Incident.parse("SVC-0001"), None);
        assert_eq!(NumberKind::Incident.parse("INC-"), None);
        assert_eq!(NumberKind::Incident.parse("INC-0"), None);
        assert_eq!(NumberKind::Incident.parse("INC-1a"), None);
        assert_eq!(NumberKind::Incident.parse("INC-99999999999999999999"), None);
    }

    proptest! {
        #[test]
        fn round_trips(n in 1i64..10_000_000_000) {
            for kind in [NumberKind::Incident, NumberKind::Service] {
                prop_assert_eq!(kind.parse(&kind.format(n)), Some(n));
            }
        }
    }
}
