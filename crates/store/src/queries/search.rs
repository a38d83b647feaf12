//! Search over the documents the triggers of migration 0025 keep: the
//! query as the domain read it, in this database's full-text syntax
//! (`dialect::search`), narrowed to what the actor may find.

use steward_domain::search::Query;

use super::super::{Pools, dialect};
use super::{Arg, Sql};
use crate::{Result, SearchHit, SearchRule};

/// How many of the newest matches a search ranks: the best results are the
/// best among them (an older, better match is not found; narrower words
/// find it).
pub const CANDIDATES: i64 = 500;

/// The best `limit` matches of `q` among what `rules` let the actor find
/// (nothing without a rule).
pub async fn search(
    p: &Pools,
    q: &Query,
    rules: &[SearchRule],
    limit: i64,
) -> Result<Vec<SearchHit>> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let allowed = |sql: &mut Sql| {
        sql.push(" AND (");
        for (i, r) in rules.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(d.kind = ").arg(Arg::Text(r.kind.clone()));
            match (r.kind.as_str(), r.org) {
                (_, None) => {}
                // A customer finds the articles published to them, as they read them.
                ("article", Some(o)) => {
                    sql.push(" AND ")
                        .push(&super::articles::readable_by("d.ref_id", &o.to_string()));
                }
                // A customer finds the known errors published to them: open,
                // with a workaround, on a service their organisation receives.
                ("problem", Some(o)) => {
                    sql.push(" AND ")
                        .push(&super::problems::known_error_for_org(
                            "d.ref_id",
                            &o.to_string(),
                        ));
                }
                ("service", Some(o)) => {
                    sql.push(
                        " AND d.ref_id IN (SELECT service_id FROM service_customers \
                         WHERE org_id = ",
                    )
                    .arg(Arg::I64(o))
                    .push(")");
                }
                (_, Some(o)) => {
                    sql.push(" AND d.org_id = ").arg(Arg::I64(o));
                }
            }
            sql.push(")");
        }
        sql.push(")");
    };
    dialect::search(q, allowed, limit).fetch_all(p.read()).await
}
