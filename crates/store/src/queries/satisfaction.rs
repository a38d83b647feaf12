//! Customer satisfaction: ratings of resolved records, one per record, each
//! with its audit entry; results aggregated per month, customer and service.

use steward_domain::audit::Changes;
use steward_domain::satisfaction::{SATISFIED_FROM, month_of};

use super::super::Pools;
use super::write::{Entry, append_entry};
use crate::{AuditActor, NewRating, Rating, Result, SatisfactionRow, on_unique};

const SELECT: &str = "SELECT t.id, t.record_id, t.score, t.comment, u.name AS rated_by_name, \
     t.rated_at FROM ratings t JOIN users u ON u.id = t.rated_by";

/// Records a rating of `new.record`; a second rating of a record is a conflict.
pub async fn rate(p: &Pools, actor: &AuditActor, new: &NewRating<'_>) -> Result<Rating> {
    let now = crate::now_ms();
    let r = new.record;
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ratings (record_id, org_id, service_id, rated_by, score, comment, \
         rated_at, month) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.id)
    .bind(r.org_id)
    .bind(r.service_id)
    .bind(new.rated_by)
    .bind(new.score)
    .bind(&new.comment)
    .bind(now)
    .bind(month_of(now))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| on_unique(e, &format!("{} is already rated", r.number)))?;
    let mut c = Changes::default();
    c.set("score", &new.score);
    c.set("comment", &new.comment);
    let entry = Entry {
        actor,
        org_id: Some(r.org_id),
        record_type: &r.kind,
        record_number: &r.number,
        action: "rate",
        changes: &c,
    };
    append_entry(&mut tx, entry, now).await?;
    let rating = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $1")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rating)
}

/// The rating of the record `record_id`, if it has one.
pub async fn of_record(p: &Pools, record_id: i64) -> Result<Option<Rating>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.record_id = $1"
    )))
    .bind(record_id)
    .fetch_optional(p.read())
    .await?)
}

/// Satisfaction per month, customer and service from `from` to `to`
/// (`YYYY-MM`, both included), newest month first; one organisation's when
/// `org` is given.
pub async fn results(
    p: &Pools,
    org: Option<i64>,
    from: &str,
    to: &str,
) -> Result<Vec<SatisfactionRow>> {
    let sql = format!(
        "SELECT t.month, o.name AS organisation, s.name AS service, COUNT(*) AS ratings, \
         AVG(CAST(t.score AS DOUBLE PRECISION)) AS average, \
         SUM(CASE WHEN t.score >= {SATISFIED_FROM} THEN 1 ELSE 0 END) AS satisfied \
         FROM ratings t JOIN organisations o ON o.id = t.org_id \
         LEFT JOIN services s ON s.id = t.service_id \
         WHERE t.month BETWEEN $1 AND $2 AND ($3 IS NULL OR t.org_id = $3) \
         GROUP BY t.month, t.org_id, o.name, t.service_id, s.name \
         ORDER BY t.month DESC, o.name, s.name"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(org)
        .fetch_all(p.read())
        .await?)
}
