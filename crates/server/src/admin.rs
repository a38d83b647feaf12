//! Administration shared by the API, the web UI and the CLI: organisations,
//! users, assignment groups and API tokens. Callers check the policy first
//! (the CLI acts as the operator of the machine); these functions validate
//! and write.

use serde::Deserialize;
use steward_domain::error::Problems;
use steward_domain::text;
use steward_domain::user::{self, OrgKind, UserDraft};
use steward_store::{ApiToken, AssignmentGroup, AuditActor, Organisation, Store, User, UserChange};

use crate::auth;
use crate::error::{AppError, AppResult};

/// Checks an IANA time zone name against the bundled database.
pub fn check_time_zone(p: &mut Problems, field: &str, tz: &str) -> String {
    let tz = tz.trim();
    if jiff::tz::TimeZone::get(tz).is_err() {
        p.add(
            field,
            format!("{tz:?} is not a known IANA time zone such as Europe/Berlin"),
        );
    }
    tz.to_owned()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    pub name: String,
    /// provider or customer (default customer).
    pub kind: Option<String>,
    /// IANA time zone (default UTC).
    pub time_zone: Option<String>,
}

pub async fn create_org(
    store: &Store,
    by: &AuditActor,
    input: &OrgInput,
) -> AppResult<Organisation> {
    let mut p = Problems::default();
    let name = user::org_name(&mut p, &input.name);
    let kind = match input.kind.as_deref() {
        None => OrgKind::Customer,
        Some(k) => OrgKind::parse(k).unwrap_or_else(|| {
            p.add("kind", "must be provider or customer");
            OrgKind::Customer
        }),
    };
    let tz = check_time_zone(
        &mut p,
        "time_zone",
        input.time_zone.as_deref().unwrap_or("UTC"),
    );
    p.finish(())?;
    Ok(store.create_org(by, &name, kind.as_str(), &tz).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    /// admin, agent, manager, auditor or customer.
    pub role: String,
    /// Organisation name; default: the provider (required for customers).
    pub organisation: Option<String>,
    /// At least 12 characters. Without one the user cannot sign in to the web UI.
    pub password: Option<String>,
}

pub async fn create_user(store: &Store, by: &AuditActor, input: &UserInput) -> AppResult<User> {
    let mut p = Problems::default();
    let draft = UserDraft::parse(&input.email, &input.name, &input.role);
    if let Some(pw) = &input.password {
        user::check_password(&mut p, "password", pw);
    }
    let org = match input
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(name) => store.org_by_name(name).await.ok().or_else(|| {
            p.add("organisation", format!("no organisation named {name:?}"));
            None
        }),
        None => {
            let provider = store.provider_org().await?;
            if provider.is_none() {
                p.add("organisation", "create the provider organisation first");
            }
            provider
        }
    };
    let draft = match draft {
        Ok(d) => Some(d),
        Err(e) => {
            p.merge(e);
            None
        }
    };
    if let (Some(d), Some(o)) = (&draft, &org)
        && let Err(e) = d.check_org(OrgKind::parse(&o.kind).unwrap_or(OrgKind::Customer))
    {
        p.merge(e);
    }
    p.finish(())?;
    let (Some(draft), Some(org)) = (draft, org) else {
        return Err(AppError::internal(
            "validated user without draft or organisation",
        ));
    };
    let hash = match &input.password {
        Some(pw) => Some(auth::hash_password(pw.clone()).await?),
        None => None,
    };
    Ok(store
        .create_user(
            by,
            &draft.email,
            &draft.name,
            draft.role.as_str(),
            org.id,
            hash.as_deref(),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// IANA time zone; empty text returns to the organisation's.
    pub time_zone: Option<String>,
    pub password: Option<String>,
}

pub async fn update_user(
    store: &Store,
    by: &AuditActor,
    id: i64,
    patch: &UserPatch,
) -> AppResult<User> {
    let current = store.user_by_id(id).await?;
    // Nobody locks themselves out: an administrator can neither disable nor demote their own account.
    if by.user_id == Some(id)
        && (patch.active == Some(false)
            || patch
                .role
                .as_deref()
                .is_some_and(|r| r != current.role.as_str()))
    {
        return Err(AppError::Conflict(
            "you cannot disable your own account or change your own role; ask another administrator".into(),
        ));
    }
    let mut p = Problems::default();
    let name = patch
        .name
        .as_deref()
        .map(|n| text::required_line(&mut p, "name", n, text::LINE_MAX));
    let role = match patch.role.as_deref() {
        Some(r) => match steward_domain::access::Role::parse(r) {
            Some(role) => {
                let draft = UserDraft {
                    email: current.email.clone(),
                    name: current.name.clone(),
                    role,
                };
                let kind = store.org_by_id(current.org_id).await?.kind;
                // The organisation is not part of this request: the role is what to correct.
                if let Err(e) = draft.check_org(OrgKind::parse(&kind).unwrap_or(OrgKind::Customer))
                {
                    for f in e.0 {
                        p.add("role", f.message);
                    }
                }
                Some(role.as_str().to_owned())
            }
            None => {
                p.add(
                    "role",
                    "must be one of admin, agent, manager, auditor, customer",
                );
                None
            }
        },
        None => None,
    };
    let time_zone = patch.time_zone.as_deref().map(|tz| {
        if tz.trim().is_empty() {
            None
        } else {
            Some(check_time_zone(&mut p, "time_zone", tz))
        }
    });
    if let Some(pw) = &patch.password {
        user::check_password(&mut p, "password", pw);
    }
    p.finish(())?;
    let password_hash = match &patch.password {
        Some(pw) => Some(auth::hash_password(pw.clone()).await?),
        None => None,
    };
    let change = UserChange {
        name,
        role,
        active: patch.active,
        time_zone,
        password_hash,
    };
    Ok(store.update_user(by, id, &change).await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// E-mails of the members (provider staff).
    #[serde(default)]
    pub members: Vec<String>,
}

pub async fn create_group(
    store: &Store,
    by: &AuditActor,
    input: &GroupInput,
) -> AppResult<AssignmentGroup> {
    let mut p = Problems::default();
    let name = text::required_line(&mut p, "name", &input.name, text::LINE_MAX);
    let description =
        text::optional_body(&mut p, "description", &input.description, text::BODY_MAX);
    let mut members = Vec::new();
    for email in &input.members {
        match store.user_by_email(email).await {
            Ok(u) if u.role().is_staff() => members.push(u.id),
            _ => p.add(
                "members",
                format!("{email:?} is not a member of the provider's staff"),
            ),
        }
    }
    p.finish(())?;
    Ok(store
        .create_group(by, &name, &description, &members)
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, e.g. "monitoring integration".
    pub name: String,
}

/// Creates an API token for `user`; the secret is returned once and stored only hashed.
pub async fn create_token(
    store: &Store,
    by: &AuditActor,
    user: &User,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    let mut p = Problems::default();
    let name = text::required_line(&mut p, "name", name, text::LINE_MAX);
    p.finish(())?;
    if !user.active {
        return Err(AppError::Conflict("the user is disabled".into()));
    }
    let secret = auth::new_api_token();
    let token = store
        .create_token(by, user.id, &name, &auth::hash_secret(&secret))
        .await?;
    Ok((token, secret))
}
