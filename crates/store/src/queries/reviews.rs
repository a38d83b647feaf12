//! Management reviews (ISO/IEC 20000-1 9.3): work records of kind `review`
//! with their own fields in `review_details`; and what a review's input
//! pack aggregates over its period.

use steward_domain::audit::Changes;
use steward_domain::kind::Kind;
use steward_domain::review::ReviewState;

use super::super::Pools;
use super::Arg;
use super::records::{self, KindFields, record_select};
use crate::{
    CarriedAction, MonthCount, RecordCore, RegisterChange, Result, Review, ReviewFields,
    ReviewFigures,
};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.period_from, d.period_to, d.attendees, d.decisions, d.minutes, d.held_at, \
             d.cancelled_reason, \
             (SELECT COUNT(*) FROM action_details ad JOIN work_records ar ON ar.id = ad.record_id \
              WHERE ad.parent_id = r.id AND ar.state_category NOT IN ('closed', 'cancelled')) \
              AS open_actions",
            "JOIN review_details d ON d.record_id = r.id",
            "review",
            $tail
        )
    };
}

impl KindFields for ReviewFields {
    type State = ReviewState;
    const TABLE: &'static str = "review_details";
    const COLUMNS: &'static [&'static str] = &[
        "period_from",
        "period_to",
        "attendees",
        "decisions",
        "minutes",
        "held_at",
        "cancelled_reason",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ReviewState {
        self.state
    }

    /// Held is its resolution.
    fn times(&self) -> (Option<i64>, Option<i64>) {
        (self.life.held_at, self.life.closed_at)
    }

    fn args(&self) -> Vec<Arg> {
        let l = &self.life;
        vec![
            Arg::Text(self.period_from.clone()),
            Arg::Text(self.period_to.clone()),
            Arg::OptText(self.attendees.clone()),
            Arg::OptText(self.decisions.clone()),
            Arg::OptText(l.minutes.clone()),
            Arg::OptI64(l.held_at),
            Arg::OptText(l.cancelled_reason.clone()),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        c.diff("period_from", &self.period_from, &b.period_from);
        c.diff("period_to", &self.period_to, &b.period_to);
        c.diff("attendees", &self.attendees, &b.attendees);
        c.diff("decisions", &self.decisions, &b.decisions);
        let (l, m) = (&self.life, &b.life);
        c.diff("minutes", &l.minutes, &m.minutes);
        c.diff("cancelled_reason", &l.cancelled_reason, &m.cancelled_reason);
    }
}

records::kind_queries!(Kind::Review, Review, ReviewFields);

/// The pack's figures over `[from, to)` (milliseconds), open ones as of `to`:
/// one statement of scalar aggregates, each on an index of its kind's
/// records by time.
pub async fn figures(p: &Pools, from: i64, to: i64) -> Result<ReviewFigures> {
    const KIND_OPENED: &str = "FROM work_records w WHERE w.kind = ";
    let opened = |kind: &str| {
        format!(
            "(SELECT COUNT(*) {KIND_OPENED}'{kind}' AND w.opened_at >= $1 AND w.opened_at < $2)"
        )
    };
    let resolved = |kind: &str| {
        format!(
            "(SELECT COUNT(*) {KIND_OPENED}'{kind}' AND w.resolved_at >= $1 AND w.resolved_at < $2)"
        )
    };
    // Open as of `to`: opened before it, not closed before it.
    let open = |kind: &str| {
        format!(
            "(SELECT COUNT(*) {KIND_OPENED}'{kind}' AND w.opened_at < $2 \
             AND w.state_category <> 'cancelled' AND (w.closed_at IS NULL OR w.closed_at >= $2))"
        )
    };
    use super::rollups::{Bounds, ClockCounter, RecordCounter, Scope, clocks, records};
    let b = Bounds {
        s: "$1",
        e: "$2",
        fs: "$3",
        fe: "$4",
    };
    let all = Scope::default();
    let sql = format!(
        "SELECT {} AS incidents_opened, {} AS incidents_resolved, {} AS major_incidents, \
         {} AS clocks_stopped, {} AS clocks_met, {} AS breaches, \
         {} AS problems_opened, {} AS problems_resolved, {} AS problems_open, \
         {} AS complaints_opened, {} AS complaints_open, \
         (SELECT COUNT(*) {KIND_OPENED}'complaint' AND w.opened_at < $2 \
          AND w.state_category IN ('new', 'active', 'waiting') AND w.target_at < $2) \
          AS complaints_overdue, \
         (SELECT COUNT(*) FROM ratings t WHERE t.rated_at >= $1 AND t.rated_at < $2) AS ratings, \
         (SELECT COUNT(*) FROM ratings t WHERE t.rated_at >= $1 AND t.rated_at < $2 \
          AND t.score >= 4) AS ratings_satisfied, \
         (SELECT COUNT(*) FROM survey_answers a WHERE a.answered_at >= $1 \
          AND a.answered_at < $2 AND a.score IS NOT NULL) AS survey_answers, \
         (SELECT COUNT(*) FROM survey_answers a WHERE a.answered_at >= $1 \
          AND a.answered_at < $2 AND a.score >= 4) AS survey_satisfied, \
         {} AS nonconformities_opened, {} AS nonconformities_open, {} AS actions_open, \
         (SELECT COUNT(*) {KIND_OPENED}'action' AND w.state_category IN ('new', 'active', 'waiting') \
          AND w.target_at < $2) AS actions_overdue, \
         {} AS improvements_proposed, \
         (SELECT COUNT(*) FROM improvement_details d WHERE d.done_at >= $1 AND d.done_at < $2) \
          AS improvements_done, \
         (SELECT COUNT(*) FROM improvement_details d WHERE d.evaluated_at >= $1 \
          AND d.evaluated_at < $2) AS improvements_evaluated, \
         (SELECT COUNT(*) FROM improvement_details d WHERE d.evaluated_at >= $1 \
          AND d.evaluated_at < $2 AND d.benefit_met) AS improvements_met, \
         (SELECT COUNT(*) FROM audit_details d WHERE d.reported_at >= $1 AND d.reported_at < $2) \
          AS audits_reported, \
         (SELECT COUNT(*) FROM finding_details f JOIN work_records w ON w.id = f.record_id \
          WHERE w.kind = 'finding' AND w.opened_at >= $1 AND w.opened_at < $2 AND f.grade = 'major') AS findings_major, \
         (SELECT COUNT(*) FROM finding_details f JOIN work_records w ON w.id = f.record_id \
          WHERE w.kind = 'finding' AND w.opened_at >= $1 AND w.opened_at < $2 AND f.grade = 'minor') AS findings_minor, \
         (SELECT COUNT(*) FROM finding_details f JOIN work_records w ON w.id = f.record_id \
          WHERE w.kind = 'finding' AND w.opened_at >= $1 AND w.opened_at < $2 AND f.grade IN ('observation', 'opportunity')) \
          AS findings_other, \
         {} AS findings_open",
        records("incident", RecordCounter::Opened, all, b),
        records("incident", RecordCounter::Resolved, all, b),
        records("incident", RecordCounter::Major, all, b),
        clocks(ClockCounter::Stopped, all, b),
        clocks(ClockCounter::Met, all, b),
        clocks(ClockCounter::Breached, all, b),
        opened("problem"),
        resolved("problem"),
        open("problem"),
        opened("complaint"),
        open("complaint"),
        opened("nonconformity"),
        open("nonconformity"),
        open("action"),
        opened("improvement"),
        open("finding"),
    );
    let (fs, fe) = super::rollups::whole_days(from, to);
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(fs)
        .bind(fe)
        .fetch_one(p.read())
        .await?)
}

