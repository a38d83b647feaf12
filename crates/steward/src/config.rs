//! Loads the server configuration: defaults, then `steward.toml` (or the file
//! named by `STEWARD_CONFIG`), then `STEWARD_*` environment variables.

use std::path::Path;

use anyhow::{Context, bail};
use steward_server::Config;

/// Settings that an environment variable `STEWARD_<NAME>` may set.
const ENV_KEYS: [&str; 23] = [
    "database_url",
    "listen",
    "max_connections",
    "sqlite_full_sync",
    "secure_cookies",
    "session_idle_minutes",
    "session_max_hours",
    "login_max_failures",
    "login_window_minutes",
    "login_lock_minutes",
    "max_body_bytes",
    "data_dir",
    "max_upload_bytes",
    "priority_matrix",
    "document_self_approval",
    "run_jobs",
    "job_lease_seconds",
    "job_poll_millis",
    "job_max_attempts",
    "sla_breach_raises_priority",
    "smtp_url",
    "mail_from",
    "public_url",
];

pub fn load() -> anyhow::Result<Config> {
    let explicit = std::env::var("STEWARD_CONFIG").ok();
    let path = explicit.clone().unwrap_or_else(|| "steward.toml".into());
    let mut table = if Path::new(&path).exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        text.parse::<toml::Table>()
            .with_context(|| format!("{path} is not valid TOML"))?
    } else if explicit.is_some() {
        bail!("the configuration file {path} (STEWARD_CONFIG) does not exist");
    } else {
        toml::Table::new()
    };
    for key in ENV_KEYS {
        let var = format!("STEWARD_{}", key.to_uppercase());
        let Ok(raw) = std::env::var(&var) else {
            continue;
        };
        let value = if key == "priority_matrix" {
            toml::Value::Array(
                raw.split(';')
                    .map(|r| toml::Value::String(r.trim().to_owned()))
                    .collect(),
            )
        } else if let Ok(n) = raw.parse::<i64>() {
            toml::Value::Integer(n)
        } else if let Ok(b) = raw.parse::<bool>() {
            toml::Value::Boolean(b)
        } else {
            toml::Value::String(raw)
        };
        table.insert(key.to_owned(), value);
    }
    let config: Config = table
        .try_into()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("invalid configuration: {}", e.message()))?;
    config
        .matrix()
        .map_err(|e| anyhow::anyhow!("invalid priority_matrix: {e}"))?;
    config.risk_scale().map_err(|e| anyhow::anyhow!(e))?;
    Ok(config)
}
