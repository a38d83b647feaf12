//! Rules for users, organisations and passwords.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::error::{Problems, ValidationError};
use crate::text;

/// Shortest password accepted (OWASP ASVS 6.2.1).
pub const PASSWORD_MIN: usize = 12;
/// Longest password accepted; long passphrases are welcome.
pub const PASSWORD_MAX: usize = 128;

/// Whether an organisation is the provider itself or one of its customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Provider,
    Customer,
}

impl OrgKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            OrgKind::Provider => "provider",
            OrgKind::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        match s {
            "provider" => Some(OrgKind::Provider),
            "customer" => Some(OrgKind::Customer),
            _ => None,
        }
    }
}

/// Checks a new password against the length policy.
pub fn check_password(p: &mut Problems, field: &str, password: &str) {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        p.add(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if n > PASSWORD_MAX {
        p.add(field, format!("must be at most {PASSWORD_MAX} characters"));
    }
}

/// Validated fields of a new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl UserDraft {
    pub fn parse(email: &str, name: &str, role: &str) -> Result<UserDraft, ValidationError> {
        let mut p = Problems::default();
        let email = text::email(&mut p, "email", email);
        let name = text::required_line(&mut p, "name", name, text::LINE_MAX);
        let role = Role::parse(role).unwrap_or_else(|| {
            p.add(
                "role",
                "must be one of admin, agent, manager, auditor, customer",
            );
            Role::Agent
        });
        p.finish(UserDraft { email, name, role })
    }

    /// A customer belongs to a customer organisation; everyone else to the provider.
    pub fn check_org(&self, org_kind: OrgKind) -> Result<(), ValidationError> {
        match (self.role, org_kind) {
            (Role::Customer, OrgKind::Customer) => Ok(()),
            (Role::Customer, OrgKind::Provider) => Err(ValidationError::single(
                "organisation",
                "a customer must belong to a customer organisation",
            )),
            (_, OrgKind::Provider) => Ok(()),
            (_, OrgKind::Customer) => Err(ValidationError::single(
                "organisation",
                "staff roles belong to the provider organisation",
            )),
        }
    }
}

/// An organisation name: a required single line.
pub fn org_name(p: &mut Problems, name: &str) -> String {
    text::required_line(p, "name", name, text::LINE_MAX)
}
