//! Health and schema introspection.

use super::super::{Pools, dialect};
use crate::Result;

pub async fn ping(p: &Pools) -> Result<()> {
    sqlx::query("SELECT 1").execute(p.read()).await?;
    Ok(())
}

pub async fn schema_columns(p: &Pools) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(dialect::SCHEMA_COLUMNS)
        .fetch_all(p.read())
        .await?)
}
