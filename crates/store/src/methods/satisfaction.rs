//! The store's methods for customer satisfaction: each calls the same query
//! on whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// Records a customer's rating of a record (once: a second is a conflict).
    pub async fn rate(&self, actor: &AuditActor, new: &NewRating<'_>) -> Result<Rating> {
        dispatch!(self, satisfaction::rate(actor, new))
    }

    pub async fn rating_of(&self, record_id: i64) -> Result<Option<Rating>> {
        dispatch!(self, satisfaction::of_record(record_id))
    }

    /// Satisfaction per month, customer and service, `from` to `to` (`YYYY-MM`).
    pub async fn satisfaction(
        &self,
        org: Option<i64>,
        from: &str,
        to: &str,
    ) -> Result<Vec<SatisfactionRow>> {
        dispatch!(self, satisfaction::results(org, from, to))
    }
}
