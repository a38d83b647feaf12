//! Test support shared by the server's and the binary's tests: a real SMTP
//! server on a local port. Not used by the product itself.

pub mod smtp;
