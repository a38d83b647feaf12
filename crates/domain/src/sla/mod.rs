//! SLA clocks: the response and resolution clocks of an incident, measured in
//! business time on the agreement's calendar.
//!
//! One rule moves the clocks: [`advance`] looks at the incident as it is after
//! a change (state, hold reason, first response, priority, service) and
//! brings each clock to where it must be, closing the running interval when a
//! clock pauses or stops. Every closed interval is kept, so the time a clock
//! counted can be shown interval by interval. [`fire`] tells when a running
//! clock crosses its warning point or its due time.
//!
//! - Response: runs from opening until the first response (a public reply or
//!   a step by the provider's staff). It does not pause.
//! - Resolution: runs from opening until resolved; pauses while the incident
//!   is on hold awaiting the customer or a supplier (not awaiting a change,
//!   which is the provider's own work); starts again on reopen, keeping the
//!   time already counted.
//! - A change of priority or service may change the agreement or the target
//!   that applies: the clock keeps the time it counted and is measured
//!   against the new target, and the change is named in the history.
//! - A cancelled incident's clocks are cancelled and count for nothing.
//! - OLA clocks: each assignment group that holds the incident and has an
//!   agreed OLA gets a response clock (until someone in the group takes the
//!   incident) and a resolution clock (until the group hands it over or
//!   resolves it, pausing as above). A group's clocks stop when another group
//!   takes over and resume, with their counted time, if it comes back.

mod advance;
mod clock;
#[cfg(test)]
mod tests;
mod text;

pub use advance::*;
pub use clock::*;
pub use text::*;
