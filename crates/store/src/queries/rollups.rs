//! Counts kept per UTC day by triggers (migration `0020_rollups`): a period's
//! figures add up the whole days from `record_counts` and `clock_counts` and
//! count the records of the partial days at its ends, so that they are exact
//! for any bounds and cost a few rows per day however many records the
//! period holds. A month's 90th percentile of the clocks' business time is
//! worked out from the clocks once and kept while the month's changes have
//! not moved (`clock_percentiles`).

use super::super::{Pools, dialect};
use super::{Arg, Sql};
use crate::Result;

pub const DAY_MS: i64 = 86_400_000;

/// The whole UTC days inside `[from, to)`: the first one's start and the end
/// of the last, or `(to, to)` when there is none (then the partial days at
/// the ends are the whole period).
pub fn whole_days(from: i64, to: i64) -> (i64, i64) {
    let first = from.div_euclid(DAY_MS) * DAY_MS
        + if from.rem_euclid(DAY_MS) == 0 {
            0
        } else {
            DAY_MS
        };
    let end = to.div_euclid(DAY_MS) * DAY_MS;
    if first < end { (first, end) } else { (to, to) }
}

/// The bounds of a figure as SQL expressions: the period `[s, e)` and its
/// whole days `[fs, fe)` (from [`whole_days`]).
#[derive(Debug, Clone, Copy)]
pub struct Bounds<'a> {
    pub s: &'a str,
    pub e: &'a str,
    pub fs: &'a str,
    pub fe: &'a str,
}

/// What a count is about: an optional organisation (a SQL expression) and,
/// for clocks, an optional agreement and clock kind (SQL expressions).
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub org: Option<&'a str>,
    pub agreement: Option<&'a str>,
    pub clock: Option<&'a str>,
}

fn scoped(alias: &str, scope: Scope<'_>) -> String {
    let mut s = String::new();
    if let Some(o) = scope.org {
        s.push_str(&format!(" AND {alias}.org_id = {o}"));
    }
    if let Some(a) = scope.agreement {
        s.push_str(&format!(" AND {alias}.agreement = {a}"));
    }
    if let Some(k) = scope.clock {
        s.push_str(&format!(" AND {alias}.kind = {k}"));
    }
    s
}

/// [`scoped`] for clocks: without an agreement, every SLA's clocks (a
/// group's OLA clocks measure the provider's own teams, not its service to
/// customers; an agreement's number says its kind).
fn clock_scoped(alias: &str, scope: Scope<'_>) -> String {
    let mut s = scoped(alias, scope);
    if scope.agreement.is_none() {
        s.push_str(&format!(
            " AND {alias}.agreement NOT LIKE '{}-%'",
            steward_domain::number::NumberKind::Ola.prefix()
        ));
    }
    s
}

/// What a record counter counts: its column in `record_counts`, the time
/// column of the record it counts by, and the condition on the record.
#[derive(Debug, Clone, Copy)]
pub enum RecordCounter {
    Opened,
    Resolved,
    /// Opened and major.
    Major,
}

/// SQL (a scalar) for how many records of `kind` the counter counts in the
/// period.
pub fn records(kind: &str, counter: RecordCounter, scope: Scope<'_>, b: Bounds<'_>) -> String {
    let (column, at, extra) = match counter {
        RecordCounter::Opened => ("opened", "opened_at", ""),
        RecordCounter::Resolved => ("resolved", "resolved_at", ""),
        RecordCounter::Major => ("major", "opened_at", " AND w.major"),
    };
    let scope = Scope {
        agreement: None,
        clock: None,
        ..scope
    };
    let (rs, ws) = (scoped("r", scope), scoped("w", scope));
    let raw = |from: &str, to: &str| {
        format!(
            "(SELECT COUNT(*) FROM work_records w WHERE w.kind = '{kind}'{ws} \
             AND w.{at} >= {from} AND w.{at} < {to}{extra})"
        )
    };
    format!(
        "((SELECT CAST(COALESCE(SUM(r.{column}), 0) AS BIGINT) FROM record_counts r \
         WHERE r.kind = '{kind}'{rs} AND r.day >= {fs} AND r.day < {fe}) + {} + {})",
        raw(b.s, b.fs),
        raw(b.fe, b.e),
        fs = b.fs,
        fe = b.fe,
    )
}

/// What a clock counter counts.
#[derive(Debug, Clone, Copy)]
pub enum ClockCounter {
    /// Stopped in the period.
    Stopped,
    /// Stopped in the period and not breached.
    Met,
    /// The business time of those stopped in the period, summed.
    ElapsedMs,
    /// Breached in the period (not cancelled).
    Breached,
}

