//! The store's methods for services: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_service(&self, actor: &AuditActor, f: &ServiceFields) -> Result<Service> {
        let created = dispatch!(self, services::create(actor, f));
        self.caches.refs.clear();
        created
    }

    /// A service as `visibility` may see it: customers see only services their organisation receives.
    pub async fn service(&self, number: &str, visibility: Visibility) -> Result<Service> {
        dispatch!(self, services::get(number, scope_org(visibility)))
    }

    pub async fn list_services(&self, visibility: Visibility) -> Result<Vec<Service>> {
        dispatch!(self, services::list(scope_org(visibility)))
    }

    pub async fn service_customers(&self, service_id: i64) -> Result<Vec<Organisation>> {
        dispatch!(self, services::customers(service_id))
    }

    pub async fn update_service(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        f: &ServiceFields,
    ) -> Result<Service> {
        let updated = dispatch!(self, services::update(actor, number, expected_version, f));
        self.caches.refs.clear();
        updated
    }
}
