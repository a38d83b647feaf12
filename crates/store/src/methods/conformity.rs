//! The store's methods for conformity: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// An evidence figure as of `at`, aggregated in the database.
    pub async fn figure(
        &self,
        id: steward_domain::conformity::FigureId,
        at: &FigureAt,
    ) -> Result<steward_domain::conformity::Figure> {
        dispatch!(self, conformity::figure(id, at))
    }

    /// Up to `limit` records that the figure counted as not good.
    pub async fn figure_gaps(
        &self,
        id: steward_domain::conformity::FigureId,
        at: &FigureAt,
        limit: i64,
    ) -> Result<Vec<Gap>> {
        dispatch!(self, conformity::gaps(id, at, limit))
    }

    /// Keeps `day`'s result of every check (replacing an earlier run that day).
    pub async fn save_snapshot(&self, day: &str, rows: &[SnapshotRow]) -> Result<()> {
        dispatch!(self, conformity::save_snapshot(day, rows))
    }

    /// The latest snapshot taken on or before `day`.
    pub async fn snapshot_as_of(&self, day: &str) -> Result<Vec<SnapshotRow>> {
        dispatch!(self, conformity::snapshot_as_of(day))
    }

    pub async fn snapshots_since(&self, since: &str) -> Result<Vec<SnapshotRow>> {
        dispatch!(self, conformity::snapshots_since(since))
    }

    pub async fn requirement_note(&self, clause: &str) -> Result<Option<RequirementNote>> {
        dispatch!(self, evidence::note(clause))
    }

    pub async fn requirement_notes(&self) -> Result<Vec<RequirementNote>> {
        dispatch!(self, evidence::notes())
    }

    pub async fn set_requirement_note(
        &self,
        actor: &AuditActor,
        note: &RequirementNote,
        expected_version: Option<i64>,
    ) -> Result<RequirementNote> {
        dispatch!(self, evidence::set_note(actor, note, expected_version))
    }

    /// Adds evidence to a requirement; a file (already stored) is recorded in the same transaction.
    pub async fn add_evidence(
        &self,
        actor: &AuditActor,
        e: &NewEvidence,
        file: Option<&NewAttachment>,
    ) -> Result<Evidence> {
        dispatch!(self, evidence::add(actor, e, file))
    }

    pub async fn evidence(&self, clause: &str) -> Result<Vec<Evidence>> {
        dispatch!(self, evidence::list(clause))
    }

    /// Manual evidence (not notes) per clause.
    pub async fn evidence_counts(&self) -> Result<Vec<(String, i64)>> {
        dispatch!(self, evidence::counts())
    }
}
