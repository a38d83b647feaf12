//! Server configuration: `steward.toml` (optional) plus `STEWARD_*` variables,
//! read by the binary and handed over as this struct.

use serde::{Deserialize, Serialize};
use steward_domain::priority::PriorityMatrix;
use steward_domain::register::RiskScale;

/// `Debug` hides the secrets (passwords in URLs, the metrics token), so that
/// a configuration written to a log gives none away.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://steward.db` (default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// Database connections (PostgreSQL pool size, SQLite readers).
    pub max_connections: u32,
    /// SQLite `synchronous=FULL` (durable across power loss). `false` gives NORMAL.
    pub sqlite_full_sync: bool,
    /// Mark session cookies `Secure` (on unless you serve plain HTTP on a non-localhost name).
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a browser session ends.
    pub session_idle_minutes: i64,
    /// Hours after which a browser session ends regardless of activity.
    pub session_max_hours: i64,
    /// Failed logins within `login_window_minutes` that lock an account for `login_lock_minutes`.
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    pub login_lock_minutes: i64,
    /// Sign-in attempts one client address may make per minute (429 beyond), whatever the account.
    pub login_per_address_per_minute: u32,
    /// Sign-in attempts this server evaluates per minute from everyone together (429 beyond).
    pub login_global_per_minute: u32,
    /// Passwords hashed or checked at once (argon2id takes 19 MiB each); 0: one per core.
    /// Sign-ins beyond this wait their turn, and answer 429 when too many wait.
    pub password_checks_at_once: usize,
    /// Reverse proxies (addresses or CIDR ranges, e.g. `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client. From any other peer the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Seconds of `Strict-Transport-Security` to send (0: none). Set it once Steward is served over HTTPS only.
    pub hsts_max_age: u64,
    /// Largest request body accepted, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// Folder for uploaded files (created if missing); keep it out of any web server's document root.
    pub data_dir: String,
    /// Largest attachment accepted, in bytes (413 above it).
    pub max_upload_bytes: usize,
    /// Three rows (impact high, medium, low) of priorities for urgency high, medium, low.
    pub priority_matrix: Vec<String>,
    /// Size of the risk register's likelihood and impact scales (3 to 10; default 5).
    pub risk_scale: i64,
    /// May a document's author also approve it? (default: no, another person must.)
    pub document_self_approval: bool,
    /// Run background jobs (SLA warnings and breaches, notifications, e-mail) in this process.
    pub run_jobs: bool,
    /// Seconds a worker holds a claimed job before another worker may take it over.
    pub job_lease_seconds: i64,
    /// How often an idle worker looks for due jobs, in milliseconds.
    pub job_poll_millis: u64,
    /// Attempts before a failing job is dead (visible and retryable by an admin).
    pub job_max_attempts: i64,
    /// Raise an incident's priority by one step when its resolution clock is breached.
    pub sla_breach_raises_priority: bool,
    /// Outgoing mail server: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS). Empty: no e-mail is sent.
    pub smtp_url: String,
    /// Sender of notifications, e.g. `Steward <servicedesk@example.com>`.
    pub mail_from: String,
    /// Address people open Steward at, for links in e-mail (default `http://` + listen).
    pub public_url: String,
    /// When set, `/metrics` answers only `Authorization: Bearer <this>`. Empty: open.
    pub metrics_token: String,
    /// Incoming mail by IMAP: `imaps://user:password@host/INBOX` (TLS) or
    /// `imap://...` (plain, for a server on this machine). Empty: no mailbox is read.
    pub imap_url: String,
    /// How long an IMAP IDLE waits before the mailbox is searched again anyway.
    pub imap_idle_seconds: u64,
    /// The secret a mail server sends (`Authorization: Bearer <token>`) to
    /// hand messages to `POST /api/v1/mail/inbound`. Empty: the endpoint is off.
    pub mail_token: String,
    /// The service incidents opened by e-mail are raised against (`SVC-0001`).
    pub mail_service: String,
    /// The largest message taken in, in bytes.
    pub mail_max_bytes: usize,
    /// The receiving mail server's name in its `Authentication-Results`
    /// headers: when set, a message is taken in only if that server says its
    /// sender passed DMARC (or SPF or DKIM). Empty: the `From` is trusted.
    pub mail_authserv_id: String,
    /// Incidents of one service and category, with no problem linked, that make
    /// a candidate problem when they occur within `problem_trend_days`.
    pub problem_trend_incidents: i64,
    pub problem_trend_days: i64,
    /// Issue last month's service report of every customer with an agreed
    /// SLA at the start of each month (and e-mail its contacts when mail is
    /// set up).
    pub service_reports_monthly: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://steward.db".into(),
            listen: "127.0.0.1:8080".into(),
            max_connections: 16,
            sqlite_full_sync: true,
            secure_cookies: true,
            session_idle_minutes: 120,
            session_max_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_lock_minutes: 15,
            login_per_address_per_minute: 60,
            login_global_per_minute: 600,
            password_checks_at_once: 0,
            trusted_proxies: Vec::new(),
            hsts_max_age: 0,
            max_body_bytes: 1024 * 1024,
            data_dir: "steward-data".into(),
            max_upload_bytes: 10 * 1024 * 1024,
            priority_matrix: vec!["P1 P2 P3".into(), "P2 P3 P4".into(), "P3 P4 P5".into()],
            problem_trend_incidents: 3,
            problem_trend_days: 14,
            service_reports_monthly: true,
            risk_scale: 5,
            document_self_approval: false,
            run_jobs: true,
            job_lease_seconds: 60,
            job_poll_millis: 250,
            job_max_attempts: 5,
            sla_breach_raises_priority: false,
            smtp_url: String::new(),
            mail_from: "Steward <steward@localhost>".into(),
            public_url: String::new(),
            metrics_token: String::new(),
            imap_url: String::new(),
            imap_idle_seconds: 60,
            mail_token: String::new(),
            mail_service: String::new(),
            mail_max_bytes: 25 * 1024 * 1024,
            mail_authserv_id: String::new(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = serde_json::to_value(self).map_err(|_| std::fmt::Error)?;
        if let Some(o) = shown.as_object_mut() {
            for key in ["database_url", "smtp_url", "imap_url"] {
                if let Some(url) = o.get(key).and_then(|v| v.as_str()).map(without_secrets) {
                    o.insert(key.into(), url.into());
                }
            }
            for (key, secret) in [
                ("metrics_token", &self.metrics_token),
                ("mail_token", &self.mail_token),
            ] {
                if !secret.is_empty() {
                    o.insert(key.into(), REDACTED.into());
                }
            }
        }
        write!(f, "Config {shown}")
    }
}

