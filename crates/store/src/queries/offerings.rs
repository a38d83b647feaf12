//! Catalogue offerings (8.6.2, migration 0027): what customers order, with
//! its form, approval rule and fulfilment plan kept as JSON the domain
//! checked, who may order it (`offering_orgs`, or the service's customers),
//! written with their audit entries.

use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;

use super::super::{Conn, Pools, dialect};
use super::audit::append;
use super::write::{Entry, Set};
use super::{Arg, Sql};
use crate::{AuditActor, Offering, OfferingFilter, OfferingWrite, Result, StoreError, now_ms};

macro_rules! select_offering {
    ($tail:literal) => {
        concat!(
            "SELECT o.id, o.number, o.service_id, s.number AS service_number, \
             s.name AS service_name, o.name, o.description, o.form, o.approval, o.plan, o.roles, \
             o.price, o.target_minutes, o.calendar_id, c.name AS calendar_name, o.active, \
             s.status = 'live' AS service_live, ",
            dialect::offering_orgs!(),
            " AS org_ids, o.created_at, o.updated_at, o.version FROM offerings o \
             JOIN services s ON s.id = o.service_id JOIN calendars c ON c.id = o.calendar_id",
            $tail
        )
    };
}

fn offering_changes(before: Option<&OfferingWrite>, w: &OfferingWrite) -> Changes {
    let mut c = Changes::default();
    macro_rules! field {
        ($name:literal, $get:expr) => {{
            let get = $get;
            match before {
                Some(b) => c.diff($name, &get(b), &get(w)),
                None => c.set($name, &get(w)),
            }
        }};
    }
    field!("service_id", |x: &OfferingWrite| x.service_id);
    field!("name", |x: &OfferingWrite| x.name.clone());
    field!("description", |x: &OfferingWrite| x.description.clone());
    field!("form", |x: &OfferingWrite| x.form.json());
    field!("approval", |x: &OfferingWrite| x.approval.json());
    field!("plan", |x: &OfferingWrite| x.plan.json());
    field!("roles", |x: &OfferingWrite| roles_text(x));
    field!("price", |x: &OfferingWrite| x.price);
    field!("target_minutes", |x: &OfferingWrite| x.target_minutes);
    field!("calendar_id", |x: &OfferingWrite| x.calendar_id);
    field!("active", |x: &OfferingWrite| x.active);
    field!("organisations", |x: &OfferingWrite| x.orgs.clone());
    c
}

/// A value kept as JSON text.
trait Json {
    fn json(&self) -> String;
}

