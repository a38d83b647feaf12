//! Validation errors: one field-level error type used by every rule.

use serde::Serialize;

/// One offending input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field name as the API spells it.
    pub field: String,
    /// A sentence a person can act on.
    pub message: String,
}

/// Input that breaks a domain rule; carries every offending field at once so a
/// form can show all its errors together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationError(pub Vec<FieldError>);

impl ValidationError {
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

/// Collects field errors while a rule checks its input.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Reports the problems of `from` under the name `to` (a kind that calls
    /// a shared field by its own name: an article's owner is its assignee).
    pub fn rename(&mut self, from: &str, to: &str) {
        for e in self.0.iter_mut().filter(|e| e.field == from) {
            e.field = to.to_owned();
        }
    }

    /// How many problems were recorded so far.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    pub fn merge(&mut self, other: ValidationError) {
        self.0.extend(other.0);
    }

    /// The value of a sub-rule's result, or `None` with its problems added to these.
    pub fn take<T>(&mut self, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.merge(e);
                None
            }
        }
    }

    /// The value of a sub-rule's result, with its problems added to these.
    pub fn finish_with<T>(
        mut self,
        result: Result<T, ValidationError>,
    ) -> Result<T, ValidationError> {
        match result {
            Ok(value) => self.finish(value),
            Err(e) => {
                self.merge(e);
                Err(ValidationError(self.0))
            }
        }
    }

    /// `Ok(value)` when no problem was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ValidationError(self.0))
        }
    }
}

/// A domain rule refused a change: bad input or a lifecycle step not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Transition(#[from] crate::kind::TransitionError),
    /// The actor may not do this, whatever the input (403): approving their own request.
    #[error("{0}")]
    Refused(String),
    /// The record's state makes this impossible now (409): deciding twice.
    #[error("{0}")]
    Conflict(String),
}
