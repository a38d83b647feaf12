//! The store's methods for agreements: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_agreement(
        &self,
        actor: &AuditActor,
        f: &AgreementFields,
    ) -> Result<Agreement> {
        let out = dispatch!(self, agreements::create(actor, f));
        self.caches.terms.clear();
        out
    }

    pub async fn agreement(&self, number: &str) -> Result<Agreement> {
        dispatch!(self, agreements::get(number))
    }

    pub async fn list_agreements(&self) -> Result<Vec<Agreement>> {
        dispatch!(self, agreements::list())
    }

    pub async fn update_agreement(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        f: &AgreementFields,
    ) -> Result<Agreement> {
        let out = dispatch!(self, agreements::update(actor, number, expected_version, f));
        self.caches.terms.clear();
        out
    }
}
