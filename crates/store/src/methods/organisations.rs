//! The store's methods for organisations: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_org(
        &self,
        actor: &AuditActor,
        name: &str,
        kind: &str,
        time_zone: &str,
    ) -> Result<Organisation> {
        let created = dispatch!(self, orgs::create(actor, name, kind, time_zone));
        self.caches.refs.clear();
        created
    }

    /// Renames an organisation, sets its time zone and (given) the services
    /// it receives; sessions and tokens see the new time zone at once.
    pub async fn update_org(
        &self,
        actor: &AuditActor,
        id: i64,
        name: &str,
        time_zone: &str,
        service_ids: Option<&[i64]>,
    ) -> Result<Organisation> {
        let updated = dispatch!(self, orgs::update(actor, id, name, time_zone, service_ids));
        self.caches.refs.clear();
        self.caches.tokens.clear();
        updated
    }

    pub async fn org_by_id(&self, id: i64) -> Result<Organisation> {
        dispatch!(self, orgs::by_id(id))
    }

    pub async fn org_by_name(&self, name: &str) -> Result<Organisation> {
        dispatch!(self, orgs::by_name(name))
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organisation>> {
        dispatch!(self, orgs::list())
    }

    /// The provider's own organisation, if it exists yet.
    pub async fn provider_org(&self) -> Result<Option<Organisation>> {
        dispatch!(self, orgs::provider())
    }
}
