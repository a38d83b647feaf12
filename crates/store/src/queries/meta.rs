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
    // Both databases sort text their own way.
    lines.sort();
    Ok(lines)
}