const REDACTED: &str = "[redacted]";

/// A URL with its password and query (which may carry a password) hidden.
fn without_secrets(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some(REDACTED));
            }
            if u.query().is_some() {
                u.set_query(Some(REDACTED));
            }
            u.to_string()
        }
        // Not a URL (a bare SQLite path, say): nothing in it to hide.
        Err(_) if !raw.contains('@') => raw.to_owned(),
        Err(_) => REDACTED.to_owned(),
    }
}

impl Config {
    /// Checks the settings that can be wrong; says which and why.
    pub fn matrix(&self) -> Result<PriorityMatrix, String> {
        PriorityMatrix::from_rows(&self.priority_matrix)
    }

    /// The address in e-mail links.
    pub fn base_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The trusted proxies as networks, or which entry is not one.
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let p = p.trim();
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("trusted_proxies: {p:?} is not an address or a CIDR range")
                    })
            })
            .collect()
    }

    /// The risk scale, or why `risk_scale` is not one.
    pub fn risk_scale(&self) -> Result<RiskScale, String> {
        RiskScale::new(self.risk_scale).ok_or_else(|| {
            format!(
                "risk_scale must be from {} to {}, not {}",
                RiskScale::MIN,
                RiskScale::MAX,
                self.risk_scale
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_passwords_and_the_metrics_token() {
        let c = Config {
            database_url: "postgres://steward:db-secret@db.internal/steward?sslpassword=key-secret"
                .into(),
            smtp_url: "smtps://mailer:mail-secret@smtp.example.com:465".into(),
            metrics_token: "scrape-secret".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        for secret in ["db-secret", "key-secret", "mail-secret", "scrape-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("db.internal") && shown.contains("smtp.example.com"),
            "{shown}"
        );
        let plain = format!("{:?}", Config::default());
        assert!(
            plain.contains("sqlite://steward.db") && plain.contains("\"metrics_token\":\"\""),
            "{plain}"
        );
    }
}
