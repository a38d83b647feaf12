//! The service catalogue.

use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;

use super::super::{Conn, Pools, dialect};
use super::Arg;
use super::audit::append;
use super::write::{self, Entry, Row, Set};
use crate::{AuditActor, Organisation, Result, Service, ServiceFields, StoreError, now_ms};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.number, s.name, s.description, s.owner_id, u.name AS owner_name, \
             s.status, s.created_at, s.updated_at, s.version \
             FROM services s LEFT JOIN users u ON u.id = s.owner_id",
            $tail
        )
    };
}

/// Customers see only the services their organisation receives.
const SCOPE: &str = "($1 IS NULL OR EXISTS (SELECT 1 FROM service_customers sc \
                     WHERE sc.service_id = s.id AND sc.org_id = $1))";

async fn customer_names(conn: &mut Conn, service_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT o.name FROM service_customers sc JOIN organisations o ON o.id = sc.org_id \
         WHERE sc.service_id = $1 ORDER BY lower(o.name)",
    )
    .bind(service_id)
    .fetch_all(conn)
    .await?)
}

async fn set_customers(conn: &mut Conn, service_id: i64, orgs: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM service_customers WHERE service_id = $1")
        .bind(service_id)
        .execute(&mut *conn)
        .await?;
    for org in orgs {
        sqlx::query(
            "INSERT INTO service_customers (service_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(service_id)
        .bind(org)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn create(p: &Pools, actor: &AuditActor, f: &ServiceFields) -> Result<Service> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let n = dialect::next_number(&mut tx, NumberKind::Service).await?;
    let number = NumberKind::Service.format(n);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO services (number, name, description, owner_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&number)
    .bind(&f.name)
    .bind(&f.description)
    .bind(f.owner_id)
    .bind(&f.status)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    set_customers(&mut tx, id, &f.customer_org_ids).await?;
    let mut c = Changes::default();
    c.set("name", &f.name);
    c.set("description", &f.description);
    c.set("status", &f.status);
    c.set("owner_id", &f.owner_id);
    c.set("customers", &customer_names(&mut tx, id).await?);
    append(&mut tx, actor, None, "service", &number, "create", &c, now).await?;
    let s = sqlx::query_as(select!(" WHERE s.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(p: &Pools, number: &str, org: Option<i64>) -> Result<Service> {
    let sql = format!("{} WHERE {SCOPE} AND s.number = $2", select!(""));
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org)
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(p: &Pools, org: Option<i64>) -> Result<Vec<Service>> {
    let sql = format!("{} WHERE {SCOPE} ORDER BY s.number", select!(""));
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org)
        .fetch_all(p.read())
        .await?)
}

pub async fn customers(p: &Pools, service_id: i64) -> Result<Vec<Organisation>> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.name, o.kind, o.time_zone, o.created_at FROM service_customers sc \
         JOIN organisations o ON o.id = sc.org_id WHERE sc.service_id = $1 ORDER BY lower(o.name)",
    )
    .bind(service_id)
    .fetch_all(p.read())
    .await?)
}

pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    f: &ServiceFields,
) -> Result<Service> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let lock = format!(
        "SELECT id FROM services WHERE number = $1{}",
        dialect::FOR_UPDATE
    );
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(lock))
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before: Service = sqlx::query_as(select!(" WHERE s.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let customers_before = customer_names(&mut tx, before.id).await?;
    set_customers(&mut tx, before.id, &f.customer_org_ids).await?;
    let customers_after = customer_names(&mut tx, before.id).await?;
    let mut c = Changes::default();
    c.diff("name", &before.name, &f.name);
    c.diff("description", &before.description, &f.description);
    c.diff("status", &before.status, &f.status);
    c.diff("owner_id", &before.owner_id, &f.owner_id);
    c.diff("customers", &customers_before, &customers_after);
    if c.is_empty() {
        return Ok(before);
    }
    let set = vec![
        Set::to("name", Arg::Text(f.name.clone())),
        Set::to("description", Arg::Text(f.description.clone())),
        Set::to("status", Arg::Text(f.status.clone())),
        Set::to("owner_id", Arg::OptI64(f.owner_id)),
    ];
    let entry = Entry {
        actor,
        org_id: None,
        record_type: "service",
        record_number: number,
        action: "update",
        changes: &c,
    };
    write::apply(
        &mut tx,
        Row::id("services", before.id),
        Some(before.version),
        set,
        now,
        entry,
    )
    .await?;
    let s = sqlx::query_as(select!(" WHERE s.id = $1"))
        .bind(before.id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(s)
}