impl<T: serde::Serialize> Json for T {
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn roles_text(w: &OfferingWrite) -> String {
    w.roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn offering_sets(w: &OfferingWrite) -> Vec<Set> {
    vec![
        Set::to("service_id", Arg::I64(w.service_id)),
        Set::to("name", Arg::Text(w.name.clone())),
        Set::to("description", Arg::Text(w.description.clone())),
        Set::to("form", Arg::Text(w.form.json())),
        Set::to("approval", Arg::Text(w.approval.json())),
        Set::to("plan", Arg::Text(w.plan.json())),
        Set::to("roles", Arg::Text(roles_text(w))),
        Set::to("price", Arg::I64(w.price)),
        Set::to("target_minutes", Arg::I64(w.target_minutes)),
        Set::to("calendar_id", Arg::I64(w.calendar_id)),
        Set::to("active", Arg::Bool(w.active)),
    ]
}

async fn write_offering_orgs(conn: &mut Conn, id: i64, orgs: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM offering_orgs WHERE offering_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for o in orgs {
        sqlx::query("INSERT INTO offering_orgs (offering_id, org_id) VALUES ($1, $2)")
            .bind(id)
            .bind(o)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn offering_by_id(conn: &mut Conn, id: i64) -> Result<Offering> {
    Ok(sqlx::query_as(select_offering!(" WHERE o.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?)
}

pub async fn create_offering(p: &Pools, actor: &AuditActor, w: &OfferingWrite) -> Result<Offering> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let kind = NumberKind::Offering;
    let number = kind.format(dialect::next_number(&mut tx, kind).await?);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO offerings (number, service_id, name, description, form, approval, plan, \
         roles, price, target_minutes, calendar_id, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(&number)
    .bind(w.service_id)
    .bind(&w.name)
    .bind(&w.description)
    .bind(w.form.json())
    .bind(w.approval.json())
    .bind(w.plan.json())
    .bind(roles_text(w))
    .bind(w.price)
    .bind(w.target_minutes)
    .bind(w.calendar_id)
    .bind(w.active)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    write_offering_orgs(&mut tx, id, &w.orgs).await?;
    let c = offering_changes(None, w);
    append(&mut tx, actor, None, "offering", &number, "create", &c, now).await?;
    let o = offering_by_id(&mut tx, id).await?;
    tx.commit().await?;
    Ok(o)
}

/// The offering as it was written (for the history of a change).
fn as_written(o: &Offering) -> OfferingWrite {
    OfferingWrite {
        service_id: o.service_id,
        name: o.name.clone(),
        description: o.description.clone(),
        form: o.form(),
        approval: o.approval(),
        plan: o.plan(),
        roles: o.roles(),
        price: o.price,
        target_minutes: o.target_minutes,
        calendar_id: o.calendar_id,
        active: o.active,
        orgs: o.orgs(),
    }
}

pub async fn update_offering(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    w: &OfferingWrite,
) -> Result<Offering> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let sql = format!(
        "SELECT id FROM offerings WHERE number = $1{}",
        dialect::FOR_UPDATE
    );
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = offering_by_id(&mut tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let was = as_written(&before);
    if &was == w {
        return Ok(before);
    }
    write_offering_orgs(&mut tx, id, &w.orgs).await?;
    let c = offering_changes(Some(&was), w);
    super::write::apply(
        &mut tx,
        super::write::Row::id("offerings", id),
        Some(before.version),
        offering_sets(w),
        now,
        Entry {
            actor,
            org_id: None,
            record_type: "offering",
            record_number: number,
            action: "update",
            changes: &c,
        },
    )
    .await?;
    let o = offering_by_id(&mut tx, id).await?;
    tx.commit().await?;
    Ok(o)
}

pub async fn offering(p: &Pools, number: &str) -> Result<Offering> {
    sqlx::query_as(select_offering!(" WHERE o.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Offerings by service and name (a catalogue holds tens to hundreds).
pub async fn offerings(p: &Pools, f: &OfferingFilter) -> Result<Vec<Offering>> {
    let mut q = Sql::new(select_offering!(" WHERE 1 = 1"));
    if let Some(s) = f.service_id {
        q.push(" AND o.service_id = ").arg(Arg::I64(s));
    }
    if f.active_only || f.orderable_by.is_some() {
        q.push(" AND o.active AND s.status = 'live'");
    }
    if let Some((org, role)) = f.orderable_by {
        q.push(" AND ' ' || o.roles || ' ' LIKE ")
            .arg(Arg::Text(format!("% {} %", role.as_str())))
            .push(
                " AND (EXISTS (SELECT 1 FROM offering_orgs x WHERE x.offering_id = o.id \
                 AND x.org_id = ",
            )
            .arg(Arg::I64(org))
            .push(
                ") OR (NOT EXISTS (SELECT 1 FROM offering_orgs x WHERE x.offering_id = o.id) \
                 AND EXISTS (SELECT 1 FROM service_customers sc WHERE sc.service_id = o.service_id \
                 AND sc.org_id = ",
            )
            .arg(Arg::I64(org))
            .push(")))");
    }
    q.push(" ORDER BY s.name, o.name, o.id LIMIT 1000");
    q.fetch_all(p.read()).await
}

/// The organisations that receive `service_id` (whom an offering naming
/// none is offered to).
pub async fn service_orgs(p: &Pools, service_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT org_id FROM service_customers WHERE service_id = $1")
            .bind(service_id)
            .fetch_all(p.read())
            .await?,
    )
}
