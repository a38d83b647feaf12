//! Business relationship (8.3.2, migration 0028): customers' profiles and
//! contacts, and service reviews, work records of kind `service_review`
//! with their own fields in `service_review_details`.

use steward_domain::audit::Changes;
use steward_domain::kind::Kind;
use steward_domain::relationship::ServiceReviewState;

use super::super::Pools;
use super::Arg;
use super::audit::append;
use super::records::{self, KindFields, record_select};
use crate::{
    AuditActor, Contact, CustomerProfile, NewContact, RecordCore, Result, ServiceReview,
    ServiceReviewFields, StoreError, now_ms,
};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.attendees, d.minutes, d.held_at, d.cancelled_reason, o.name AS org_name",
            "JOIN service_review_details d ON d.record_id = r.id \
             JOIN organisations o ON o.id = r.org_id",
            "service_review",
            $tail
        )
    };
}

impl KindFields for ServiceReviewFields {
    type State = ServiceReviewState;
    const TABLE: &'static str = "service_review_details";
    const COLUMNS: &'static [&'static str] =
        &["attendees", "minutes", "held_at", "cancelled_reason"];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ServiceReviewState {
        self.state
    }

    /// Held is its closing.
    fn times(&self) -> (Option<i64>, Option<i64>) {
        (self.life.held_at, self.life.held_at)
    }

    fn args(&self) -> Vec<Arg> {
        vec![
            Arg::Text(self.attendees.clone()),
            Arg::OptText(self.life.minutes.clone()),
            Arg::OptI64(self.life.held_at),
            Arg::OptText(self.life.cancelled_reason.clone()),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        c.diff("attendees", &self.attendees, &b.attendees);
        c.diff("minutes", &self.life.minutes, &b.life.minutes);
        c.diff(
            "cancelled_reason",
            &self.life.cancelled_reason,
            &b.life.cancelled_reason,
        );
    }
}

records::kind_queries!(Kind::ServiceReview, ServiceReview, ServiceReviewFields);

const PROFILE: &str = "SELECT o.id AS org_id, o.name, o.profile, o.relationship_manager_id, \
     m.name AS relationship_manager, \
     (SELECT MAX(r.closed_at) FROM work_records r WHERE r.org_id = o.id \
      AND r.kind = 'service_review' AND r.state = 'held') AS last_review_at, \
     (SELECT MIN(r.target_at) FROM work_records r WHERE r.org_id = o.id \
      AND r.kind = 'service_review' AND r.state = 'planned') AS next_review_at, \
     (SELECT COUNT(*) FROM service_customers sc WHERE sc.org_id = o.id) AS services \
     FROM organisations o LEFT JOIN users m ON m.id = o.relationship_manager_id \
     WHERE o.kind = 'customer'";

/// Every customer organisation with its relationship at a glance, by name.
pub async fn customers(p: &Pools) -> Result<Vec<CustomerProfile>> {
    let sql = format!("{PROFILE} ORDER BY o.name, o.id LIMIT 1000");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(p.read())
        .await?)
}

pub async fn customer(p: &Pools, org_id: i64) -> Result<CustomerProfile> {
    let sql = format!("{PROFILE} AND o.id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Sets a customer's profile and relationship manager, audited.
pub async fn set_profile(
    p: &Pools,
    actor: &AuditActor,
    org_id: i64,
    profile: &str,
    manager_id: Option<i64>,
) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (name, was, was_manager): (String, String, Option<i64>) = sqlx::query_as(
        "SELECT name, profile, relationship_manager_id FROM organisations \
         WHERE id = $1 AND kind = 'customer'",
    )
    .bind(org_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut c = Changes::default();
    c.diff("profile", &was, &profile.to_owned());
    c.diff("relationship_manager_id", &was_manager, &manager_id);
    if c.0.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE organisations SET profile = $1, relationship_manager_id = $2 WHERE id = $3",
    )
    .bind(profile)
    .bind(manager_id)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        actor,
        Some(org_id),
        "organisation",
        &name,
        "profile",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn contacts(p: &Pools, org_id: i64) -> Result<Vec<Contact>> {
    Ok(sqlx::query_as(
        "SELECT id, org_id, name, role, email, phone, created_at FROM customer_contacts \
         WHERE org_id = $1 ORDER BY name, id",
    )
    .bind(org_id)
    .fetch_all(p.read())
    .await?)
}

pub async fn add_contact(
    p: &Pools,
    actor: &AuditActor,
    org_id: i64,
    new: &NewContact,
) -> Result<Contact> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let name: String =
        sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1 AND kind = 'customer'")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let contact: Contact = sqlx::query_as(
        "INSERT INTO customer_contacts (org_id, name, role, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, org_id, name, role, email, phone, created_at",
    )
    .bind(org_id)
    .bind(&new.name)
    .bind(new.role.as_str())
    .bind(&new.email)
    .bind(&new.phone)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("contact", &new.name);
    c.set("role", &new.role.as_str());
    c.set("email", &new.email);
    c.set("phone", &new.phone);
    append(
        &mut tx,
        actor,
        Some(org_id),
        "organisation",
        &name,
        "add_contact",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

pub async fn remove_contact(
    p: &Pools,
    actor: &AuditActor,
    org_id: i64,
    contact_id: i64,
) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (org_name, contact): (String, String) = sqlx::query_as(
        "SELECT o.name, c.name FROM customer_contacts c JOIN organisations o ON o.id = c.org_id \
         WHERE c.id = $1 AND c.org_id = $2",
    )
    .bind(contact_id)
    .bind(org_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    sqlx::query("DELETE FROM customer_contacts WHERE id = $1")
        .bind(contact_id)
        .execute(&mut *tx)
        .await?;
    let mut c = Changes::default();
    c.diff("contact", &contact, &String::new());
    append(
        &mut tx,
        actor,
        Some(org_id),
        "organisation",
        &org_name,
        "remove_contact",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
