//! Business relationship (8.3.2): a customer's profile and contacts, and
//! the service reviews held with them.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::relationship::{ContactRole, ServiceReviewLife, ServiceReviewState};

use super::kernel::kind_row;
use super::{Cursor, Listed, RecordCore, RecordRow};

/// A customer as the provider's relationship manager sees it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CustomerProfile {
    pub org_id: i64,
    pub name: String,
    pub profile: String,
    pub relationship_manager_id: Option<i64>,
    pub relationship_manager: Option<String>,
    /// When the last service review was held (none yet: `None`).
    pub last_review_at: Option<UtcMillis>,
    /// The next planned review's day.
    pub next_review_at: Option<UtcMillis>,
    /// Services the customer receives.
    pub services: i64,
}

/// Someone the provider deals with at a customer.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub role: crate::Code<ContactRole>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: UtcMillis,
}

/// A contact to add, checked.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub name: String,
    pub role: ContactRole,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A service review: its work record (in the customer's organisation; its
/// day is the target date) and its own fields.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ServiceReview {
    #[sqlx(flatten)]
    pub record: RecordRow<ServiceReviewState>,
    pub attendees: String,
    pub minutes: Option<String>,
    pub held_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
    pub org_name: String,
}

kind_row!(ServiceReview, ServiceReviewState);

impl ServiceReview {
    pub fn fields(&self) -> ServiceReviewFields {
        ServiceReviewFields {
            core: self.core(),
            state: self.state(),
            attendees: self.attendees.clone(),
            life: ServiceReviewLife {
                minutes: self.minutes.clone(),
                held_at: self.held_at,
                cancelled_reason: self.cancelled_reason.clone(),
            },
        }
    }
}

/// What a change to a service review may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceReviewFields {
    pub core: RecordCore,
    pub state: ServiceReviewState,
    pub attendees: String,
    pub life: ServiceReviewLife,
}

/// A new service review with its references resolved.
pub type NewServiceReview = super::NewRecord<ServiceReviewFields>;
