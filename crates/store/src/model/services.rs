//! The service catalogue.

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Service {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// New or changed fields of a service.
#[derive(Debug, Clone)]
pub struct ServiceFields {
    pub name: String,
    pub description: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub customer_org_ids: Vec<i64>,
}
