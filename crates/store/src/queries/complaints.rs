//! Complaints (ISO/IEC 20000-1 8.3.2, 10.1): work records of kind `complaint`
//! with their own fields in `complaint_details`.

use steward_domain::audit::Changes;
use steward_domain::complaint::ComplaintState;
use steward_domain::kind::Kind;

use super::Arg;
use super::records::{self, KindFields, record_select};
use crate::{Complaint, ComplaintFields, RecordCore};

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

records::kind_queries!(Kind::Complaint, Complaint, ComplaintFields);
