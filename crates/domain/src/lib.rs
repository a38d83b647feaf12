//! Steward's domain: the rules of IT service management as pure Rust.
//!
//! Nothing here performs I/O or awaits: the store persists what these rules
//! decide, and the server translates HTTP into calls to them. Each rule has
//! one implementation, used by the API, the web UI and the CLI alike.

pub mod access;
pub mod action;
pub mod agreement;
pub mod article;
pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod complaint;
pub mod conformity;
pub mod document;
pub mod error;
pub mod form;
pub mod holidays;
pub mod improvement;
pub mod incident;
pub mod internal_audit;
pub mod kind;
pub mod link;
pub mod mail_in;
pub mod nonconformity;
pub mod notify;
pub mod number;
pub mod priority;
pub mod problem;
pub mod register;
pub mod relationship;
pub mod request;
pub mod review;
pub mod satisfaction;
pub mod search;
pub mod service;
pub mod sla;
pub mod survey;
pub mod text;
pub mod user;

pub use error::{FieldError, RuleError, ValidationError};

/// Milliseconds since the Unix epoch, UTC. Every stored time uses this.
pub type UtcMillis = i64;
