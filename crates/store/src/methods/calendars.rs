//! The store's methods for business calendars: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_calendar(
        &self,
        actor: &AuditActor,
        name: &str,
        time_zone: &str,
        spec: &str,
    ) -> Result<StoredCalendar> {
        let out = dispatch!(self, calendars::create(actor, name, time_zone, spec));
        self.caches.terms.clear();
        out
    }

    pub async fn calendar(&self, id: i64) -> Result<StoredCalendar> {
        dispatch!(self, calendars::get(id))
    }

    pub async fn list_calendars(&self) -> Result<Vec<StoredCalendar>> {
        dispatch!(self, calendars::list())
    }

    pub async fn update_calendar(
        &self,
        actor: &AuditActor,
        id: i64,
        expected_version: Option<i64>,
        name: &str,
        time_zone: &str,
        spec: &str,
    ) -> Result<StoredCalendar> {
        let out = dispatch!(
            self,
            calendars::update(actor, id, expected_version, name, time_zone, spec)
        );
        self.caches.terms.clear();
        out
    }
}
