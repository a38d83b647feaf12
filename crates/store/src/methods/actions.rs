//! The store's methods for actions: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    actions,
    Action,
    ActionFields,
    create_action,
    action,
    list_actions,
    update_action
);

impl Store {
    /// The actions that follow from the record `parent_id`.
    pub async fn actions_of(&self, parent_id: i64) -> Result<Vec<Action>> {
        dispatch!(self, actions::of_parent(parent_id))
    }
}
