//! The improvement register (ISO/IEC 20000-1 10.2): work records of kind
//! `improvement` with their own fields in `improvement_details`.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::improvement::ImprovementState;
use steward_domain::kind::Kind;

use super::super::Pools;
use super::records::{self, KindFields, record_select};
use super::{Arg, Sql};
use crate::{
    AuditActor, Cursor, Improvement, ImprovementFields, NewImprovement, Page, RecordCore,
    RecordFilter, Result, StoreError,
};

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

impl records::Fields<ImprovementFields> for Improvement {
    fn fields(&self) -> ImprovementFields {
        Improvement::fields(self)
    }
}

pub async fn create(p: &Pools, actor: &AuditActor, new: &NewImprovement) -> Result<Improvement> {
    let (_, number) = records::create(
        p,
        actor,
        Kind::Improvement.spec(),
        new.org_id,
        new.requester_id,
        &new.fields,
        Vec::new(),
    )
    .await?;
    get(p, &number).await
}

pub async fn get(p: &Pools, number: &str) -> Result<Improvement> {
    sqlx::query_as(select!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Improvements newest first, one page after `after`.
pub async fn list(
    p: &Pools,
    f: &RecordFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Improvement>> {
    let mut q = Sql::new(select!(""));
    records::filter_sql(&mut q, f);
    records::newest_page(p, q, after, limit).await
}

/// Changes an improvement under its version check, with its audit entry.
pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    change: F,
) -> Result<Improvement>
where
    F: FnOnce(&Improvement) -> Result<ImprovementFields, RuleError>,
{
    records::update(
        p,
        actor,
        Kind::Improvement.spec(),
        number,
        expected_version,
        action,
        select!(" AND r.id = $1"),
        change,
        async |_, _, _, _| Ok(()),
    )
    .await
}
