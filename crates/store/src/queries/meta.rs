//! Health and schema introspection.

use super::super::{Pools, dialect};
use crate::Result;

pub async fn ping(p: &Pools) -> Result<()> {
    sqlx::query("SELECT 1").execute(p.read()).await?;
    Ok(())
}

pub async fn schema(p: &Pools) -> Result<Vec<String>> {
    let mut lines: Vec<String> = sqlx::query_scalar(dialect::SCHEMA)
        .fetch_all(p.read())
        .await?;
    // The full-text index is each database's own (SQLite keeps it in the
    // FTS5 table `search_fts` and its shadow tables, PostgreSQL in a column
    // and a GIN index of `search_docs`): not part of the schema they share.
    lines.retain(|l| {
        !l.contains(" search_fts")
            && !l.contains("search_docs.tsv")
            && l != "index search_docs (tsv)"
    });
    // Both databases sort text their own way.
    lines.sort();
    Ok(lines)
}

/// Whether any organisation or user exists; without Steward's tables, none does.
pub async fn holds_data(p: &Pools) -> Result<bool> {
    let tables: i64 = sqlx::query_scalar(dialect::HAS_USERS)
        .fetch_one(p.read())
        .await?;
    if tables == 0 {
        return Ok(false);
    }
    let rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM organisations)",
    )
    .fetch_one(p.read())
    .await?;
    Ok(rows > 0)
}
