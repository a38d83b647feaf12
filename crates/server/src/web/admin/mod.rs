//! Administration pages: users, groups, organisations, services, personal
//! settings and tokens, and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Role};
use steward_domain::notify::Event;
use steward_store::{Organisation, User};

use super::record::changes_of;
use super::{Errors, Nav, WebResult, local_opt, local_time};
use crate::AppState;
use crate::admin::{self, OrgInput, UserInput, UserPatch};
use crate::api_params::AuditParams;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;

mod audit;
mod groups;
mod organisations;
mod services;
mod settings;
mod users;

pub use audit::*;
pub use groups::*;
pub use organisations::*;
pub use services::*;
pub use settings::*;
pub use users::*;
