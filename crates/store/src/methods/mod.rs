//! [`Store`](crate::Store)'s methods, one file per process.

mod actions;
mod agreements;
mod attachments;
mod audit;
mod bench;
mod calendars;
mod complaints;
mod conformity;
mod improvements;
mod incidents;
mod jobs;
mod nonconformities;
mod organisations;
mod problems;
mod records;
mod registers;
mod satisfaction;
mod services;
mod sessions;
mod sla;
mod users;
