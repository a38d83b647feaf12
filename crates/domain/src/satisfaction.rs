//! Customer satisfaction (ISO/IEC 20000-1 8.3.2, 9.1): a customer rates a
//! resolved record once, 1 to 5 with an optional comment; results are
//! aggregated per customer, service and month.

use crate::error::{Problems, ValidationError};
use crate::kind::StateCategory;
use crate::text::optional_body;

/// The longest comment on a rating.
pub const COMMENT_MAX: usize = 2_000;
/// A rating at or above this score counts as satisfied (evidence 9.1).
pub const SATISFIED_FROM: i64 = 4;

/// A rating as given, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingDraft {
    pub score: i64,
    pub comment: Option<String>,
}

impl RatingDraft {
    pub fn parse(
        score: Option<i64>,
        comment: Option<&str>,
    ) -> Result<RatingDraft, ValidationError> {
        let mut p = Problems::default();
        let score = match score {
            Some(s @ 1..=5) => s,
            Some(_) => {
                p.add(
                    "score",
                    "must be 1 (very dissatisfied) to 5 (very satisfied)",
                );
                0
            }
            None => {
                p.add("score", "choose a score from 1 to 5");
                0
            }
        };
        let comment = optional_body(&mut p, "comment", comment.unwrap_or_default(), COMMENT_MAX);
        p.finish(RatingDraft {
            score,
            comment: Some(comment).filter(|c| !c.is_empty()),
        })
    }
}

/// Whether a record in `category` can be rated: once its work is done.
pub fn ratable(category: StateCategory) -> bool {
    matches!(category, StateCategory::Resolved | StateCategory::Closed)
}

/// The month a rating counts in, `YYYY-MM` (UTC).
pub fn month_of(at: crate::UtcMillis) -> String {
    jiff::Timestamp::from_millisecond(at)
        .map(|t| t.strftime("%Y-%m").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_is_one_to_five_and_a_comment_is_optional() {
        let r = RatingDraft::parse(Some(4), Some("  Quick fix ")).unwrap();
        assert_eq!((r.score, r.comment.as_deref()), (4, Some("Quick fix")));
        assert_eq!(
            RatingDraft::parse(Some(1), Some(" ")).unwrap().comment,
            None
        );
        for bad in [None, Some(0), Some(6), Some(-3)] {
            let e = RatingDraft::parse(bad, None).unwrap_err();
            assert!(e.to_string().contains("score"), "{e}");
        }
        let long = "x".repeat(COMMENT_MAX + 1);
        assert!(RatingDraft::parse(Some(3), Some(&long)).is_err());
    }

    #[test]
    fn only_done_work_is_rated_and_months_are_utc() {
        assert!(ratable(StateCategory::Resolved) && ratable(StateCategory::Closed));
        assert!(!ratable(StateCategory::Active) && !ratable(StateCategory::Cancelled));
        // 2026-01-31T23:59:59Z
        assert_eq!(month_of(1_769_903_999_000), "2026-01");
    }
}
