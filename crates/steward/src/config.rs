//! Loads the server configuration: defaults, then `steward.toml` (or the file
//! named by `STEWARD_CONFIG`), then `STEWARD_*` environment variables.

use std::path::Path;

use anyhow::{Context, bail};
use steward_server::Config;

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
    for (key, value) in from_env(|var| std::env::var(var).ok())? {
        table.insert(key, value);
    }
    let config: Config = table.try_into().map_err(|e: toml::de::Error| {
        anyhow::anyhow!(
            "invalid configuration: {}",
            e.to_string().trim().replace('\n', " ")
        )
    })?;
    config
        .matrix()
        .map_err(|e| anyhow::anyhow!("invalid priority_matrix: {e}"))?;
    config.risk_scale().map_err(|e| anyhow::anyhow!(e))?;
    Ok(config)
}

/// The settings given as `STEWARD_<NAME>` variables, each read as the type of
/// its default: every setting can be set this way, and a value that does not
/// fit is refused with the variable's name.
fn from_env(var_of: impl Fn(&str) -> Option<String>) -> anyhow::Result<toml::Table> {
    let defaults = toml::Table::try_from(Config::default())
        .context("the default configuration cannot be listed")?;
    let mut table = toml::Table::new();
    for (key, default) in &defaults {
        let var = format!("STEWARD_{}", key.to_uppercase());
        let Some(raw) = var_of(&var) else {
            continue;
        };
        let value = match default {
            toml::Value::Integer(_) => raw
                .trim()
                .parse::<i64>()
                .map(toml::Value::Integer)
                .map_err(|_| anyhow::anyhow!("{var} must be a whole number, not {raw:?}"))?,
            toml::Value::Boolean(_) => match raw.trim().to_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
                "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
                _ => bail!("{var} must be true or false, not {raw:?}"),
            },
            // A list is given as its items separated by semicolons.
            toml::Value::Array(_) => toml::Value::Array(
                raw.split(';')
                    .map(|r| toml::Value::String(r.trim().to_owned()))
                    .collect(),
            ),
            _ => toml::Value::String(raw),
        };
        // A number out of the setting's range (a negative count, say) is
        // refused here, where the variable can still be named.
        let mut probe = defaults.clone();
        probe.insert(key.clone(), value.clone());
        if let Err(e) = probe.try_into::<Config>() {
            bail!("{var}: {}", e.message().trim());
        }
        table.insert(key.clone(), value);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> anyhow::Result<toml::Table> {
        from_env(|var| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn every_setting_has_a_variable_read_as_its_type() {
        let t = env(&[
            ("STEWARD_RISK_SCALE", "7"),
            ("STEWARD_RUN_JOBS", "off"),
            ("STEWARD_DATA_DIR", "2024"),
            ("STEWARD_METRICS_TOKEN", "123456"),
            ("STEWARD_PRIORITY_MATRIX", "P1 P1 P2; P2 P3 P4;P3 P4 P5"),
            ("STEWARD_UNRELATED", "x"),
        ])
        .unwrap();
        let c: Config = t.try_into().unwrap();
        assert_eq!(c.risk_scale, 7);
        assert!(!c.run_jobs);
        assert_eq!(c.data_dir, "2024");
        assert_eq!(c.metrics_token, "123456");
        assert_eq!(c.priority_matrix[1], "P2 P3 P4");
    }

    #[test]
    fn a_value_that_does_not_fit_names_the_variable() {
        for (var, value, says) in [
            ("STEWARD_MAX_CONNECTIONS", "lots", "must be a whole number"),
            ("STEWARD_MAX_CONNECTIONS", "-1", "-1"),
            ("STEWARD_JOB_POLL_MILLIS", "-5", "-5"),
            ("STEWARD_SECURE_COOKIES", "maybe", "true or false"),
        ] {
            let e = env(&[(var, value)]).unwrap_err().to_string();
            assert!(e.starts_with(var) && e.contains(says), "{e}");
        }
    }

    /// The settings and variables tables of docs/configuration.md list
    /// exactly the settings there are, each with its variable; a setting that
    /// cannot be listed (an optional one left out when empty) fails here.
    #[test]
    fn the_documentation_lists_every_setting_and_its_variable() {
        let doc = include_str!("../../../docs/configuration.md");
        let defaults = toml::Table::try_from(Config::default()).unwrap();
        let documented: std::collections::BTreeSet<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once('`').map(|(k, _)| k))
            .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect();
        let settings: std::collections::BTreeSet<&str> =
            defaults.keys().map(String::as_str).collect();
        assert_eq!(documented, settings);
        for key in settings {
            let row = format!("| `STEWARD_{}` |", key.to_uppercase());
            assert!(doc.contains(&row), "docs/configuration.md lacks {row}");
        }
    }
}
