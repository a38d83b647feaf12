//! The store's methods for users, groups, credentials: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_user(
        &self,
        actor: &AuditActor,
        email: &str,
        name: &str,
        role: &str,
        org_id: i64,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let created = dispatch!(
            self,
            users::create(actor, email, name, role, org_id, password_hash)
        );
        self.caches.refs.clear();
        created
    }

    pub async fn user_by_id(&self, id: i64) -> Result<User> {
        dispatch!(self, users::by_id(id))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        dispatch!(self, users::by_email(email))
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        dispatch!(self, users::credentials(email))
    }

    /// Users, ordered by name; optionally only one organisation's.
    pub async fn list_users(&self, org_id: Option<i64>) -> Result<Vec<User>> {
        dispatch!(self, users::list(org_id))
    }

    /// Changes a user's name, role, active flag, time zone or password.
    pub async fn update_user(
        &self,
        actor: &AuditActor,
        id: i64,
        change: &UserChange,
    ) -> Result<User> {
        let updated = dispatch!(self, users::update(actor, id, change));
        self.caches.tokens.clear();
        self.caches.refs.clear();
        updated
    }

    /// Creates an assignment group with its manager and members, in one transaction.
    pub async fn create_group(
        &self,
        actor: &AuditActor,
        f: &GroupFields,
    ) -> Result<AssignmentGroup> {
        let created = dispatch!(self, groups::create(actor, f));
        self.caches.refs.clear();
        created
    }

    /// Changes a group; its members are replaced as a whole.
    pub async fn update_group(
        &self,
        actor: &AuditActor,
        id: i64,
        f: &GroupFields,
    ) -> Result<AssignmentGroup> {
        let updated = dispatch!(self, groups::update(actor, id, f));
        self.caches.refs.clear();
        updated
    }

    pub async fn group_by_id(&self, id: i64) -> Result<AssignmentGroup> {
        dispatch!(self, groups::by_id(id))
    }

    pub async fn group_members(&self, group_id: i64) -> Result<Vec<GroupMember>> {
        dispatch!(self, groups::members(group_id))
    }

    pub async fn list_groups(&self) -> Result<Vec<AssignmentGroup>> {
        dispatch!(self, groups::list())
    }

    pub async fn group_by_name(&self, name: &str) -> Result<AssignmentGroup> {
        dispatch!(self, groups::by_name(name))
    }

    pub async fn groups_of_user(&self, user_id: i64) -> Result<Vec<i64>> {
        dispatch!(self, groups::of_user(user_id))
    }

    pub async fn is_group_member(&self, group_id: i64, user_id: i64) -> Result<bool> {
        dispatch!(self, groups::is_member(group_id, user_id))
    }
}
