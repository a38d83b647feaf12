//! The records the store reads and writes, as plain rows.
//!
//! Enumerations travel as their snake_case names; the domain parses them.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::access::{Actor, Role, Visibility};
use steward_domain::agreement::{Candidate, Target};
use steward_domain::calendar::CalendarSpec;
use steward_domain::incident::{HoldReason, IncidentState, Lifecycle, ResolutionCode};
use steward_domain::sla::{CaseFacts, ClockKind, ClockStatus, SlaClock, SlaTerms};

mod activity;
mod articles;
mod audit;
mod incidents;
mod internal_audits;
mod jobs;
mod kernel;
mod mail;
mod people;
mod registers;
mod relationship;
mod requests;
mod search;
mod service_reports;
mod services;
mod sla;
mod surveys;

pub use activity::*;
pub use articles::*;
pub use audit::*;
pub use incidents::*;
pub use internal_audits::*;
pub use jobs::*;
pub use kernel::*;
pub use mail::*;
pub use people::*;
pub use registers::*;
pub use relationship::*;
pub use requests::*;
pub use search::*;
pub use service_reports::*;
pub use services::*;
pub use sla::*;
pub use surveys::*;