/// SQL (a scalar) for the clocks' counter in the period.
pub fn clocks(counter: ClockCounter, scope: Scope<'_>, b: Bounds<'_>) -> String {
    let (column, at, cond, agg) = match counter {
        ClockCounter::Stopped => ("stopped", "stopped_at", "c.status = 'stopped'", "COUNT(*)"),
        ClockCounter::Met => (
            "met",
            "stopped_at",
            "c.status = 'stopped' AND c.breached_at IS NULL",
            "COUNT(*)",
        ),
        ClockCounter::ElapsedMs => (
            "elapsed_ms",
            "stopped_at",
            "c.status = 'stopped'",
            "CAST(COALESCE(SUM(c.elapsed_ms), 0) AS BIGINT)",
        ),
        ClockCounter::Breached => (
            "breached",
            "breached_at",
            "c.status <> 'cancelled'",
            "COUNT(*)",
        ),
    };
    let (ks, cs) = (clock_scoped("k", scope), clock_scoped("c", scope));
    let raw = |from: &str, to: &str| {
        format!(
            "(SELECT {agg} FROM sla_clocks c WHERE {cond}{cs} \
             AND c.{at} >= {from} AND c.{at} < {to})"
        )
    };
    format!(
        "((SELECT CAST(COALESCE(SUM(k.{column}), 0) AS BIGINT) FROM clock_counts k \
         WHERE k.day >= {fs} AND k.day < {fe}{ks}) + {} + {})",
        raw(b.s, b.fs),
        raw(b.fe, b.e),
        fs = b.fs,
        fe = b.fe,
    )
}

/// The 90th percentile (nearest rank) of the business time of the clocks of
/// `agreement` and `kind` (one organisation's, or every one's) stopped in
/// `[from, to)`, of which there are `stopped`. Worked out from the clocks
/// and kept when the period is over; taken from what was kept while the
/// period's clock counts have not changed since.
pub async fn clock_p90(
    p: &Pools,
    agreement: &str,
    org: Option<i64>,
    kind: &str,
    (from, to): (i64, i64),
    stopped: i64,
) -> Result<Option<i64>> {
    if stopped == 0 {
        return Ok(None);
    }
    // What has changed on the days the period touches, read before the
    // clocks: a change after this read leaves what is kept outdated, never
    // what is kept newer than its mark.
    let first_day = from.div_euclid(DAY_MS) * DAY_MS;
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(k.changes), 0) AS BIGINT) FROM clock_counts k WHERE k.agreement = ",
    );
    q.arg(Arg::Text(agreement.to_owned()))
        .push(" AND k.kind = ")
        .arg(Arg::Text(kind.to_owned()))
        .push(" AND k.day >= ")
        .arg(Arg::I64(first_day))
        .push(" AND k.day < ")
        .arg(Arg::I64(to));
    if let Some(o) = org {
        q.push(" AND k.org_id = ").arg(Arg::I64(o));
    }
    let changes: i64 = q.fetch_scalar(p.read()).await?;
    let key_org = org.unwrap_or(0);
    let kept: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT changes, p90_ms FROM clock_percentiles WHERE agreement = $1 AND org_id = $2 \
         AND kind = $3 AND month_start = $4 AND month_end = $5",
    )
    .bind(agreement)
    .bind(key_org)
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_optional(p.read())
    .await?;
    if let Some((c, p90)) = kept
        && c == changes
    {
        return Ok(p90);
    }
    let rank = (stopped * 9 + 9) / 10;
    let mut q = Sql::new("SELECT c.elapsed_ms FROM sla_clocks c WHERE c.agreement = ");
    q.arg(Arg::Text(agreement.to_owned()))
        .push(" AND c.kind = ")
        .arg(Arg::Text(kind.to_owned()))
        .push(" AND c.status = 'stopped' AND c.stopped_at >= ")
        .arg(Arg::I64(from))
        .push(" AND c.stopped_at < ")
        .arg(Arg::I64(to));
    if let Some(o) = org {
        q.push(" AND c.org_id = ").arg(Arg::I64(o));
    }
    q.push(" ORDER BY c.elapsed_ms LIMIT 1 OFFSET ")
        .arg(Arg::I64(rank - 1));
    let p90 = q
        .fetch_all::<(i64,), _>(p.read())
        .await?
        .first()
        .map(|r| r.0);
    // Kept only once the period is over: today's clocks change all day.
    if to <= crate::now_ms().div_euclid(DAY_MS) * DAY_MS {
        let mut tx = p.begin().await?;
        sqlx::query(
            "INSERT INTO clock_percentiles (agreement, org_id, kind, month_start, month_end, \
             changes, p90_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (agreement, org_id, kind, month_start, month_end) \
             DO UPDATE SET changes = excluded.changes, p90_ms = excluded.p90_ms",
        )
        .bind(agreement)
        .bind(key_org)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(changes)
        .bind(p90)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(p90)
}

