//! The store's methods for incoming e-mail (`dispatch!` to the connected backend).

use crate::*;

impl Store {
    /// Whether a message with this key was taken in already.
    pub async fn mail_taken(&self, dedup_key: &str) -> Result<bool> {
        dispatch!(self, mail_in::taken(dedup_key))
    }

    /// The record a reply's referenced messages made or replied to.
    pub async fn mail_thread(&self, ids: &[String]) -> Result<Option<String>> {
        dispatch!(self, mail_in::record_of_messages(ids))
    }

    /// Holds a message in the quarantine; `None` when it was taken in already.
    pub async fn quarantine_mail(
        &self,
        m: &NewMail,
        reason: &str,
        detail: &str,
    ) -> Result<Option<i64>> {
        dispatch!(self, mail_in::quarantine(m, reason, detail))
    }

    /// Opens an incident from a message; `None` when it was taken in already.
    pub async fn open_incident_from_mail(
        &self,
        actor: &AuditActor,
        new: &NewIncident,
        files: &[NewAttachment],
        anchor: MailAnchor<'_>,
    ) -> Result<Option<Incident>> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            mail_in::open_incident(actor, &terms, new, files, anchor)
        )
    }

    /// Writes a reply on its record; `None` when it was taken in already.
    #[allow(clippy::too_many_arguments)]
    pub async fn reply_from_mail(
        &self,
        actor: &AuditActor,
        to: MailReplyTo<'_>,
        body: &str,
        first_response: bool,
        files: &[NewAttachment],
        anchor: MailAnchor<'_>,
    ) -> Result<Option<Comment>> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            mail_in::reply(actor, &terms, to, body, first_response, files, anchor)
        )
    }

    pub async fn inbound_mail(
        &self,
        filter: MailFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<InboundMail>> {
        dispatch!(self, mail_in::list(filter, before, limit))
    }

    pub async fn inbound_message(&self, id: i64) -> Result<InboundMail> {
        dispatch!(self, mail_in::get(id))
    }

    /// The bytes of a quarantined message.
    pub async fn inbound_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        dispatch!(self, mail_in::raw(id))
    }

    pub async fn dismiss_mail(&self, actor: &AuditActor, reviewer: i64, id: i64) -> Result<()> {
        dispatch!(self, mail_in::dismiss(actor, reviewer, id))
    }
}
