//! How an audit programme covers the requirement catalogue in its cycle.

use std::collections::HashMap;

use jiff::civil::Date;
use steward_domain::access::Actor;
use steward_domain::internal_audit::{self as ia, Coverage};
use steward_domain::kind::Verb;
use steward_domain::register::Register;
use steward_store::{PlannedAudit, SmsRecord};

use super::action;
use crate::AppState;
use crate::error::AppResult;
use crate::policy::require;

/// A programme with its audits and how they cover the catalogue.
pub struct ProgrammeCoverage {
    pub programme: SmsRecord,
    pub audits: Vec<PlannedAudit>,
    pub coverage: Vec<Coverage>,
}

impl ProgrammeCoverage {
    /// Requirements the cycle does not cover as often as it should.
    pub fn uncovered(&self) -> usize {
        self.coverage.iter().filter(|c| !c.is_covered()).count()
    }
}

/// The programme `number`, or the one whose cycle holds today (the latest
/// otherwise), with its coverage; `None` when there is no programme.
pub async fn coverage(
    state: &AppState,
    actor: &Actor,
    number: Option<&str>,
) -> AppResult<Option<ProgrammeCoverage>> {
    require(actor, action(Verb::Read), None)?;
    let programme = match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => crate::registers::get(state, actor, Register::Programmes, n).await?,
        None => {
            let all = state
                .store
                .sms_records(Register::Programmes, None, 500)
                .await?;
            let today = crate::registers::today().to_string();
            let current = all.iter().find(|r| {
                r.text("starts_on").is_some_and(|s| s <= today.as_str())
                    && r.text("ends_on").is_some_and(|e| e >= today.as_str())
            });
            match current.or(all.last()) {
                Some(r) => r.clone(),
                None => return Ok(None),
            }
        }
    };
    let audits = state.store.programme_audits(programme.id).await?;
    // Weaknesses found in the year before the cycle ask for a second look.
    let start = programme
        .text("starts_on")
        .and_then(|s| s.parse::<Date>().ok())
        .unwrap_or_else(crate::registers::today);
    let year_before = start
        .checked_sub(jiff::Span::new().years(1))
        .unwrap_or(start);
    let (a, b) = crate::period::day_span_ms(year_before, start.yesterday().unwrap_or(start));
    let attention: HashMap<String, i64> = state
        .store
        .audit_attention(a, b)
        .await?
        .into_iter()
        .collect();
    let planned: Vec<(String, bool, Vec<String>)> = audits
        .iter()
        .filter(|a| a.state != "cancelled")
        .map(|a| {
            (
                a.number.clone(),
                matches!(a.state.as_str(), "reported" | "closed"),
                a.scope.split_whitespace().map(str::to_owned).collect(),
            )
        })
        .collect();
    Ok(Some(ProgrammeCoverage {
        coverage: ia::coverage(&planned, &attention),
        audits,
        programme,
    }))
}

/// The audits that cover the requirement `clause`.
pub async fn covering(state: &AppState, clause: &str) -> AppResult<Vec<PlannedAudit>> {
    Ok(state.store.audits_covering(clause).await?)
}
