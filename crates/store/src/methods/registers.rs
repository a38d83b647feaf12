//! The store's methods for SMS registers: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn sms_record(&self, register: Register, number: &str) -> Result<SmsRecord> {
        dispatch!(self, registers::get(register, number))
    }

    /// A page of a register in number order, after the record with id `after`.
    pub async fn sms_records(
        &self,
        register: Register,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SmsRecord>> {
        dispatch!(self, registers::list(register, after, limit))
    }

    pub async fn sms_record_id(&self, register: Register, number: &str) -> Result<Option<i64>> {
        dispatch!(self, registers::id_of(register, number))
    }

    pub async fn create_sms_record(
        &self,
        actor: &AuditActor,
        w: &RecordWrite,
    ) -> Result<SmsRecord> {
        dispatch!(self, registers::create(actor, w))
    }

    pub async fn update_sms_record(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        w: &RecordWrite,
    ) -> Result<SmsRecord> {
        dispatch!(self, registers::update(actor, number, expected_version, w))
    }

    /// A document workflow step decided by `steward_domain::document::take`.
    pub async fn document_step(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        step: &str,
        new_status: &str,
    ) -> Result<SmsRecord> {
        dispatch!(
            self,
            registers::document_step(actor, number, expected_version, step, new_status)
        )
    }

    /// `true` when this acknowledgement is new.
    pub async fn acknowledge_document(
        &self,
        actor: &AuditActor,
        record: &SmsRecord,
        version_no: i64,
        user_id: i64,
    ) -> Result<bool> {
        dispatch!(
            self,
            registers::acknowledge(actor, record, version_no, user_id)
        )
    }

    pub async fn document_acknowledgements(
        &self,
        record_id: i64,
        version_no: i64,
    ) -> Result<Vec<(i64, String, i64)>> {
        dispatch!(self, registers::acknowledgements(record_id, version_no))
    }

    pub async fn document_versions(
        &self,
        record_id: i64,
    ) -> Result<Vec<(i64, Option<String>, i64)>> {
        dispatch!(self, registers::document_versions(record_id))
    }

    pub async fn add_record_file(
        &self,
        actor: &AuditActor,
        record: Option<&SmsRecord>,
        file: &NewAttachment,
    ) -> Result<RecordFile> {
        dispatch!(self, registers::add_file(actor, record, file))
    }

    pub async fn record_files(&self, record_id: i64) -> Result<Vec<RecordFile>> {
        dispatch!(self, registers::files(record_id))
    }

    pub async fn record_file(&self, id: i64) -> Result<RecordFile> {
        dispatch!(self, registers::file(id))
    }

    /// Records per register kind.
    pub async fn sms_counts(&self) -> Result<Vec<(String, i64)>> {
        dispatch!(self, registers::counts())
    }

    /// Open risks counted per (likelihood, impact).
    pub async fn risk_matrix(&self) -> Result<Vec<(i64, i64, i64)>> {
        dispatch!(self, registers::risk_matrix())
    }

    /// Today's values of objectives: their current value and their history.
    pub async fn record_objective_values(&self, day: &str, values: &[(i64, f64)]) -> Result<()> {
        dispatch!(self, registers::record_objective_values(day, values, true))
    }

    /// Past values of objectives, for their history only.
    pub async fn record_objective_history(&self, day: &str, values: &[(i64, f64)]) -> Result<()> {
        dispatch!(self, registers::record_objective_values(day, values, false))
    }

    pub async fn objective_history(&self, record_id: i64) -> Result<Vec<(String, f64)>> {
        dispatch!(self, registers::objective_history(record_id))
    }
}
