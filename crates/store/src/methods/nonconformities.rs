//! The store's methods for nonconformities: each calls the same query on
//! whichever backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    nonconformities,
    Nonconformity,
    NonconformityFields,
    create_nonconformity,
    nonconformity,
    list_nonconformities,
    update_nonconformity
);

impl Store {
    /// The others sharing the cause of the nonconformity `id`.
    pub async fn recurring_nonconformities(&self, id: i64) -> Result<Vec<Nonconformity>> {
        dispatch!(self, nonconformities::recurring(id))
    }

    /// The nonconformities raised against the requirement `clause`.
    pub async fn nonconformities_of_clause(&self, clause: &str) -> Result<Vec<Nonconformity>> {
        dispatch!(self, nonconformities::of_clause(clause))
    }
}
