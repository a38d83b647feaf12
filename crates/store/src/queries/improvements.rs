//! The improvement register (ISO/IEC 20000-1 10.2): work records of kind
//! `improvement` with their own fields in `improvement_details`.

use steward_domain::audit::Changes;
use steward_domain::improvement::ImprovementState;
use steward_domain::kind::Kind;

use super::Arg;
use super::records::{self, KindFields, record_select};
use crate::{Improvement, ImprovementFields, RecordCore};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.source, d.expected_benefit, d.measure, d.objective_id, \
             o.number AS objective_number, o.title AS objective_title, d.rejected_reason, \
             d.done_at, d.benefit_met, d.evaluation, d.evaluated_at",
            "JOIN improvement_details d ON d.record_id = r.id \
             LEFT JOIN sms_records o ON o.id = d.objective_id",
            "improvement",
            $tail
        )
    };
}

impl KindFields for ImprovementFields {
    type State = ImprovementState;
    const TABLE: &'static str = "improvement_details";
    const COLUMNS: &'static [&'static str] = &[
        "source",
        "expected_benefit",
        "measure",
        "objective_id",
        "rejected_reason",
        "done_at",
        "benefit_met",
        "evaluation",
        "evaluated_at",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ImprovementState {
        self.state
    }

    /// Done is its resolution; evaluated or rejected, it is closed.
    fn times(&self) -> (Option<i64>, Option<i64>) {
        (self.life.done_at, self.life.closed_at)
    }

    fn args(&self) -> Vec<Arg> {
        let l = &self.life;
        vec![
            Arg::Text(self.source.as_str().to_owned()),
            Arg::OptText(self.promise.expected_benefit.clone()),
            Arg::OptText(self.promise.measure.clone()),
            Arg::OptI64(self.objective_id),
            Arg::OptText(l.rejected_reason.clone()),
            Arg::OptI64(l.done_at),
            Arg::OptBool(l.benefit_met),
            Arg::OptText(l.evaluation.clone()),
            Arg::OptI64(l.evaluated_at),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        c.diff("source", &self.source.as_str(), &b.source.as_str());
        let (p, q) = (&self.promise, &b.promise);
        c.diff("expected_benefit", &p.expected_benefit, &q.expected_benefit);
        c.diff("measure", &p.measure, &q.measure);
        c.diff("objective_id", &self.objective_id, &b.objective_id);
        let (l, m) = (&self.life, &b.life);
        c.diff("rejected_reason", &l.rejected_reason, &m.rejected_reason);
        c.diff("benefit_met", &l.benefit_met, &m.benefit_met);
        c.diff("evaluation", &l.evaluation, &m.evaluation);
    }
}

records::kind_queries!(Kind::Improvement, Improvement, ImprovementFields);
