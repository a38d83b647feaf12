//! The service catalogue's rules.

use serde::{Deserialize, Serialize};

use crate::error::{Problems, ValidationError};
use crate::text;

/// Where a service is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    /// Planned or being built.
    Pipeline,
    /// Delivered to customers.
    Live,
    /// No longer delivered.
    Retired,
}

impl ServiceStatus {
    pub const ALL: [ServiceStatus; 3] = [
        ServiceStatus::Pipeline,
        ServiceStatus::Live,
        ServiceStatus::Retired,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Pipeline => "pipeline",
            ServiceStatus::Live => "live",
            ServiceStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Validated fields of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDraft {
    pub name: String,
    pub description: String,
    pub status: ServiceStatus,
}

impl ServiceDraft {
    pub fn parse(
        name: &str,
        description: &str,
        status: Option<&str>,
    ) -> Result<ServiceDraft, ValidationError> {
        let mut p = Problems::default();
        let name = text::required_line(&mut p, "name", name, text::LINE_MAX);
        let description = text::optional_body(&mut p, "description", description, text::BODY_MAX);
        let status = match status.map(ServiceStatus::parse) {
            None => ServiceStatus::Pipeline,
            Some(Some(s)) => s,
            Some(None) => {
                p.add("status", "must be one of pipeline, live, retired");
                ServiceStatus::Pipeline
            }
        };
        p.finish(ServiceDraft {
            name,
            description,
            status,
        })
    }
}
