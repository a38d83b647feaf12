//! Test support shared by the server's and the binary's tests: a real SMTP
//! server on a local port, a real IMAP server (Dovecot). Not used by the product itself.

pub mod dovecot;
pub mod smtp;
