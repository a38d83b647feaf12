//! Actions: work records of kind `action` that follow from another record
//! (`action_details.parent_id`): corrective actions of a nonconformity, with
//! their effectiveness review.

use steward_domain::action::ActionState;
use steward_domain::audit::Changes;
use steward_domain::kind::Kind;

use super::super::Pools;
use super::Arg;
use super::records::{self, KindFields, record_select};
use crate::{Action, ActionFields, RecordCore, Result};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.parent_id, pr.number AS parent_number, pr.kind AS parent_kind, \
             pr.title AS parent_title, d.review_after_days, d.outcome, d.completed_at, \
             d.review_due_at, d.effectiveness, d.review, d.reviewed_at",
            "JOIN action_details d ON d.record_id = r.id \
             JOIN work_records pr ON pr.id = d.parent_id",
            "action",
            $tail
        )
    };
}

impl KindFields for ActionFields {
    type State = ActionState;
    const TABLE: &'static str = "action_details";
    const COLUMNS: &'static [&'static str] = &[
        "parent_id",
        "review_after_days",
        "outcome",
        "completed_at",
        "review_due_at",
        "effectiveness",
        "review",
        "reviewed_at",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ActionState {
        self.state
    }

    /// Done is its resolution (a corrective action then awaits its review).
    fn times(&self) -> (Option<i64>, Option<i64>) {
        let done = self.state != ActionState::Cancelled;
        (self.life.completed_at.filter(|_| done), self.life.closed_at)
    }

    fn args(&self) -> Vec<Arg> {
        let l = &self.life;
        vec![
            Arg::I64(self.parent_id),
            Arg::OptI64(l.review_after_days),
            Arg::OptText(l.outcome.clone()),
            Arg::OptI64(l.completed_at),
            Arg::OptI64(l.review_due_at),
            Arg::OptText(l.effectiveness.map(|e| e.as_str().to_owned())),
            Arg::OptText(l.review.clone()),
            Arg::OptI64(l.reviewed_at),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        let (l, m) = (&self.life, &b.life);
        c.diff("parent_id", &self.parent_id, &b.parent_id);
        c.diff(
            "review_after_days",
            &l.review_after_days,
            &m.review_after_days,
        );
        c.diff("outcome", &l.outcome, &m.outcome);
        c.diff("review_due_at", &l.review_due_at, &m.review_due_at);
        c.diff(
            "effectiveness",
            &l.effectiveness.map(|e| e.as_str()),
            &m.effectiveness.map(|e| e.as_str()),
        );
        c.diff("review", &l.review, &m.review);
    }
}

records::kind_queries!(Kind::Action, Action, ActionFields);

/// The actions that follow from the record `parent_id`, oldest first (at most 200).
pub async fn of_parent(p: &Pools, parent_id: i64) -> Result<Vec<Action>> {
    Ok(sqlx::query_as(select!(
        " AND d.parent_id = $1 ORDER BY r.opened_at, r.id LIMIT 200"
    ))
    .bind(parent_id)
    .fetch_all(p.read())
    .await?)
}
