//! The store's methods for actions: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_action(&self, actor: &AuditActor, new: &NewAction) -> Result<Action> {
        dispatch!(self, actions::create(actor, new))
    }

    pub async fn action(&self, number: &str) -> Result<Action> {
        dispatch!(self, actions::get(number))
    }

    pub async fn list_actions(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Action>> {
        dispatch!(self, actions::list(filter, after, limit))
    }

    /// The actions that follow from the record `parent_id`.
    pub async fn actions_of(&self, parent_id: i64) -> Result<Vec<Action>> {
        dispatch!(self, actions::of_parent(parent_id))
    }

    pub async fn update_action<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Action>
    where
        F: FnOnce(&Action) -> Result<ActionFields, RuleError>,
    {
        dispatch!(
            self,
            actions::update(actor, number, expected_version, action, change)
        )
    }
}
