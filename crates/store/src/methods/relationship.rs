//! The store's methods for business relationship: customers' profiles and
//! contacts, and service reviews (`dispatch!` to the connected backend).

use crate::*;

kind_methods!(
    relationship,
    ServiceReview,
    ServiceReviewFields,
    create_service_review,
    service_review,
    list_service_reviews,
    update_service_review
);

impl Store {
    /// Every customer with its relationship at a glance.
    pub async fn customers(&self) -> Result<Vec<CustomerProfile>> {
        dispatch!(self, relationship::customers())
    }

    pub async fn customer(&self, org_id: i64) -> Result<CustomerProfile> {
        dispatch!(self, relationship::customer(org_id))
    }

    pub async fn set_customer_profile(
        &self,
        actor: &AuditActor,
        org_id: i64,
        profile: &str,
        manager_id: Option<i64>,
    ) -> Result<()> {
        dispatch!(
            self,
            relationship::set_profile(actor, org_id, profile, manager_id)
        )
    }

    pub async fn relationship_contacts(&self, org_id: i64) -> Result<Vec<Contact>> {
        dispatch!(self, relationship::contacts(org_id))
    }

    pub async fn add_customer_contact(
        &self,
        actor: &AuditActor,
        org_id: i64,
        new: &NewContact,
    ) -> Result<Contact> {
        dispatch!(self, relationship::add_contact(actor, org_id, new))
    }

    pub async fn remove_customer_contact(
        &self,
        actor: &AuditActor,
        org_id: i64,
        contact_id: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            relationship::remove_contact(actor, org_id, contact_id)
        )
    }
}