/// Incidents opened and resolved in each month (`YYYY-MM`, from, to ms).
pub async fn trend(p: &Pools, months: &[(String, i64, i64)]) -> Result<Vec<MonthCount>> {
    use super::rollups::{Bounds, RecordCounter, Scope, records, whole_days};
    let b = Bounds {
        s: "$1",
        e: "$2",
        fs: "$3",
        fe: "$4",
    };
    let sql = format!(
        "SELECT {}, {}",
        records("incident", RecordCounter::Opened, Scope::default(), b),
        records("incident", RecordCounter::Resolved, Scope::default(), b),
    );
    let mut out = Vec::with_capacity(months.len());
    for (month, from, to) in months {
        let (fs, fe) = whole_days(*from, *to);
        let (opened, resolved): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(from)
            .bind(to)
            .bind(fs)
            .bind(fe)
            .fetch_one(p.read())
            .await?;
        out.push(MonthCount {
            month: month.clone(),
            opened,
            resolved,
        });
    }
    Ok(out)
}

/// The actions of reviews opened before `before` (ms), not closed before
/// it: what earlier reviews decided, carried forward (at most 200).
pub async fn carried_actions(p: &Pools, before: i64) -> Result<Vec<CarriedAction>> {
    Ok(sqlx::query_as(
        "SELECT a.number, a.title, a.state, a.state_category, a.target_at, \
         u.name AS assignee_name, pr.number AS review_number \
         FROM action_details d JOIN work_records a ON a.id = d.record_id \
         JOIN work_records pr ON pr.id = d.parent_id \
         LEFT JOIN users u ON u.id = a.assignee_id \
         WHERE pr.kind = 'review' AND pr.opened_at < $1 \
         AND (a.closed_at IS NULL OR a.closed_at >= $1) \
         ORDER BY a.opened_at, a.id LIMIT 200",
    )
    .bind(before)
    .fetch_all(p.read())
    .await?)
}

/// Context issues and interested parties changed in `[from, to)` (at most 100).
pub async fn register_changes(p: &Pools, from: i64, to: i64) -> Result<Vec<RegisterChange>> {
    Ok(sqlx::query_as(
        "SELECT number, title, kind, status, updated_at FROM sms_records \
         WHERE kind IN ('context', 'party') AND updated_at >= $1 AND updated_at < $2 \
         ORDER BY updated_at DESC, id DESC LIMIT 100",
    )
    .bind(from)
    .bind(to)
    .fetch_all(p.read())
    .await?)
}