/// Folds each day's pending rows (one per change, written by the triggers)
/// into one row, so that a period reads about one row per day: run by the
/// sweeper every minute and after bulk loads. Returns how many days it
/// folded.
pub async fn compact(p: &Pools) -> Result<u64> {
    dialect::compact_counts(p).await
}

/// Where the daily counts differ from the records and clocks they count:
/// one line per (table, key) that differs, empty when they agree. Reads
/// every record: for tests and for an operator who doubts them.
pub async fn verify(p: &Pools) -> Result<Vec<String>> {
    use std::collections::BTreeMap;
    type Key = (String, String, i64, i64);
    /// A key and its four counts, as both sides are read.
    type CountRow = (String, String, i64, i64, i64, i64, i64, i64);
    async fn rows(p: &Pools, sql: &str) -> Result<BTreeMap<Key, Vec<i64>>> {
        let rows: Vec<CountRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p.read())
            .await?;
        let mut out: BTreeMap<Key, Vec<i64>> = BTreeMap::new();
        for (a, b, c, d, v1, v2, v3, v4) in rows {
            let e = out.entry((a, b, c, d)).or_insert_with(|| vec![0; 4]);
            for (slot, v) in e.iter_mut().zip([v1, v2, v3, v4]) {
                *slot += v;
            }
        }
        out.retain(|_, v| v.iter().any(|x| *x != 0));
        Ok(out)
    }
    const Z: &str = "CAST(0 AS BIGINT)";
    let day = |c: &str| format!("{c} - {c} % {DAY_MS}");
    let kept_records = rows(
        p,
        &format!(
            "SELECT kind, CAST(org_id AS TEXT), day, {Z}, opened, resolved, major, {Z} \
             FROM record_counts"
        ),
    )
    .await?;
    let records = rows(
        p,
        &format!(
            "SELECT kind, CAST(org_id AS TEXT), {}, {Z}, COUNT(*), {Z}, \
             SUM(CASE WHEN major THEN 1 ELSE 0 END), {Z} FROM work_records GROUP BY 1, 2, 3 \
             UNION ALL SELECT kind, CAST(org_id AS TEXT), {}, {Z}, {Z}, COUNT(*), {Z}, {Z} \
             FROM work_records WHERE resolved_at IS NOT NULL GROUP BY 1, 2, 3",
            day("opened_at"),
            day("resolved_at")
        ),
    )
    .await?;
    let kept_clocks = rows(
        p,
        &format!(
            "SELECT agreement || '/' || kind, CAST(org_id AS TEXT), day, {Z}, stopped, met, \
             elapsed_ms, breached FROM clock_counts"
        ),
    )
    .await?;
    let clocks = rows(
        p,
        &format!(
            "SELECT agreement || '/' || kind, CAST(org_id AS TEXT), {}, {Z}, COUNT(*), \
             SUM(CASE WHEN breached_at IS NULL THEN 1 ELSE 0 END), \
             CAST(SUM(elapsed_ms) AS BIGINT), {Z} FROM sla_clocks \
             WHERE status = 'stopped' AND stopped_at IS NOT NULL GROUP BY 1, 2, 3 \
             UNION ALL SELECT agreement || '/' || kind, CAST(org_id AS TEXT), {}, {Z}, {Z}, {Z}, {Z}, \
             COUNT(*) FROM sla_clocks WHERE status <> 'cancelled' AND breached_at IS NOT NULL \
             GROUP BY 1, 2, 3",
            day("stopped_at"),
            day("breached_at")
        ),
    )
    .await?;
    let mut out = Vec::new();
    for (table, kept, actual) in [
        ("record_counts", kept_records, records),
        ("clock_counts", kept_clocks, clocks),
    ] {
        for key in kept.keys().chain(actual.keys()) {
            let (k, a) = (kept.get(key), actual.get(key));
            if k != a
                && !out
                    .iter()
                    .any(|l: &String| l.starts_with(&format!("{table} {key:?}")))
            {
                out.push(format!("{table} {key:?}: kept {k:?}, counted {a:?}"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_are_those_inside_the_period() {
        let d = DAY_MS;
        assert_eq!(whole_days(0, 3 * d), (0, 3 * d));
        assert_eq!(whole_days(5, 3 * d + 7), (d, 3 * d));
        assert_eq!(
            whole_days(5, d + 7),
            (d + 7, d + 7),
            "none: the edges are all of it"
        );
        assert_eq!(whole_days(d, d + 7), (d + 7, d + 7));
        assert_eq!(whole_days(d, 2 * d), (d, 2 * d));
    }
}
