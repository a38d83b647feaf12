//! The store's methods for service requests: offerings, requests with their
//! approvals, and fulfilment tasks (`dispatch!` to the connected backend).

use crate::*;

impl Store {
    pub async fn create_offering(&self, actor: &AuditActor, w: &OfferingWrite) -> Result<Offering> {
        dispatch!(self, offerings::create_offering(actor, w))
    }

    pub async fn update_offering(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        w: &OfferingWrite,
    ) -> Result<Offering> {
        dispatch!(
            self,
            offerings::update_offering(actor, number, expected_version, w)
        )
    }

    pub async fn offering(&self, number: &str) -> Result<Offering> {
        dispatch!(self, offerings::offering(number))
    }

    pub async fn offerings(&self, filter: &OfferingFilter) -> Result<Vec<Offering>> {
        dispatch!(self, offerings::offerings(filter))
    }

    /// The organisations that receive a service.
    pub async fn service_orgs(&self, service_id: i64) -> Result<Vec<i64>> {
        dispatch!(self, offerings::service_orgs(service_id))
    }

    pub async fn create_request(&self, actor: &AuditActor, new: &NewRequest) -> Result<Request> {
        let terms = self.sla_terms().await?;
        dispatch!(self, requests::create(actor, new, &terms))
    }

    pub async fn request(&self, number: &str) -> Result<Request> {
        dispatch!(self, requests::get(number))
    }

    pub async fn list_requests(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Request>> {
        dispatch!(self, requests::list(filter, after, limit))
    }

    pub async fn request_approvals(&self, record_id: i64) -> Result<Vec<Approval>> {
        dispatch!(self, requests::approvals(record_id))
    }

    /// A change to a request decided under its lock (an approval, a step).
    pub async fn change_request<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Request>
    where
        F: FnOnce(&RequestNow) -> std::result::Result<RequestChange, steward_domain::RuleError>,
    {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            requests::change(actor, number, expected_version, action, &terms, change)
        )
    }

    /// Requests awaiting `user_id`'s decision.
    pub async fn requests_awaiting(&self, user_id: i64, limit: i64) -> Result<Vec<Request>> {
        dispatch!(self, requests::awaiting(user_id, limit))
    }

    pub async fn request_tasks(&self, request_id: i64) -> Result<Vec<Task>> {
        dispatch!(self, requests::tasks_of(request_id))
    }

    pub async fn task(&self, number: &str) -> Result<Task> {
        dispatch!(self, requests::task(number))
    }

    pub async fn list_tasks(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Task>> {
        dispatch!(self, requests::list_tasks(filter, after, limit))
    }

    pub async fn task_step(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &'static str,
        note: Option<String>,
    ) -> Result<Task> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            requests::task_step(actor, number, expected_version, action, note, &terms)
        )
    }
}

impl Store {
    /// The manager of a user, whom "the requester's manager" asks.
    pub async fn user_manager(&self, user_id: i64) -> Result<Option<i64>> {
        dispatch!(self, requests::user_manager(user_id))
    }

    pub async fn set_user_manager(
        &self,
        actor: &AuditActor,
        user_id: i64,
        manager_id: Option<i64>,
    ) -> Result<()> {
        dispatch!(self, requests::set_user_manager(actor, user_id, manager_id))
    }

    /// Whom a request's pending approvals ask.
    pub async fn approvers_to_ask(&self, record_id: i64) -> Result<Vec<ApprovalAsk>> {
        dispatch!(self, requests::approvers_to_ask(record_id))
    }

    /// Keeps mailed approval links: (token hash, approval, user, expiry).
    pub async fn add_approval_links(&self, links: &[(String, i64, i64, i64)]) -> Result<()> {
        dispatch!(self, requests::add_approval_links(links))
    }

    /// The mailed approval link whose token hashes to `hash`.
    pub async fn approval_link(&self, hash: &str) -> Result<Option<ApprovalLink>> {
        dispatch!(self, requests::approval_link(hash))
    }
}
