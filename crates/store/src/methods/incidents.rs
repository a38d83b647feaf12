//! The store's methods for incidents: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// A new incident's caller, service, group and assignee, found by what a
    /// user typed, in one read (the checks stay with the caller). Answers from
    /// [`ttl_cache`] for a few seconds: a burst of creations naming the same
    /// people and service reads them once. Only answers that found everything
    /// named are kept, so that a user or service just created by another
    /// process is never refused from memory.
    pub async fn incident_refs(&self, q: &IncidentRefsQuery<'_>) -> Result<IncidentRefs> {
        let (id, email) = match q.caller {
            CallerRef::Id(id) => (Some(id), None),
            CallerRef::Email(e) => (None, Some(e.to_owned())),
        };
        let key = (
            id,
            email,
            q.service.to_owned(),
            q.group.map(str::to_owned),
            q.assignee.map(str::to_owned),
        );
        let found_all = |r: &IncidentRefs| {
            r.caller_id.is_some()
                && r.service_id.is_some()
                && (q.group.is_none() || r.group_id.is_some())
                && (q.assignee.is_none() || r.assignee_id.is_some())
        };
        self.caches
            .refs
            .get_or_load(key, async || dispatch!(self, incidents::refs(q)), found_all)
            .await
    }

    pub async fn create_incident(&self, actor: &AuditActor, new: &NewIncident) -> Result<Incident> {
        let terms = self.sla_terms().await?;
        dispatch!(self, incidents::create(actor, &terms, new))
    }

    /// Imports incidents with their own times and comments, in one transaction.
    pub async fn import_incidents(
        &self,
        actor: &AuditActor,
        items: &[ImportedIncident],
    ) -> Result<usize> {
        let terms = self.sla_terms().await?;
        dispatch!(self, incidents::import(actor, &terms, items))
    }

    /// An incident as `visibility` may see it; another organisation's answers NotFound.
    pub async fn incident(&self, number: &str, visibility: Visibility) -> Result<Incident> {
        dispatch!(self, incidents::get(number, scope_org(visibility)))
    }

    pub async fn list_incidents(
        &self,
        visibility: Visibility,
        filter: &IncidentFilter,
        order: IncidentOrder,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Incident>> {
        dispatch!(
            self,
            incidents::list(scope_org(visibility), filter, order, after, limit)
        )
    }

    /// Counts matching incidents, stopping at `cap` (lists never count exactly past it).
    pub async fn count_incidents(
        &self,
        visibility: Visibility,
        filter: &IncidentFilter,
        cap: i64,
    ) -> Result<i64> {
        dispatch!(self, incidents::count(scope_org(visibility), filter, cap))
    }

    /// Changes an incident through `change`, a pure function from the record to
    /// its new fields (a domain rule), in one transaction with its audit entry.
    /// `expected_version` guards against lost updates (optimistic concurrency).
    pub async fn update_incident<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        visibility: Visibility,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Incident>
    where
        F: FnOnce(&Incident) -> Result<IncidentFields, RuleError>,
    {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            incidents::update(
                actor,
                &terms,
                number,
                scope_org(visibility),
                expected_version,
                action,
                change
            )
        )
    }

    /// Adds a comment or work note with the files attached to it (their bytes
    /// already stored), in one transaction; `first_response` also stamps the
    /// incident's first response.
    pub async fn add_comment(
        &self,
        actor: &AuditActor,
        incident: &Incident,
        visibility: &str,
        body: &str,
        first_response: bool,
        files: &[NewAttachment],
    ) -> Result<Comment> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            incidents::add_comment(
                actor,
                &terms,
                incident,
                visibility,
                body,
                first_response,
                files
            )
        )
    }

    pub async fn comments(&self, record_id: i64, include_internal: bool) -> Result<Vec<Comment>> {
        dispatch!(self, incidents::comments(record_id, include_internal))
    }

    /// Comment `id` of the incident, whoever may see it; 404 when it is not the incident's.
    pub async fn comment(&self, record_id: i64, id: i64) -> Result<Comment> {
        dispatch!(self, incidents::comment(record_id, id))
    }
}
