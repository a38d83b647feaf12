//! Complaints (ISO/IEC 20000-1 8.3.2, 10.1): work records of kind `complaint`
//! with their own fields in `complaint_details`.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::complaint::ComplaintState;
use steward_domain::kind::Kind;

use super::super::Pools;
use super::records::{self, KindFields, record_select};
use super::{Arg, Sql};
use crate::{
    AuditActor, Complaint, ComplaintFields, Cursor, NewComplaint, Page, RecordCore, RecordFilter,
    Result, StoreError,
};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.response, d.responded_at, o.name AS org_name",
            "LEFT JOIN complaint_details d ON d.record_id = r.id \
             JOIN organisations o ON o.id = r.org_id",
            "complaint",
            $tail
        )
    };
}

impl KindFields for ComplaintFields {
    type State = ComplaintState;
    const TABLE: &'static str = "complaint_details";
    const COLUMNS: &'static [&'static str] = &["response", "responded_at"];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ComplaintState {
        self.state
    }

    /// Answered is its resolution; reopened, it is no longer resolved.
    fn times(&self) -> (Option<i64>, Option<i64>) {
        use steward_domain::kind::{StateCategory, StateMachine};
        let answered = matches!(
            StateMachine::category(self.state),
            StateCategory::Resolved | StateCategory::Closed
        );
        (
            self.life.responded_at.filter(|_| answered),
            self.life.closed_at,
        )
    }

    fn args(&self) -> Vec<Arg> {
        vec![
            Arg::OptText(self.life.response.clone()),
            Arg::OptI64(self.life.responded_at),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        c.diff("response", &self.life.response, &b.life.response);
    }
}

impl records::Fields<ComplaintFields> for Complaint {
    fn fields(&self) -> ComplaintFields {
        Complaint::fields(self)
    }
}

pub async fn create(p: &Pools, actor: &AuditActor, new: &NewComplaint) -> Result<Complaint> {
    let spec = Kind::Complaint.spec();
    let (_, number) = records::create(
        p,
        actor,
        spec,
        new.org_id,
        new.requester_id,
        &new.fields,
        Vec::new(),
    )
    .await?;
    get(p, &number).await
}

pub async fn get(p: &Pools, number: &str) -> Result<Complaint> {
    sqlx::query_as(select!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Complaints newest first, one page after `after`.
pub async fn list(
    p: &Pools,
    f: &RecordFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Complaint>> {
    let mut q = Sql::new(select!(""));
    records::filter_sql(&mut q, f);
    records::newest_page(p, q, after, limit).await
}

/// Changes a complaint under its version check, with its audit entry.
pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    change: F,
) -> Result<Complaint>
where
    F: FnOnce(&Complaint) -> Result<ComplaintFields, RuleError>,
{
    records::update(
        p,
        actor,
        Kind::Complaint.spec(),
        number,
        expected_version,
        action,
        select!(" AND r.id = $1"),
        change,
        async |_, _, _, _| Ok(()),
    )
    .await
}
