//! The store's search: the same query on whichever backend is connected.

use crate::*;

impl Store {
    /// The best `limit` matches of `q` that `rules` let the actor find.
    pub async fn search(
        &self,
        q: &steward_domain::search::Query,
        rules: &[SearchRule],
        limit: i64,
    ) -> Result<Vec<SearchHit>> {
        dispatch!(self, search::search(q, rules, limit))
    }
}
