//! Administration shared by the API, the web UI and the CLI: organisations,
//! users, assignment groups, API tokens and the audit trail. Each operation
//! asks the policy for its [`Caller`] (the CLI and the demo act as the
//! operator of the machine), then validates and writes.

use serde::Deserialize;
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::text;
use steward_domain::user::{self, OrgKind, UserDraft};
use steward_store::{
    ApiToken, AssignmentGroup, AuditEntry, GroupFields, GroupMember, Organisation, Service, Store,
    User, UserChange,
};

use crate::auth;
use crate::error::{AppError, AppResult};
use crate::policy::{Caller, require};

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

/// A change to an organisation: absent fields stay; `services` (service
/// numbers, customers only) replaces what it receives.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub name: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    pub services: Option<Vec<String>>,
}

/// One organisation with the services it receives (staff who may read them).
pub async fn org(store: &Store, actor: &Actor, id: i64) -> AppResult<(Organisation, Vec<Service>)> {
    require(actor, Action::OrgRead, None)?;
    let o = store.org_by_id(id).await?;
    let services = store
        .list_services(steward_domain::access::Visibility::Organisation(o.id))
        .await?;
    Ok((o, services))
}

/// Changes an organisation (admins); every change is in the audit trail.
pub async fn update_org(
    store: &Store,
    actor: &Actor,
    id: i64,
    patch: &OrgPatch,
) -> AppResult<Organisation> {
    let (current, _) = org(store, actor, id).await?;
    require(actor, Action::OrgWrite, None)?;
    let mut p = Problems::default();
    let name = match &patch.name {
        Some(n) => user::org_name(&mut p, n),
        None => current.name.clone(),
    };
    let tz = match &patch.time_zone {
        Some(t) => check_time_zone(&mut p, "time_zone", t),
        None => current.time_zone.clone(),
    };
    let mut service_ids = None;
    if let Some(numbers) = &patch.services {
        if current.kind != "customer" {
            p.add("services", "only a customer organisation receives services");
        }
        let mut ids = Vec::new();
        for raw in numbers {
            let found = match steward_domain::number::NumberKind::Service.canonical(raw) {
                Some(n) => store
                    .service(&n, steward_domain::access::Visibility::All)
                    .await
                    .ok(),
                None => None,
            };
            match found {
                Some(svc) => ids.push(svc.id),
                None => p.add("services", format!("{raw:?} is not a service")),
            }
        }
        service_ids = Some(ids);
    }
    p.finish(())?;
    Ok(store
        .update_org(
            &steward_store::AuditActor::from(actor),
            id,
            &name,
            &tz,
            service_ids.as_deref(),
        )
        .await?)
}

/// The customer organisations, by name (for the choices of a form; the
/// caller has already been allowed the page).
pub async fn customer_orgs(store: &Store) -> AppResult<Vec<Organisation>> {
    Ok(store
        .list_orgs()
        .await?
        .into_iter()
        .filter(|o| o.kind == "customer")
        .collect())
}

/// The customer organisations' names, for a form's choices.
pub async fn customer_names(store: &Store) -> AppResult<Vec<String>> {
    Ok(customer_orgs(store)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect())
}

/// Every organisation (staff who may read them).
pub async fn orgs(store: &Store, actor: &Actor) -> AppResult<Vec<Organisation>> {
    require(actor, Action::OrgRead, None)?;
    Ok(store.list_orgs().await?)
}

pub async fn create_org<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    input: &OrgInput,
) -> AppResult<Organisation> {
    let by = by.into();
    by.require(Action::OrgWrite, None)?;
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
    Ok(store
        .create_org(&by.audit(), &name, kind.as_str(), &tz)
        .await?)
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

/// Every user (staff who may read them).
pub async fn users(store: &Store, actor: &Actor) -> AppResult<Vec<User>> {
    require(actor, Action::UserRead, None)?;
    Ok(store.list_users(None).await?)
}

/// One user (staff who may read them).
pub async fn user(store: &Store, actor: &Actor, id: i64) -> AppResult<User> {
    require(actor, Action::UserRead, None)?;
    Ok(store.user_by_id(id).await?)
}

pub async fn create_user<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    input: &UserInput,
) -> AppResult<User> {
    let by = by.into();
    by.require(Action::UserWrite, None)?;
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
            &by.audit(),
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
    /// The organisation's name: staff belong to the provider, customers to a customer.
    pub organisation: Option<String>,
    /// The e-mail of their manager, who approves what an offering asks
    /// "the requester's manager" to approve; empty text: nobody.
    pub manager: Option<String>,
}

/// Changes a user: an administrator's work, except a user's own time zone,
/// which is their own setting.
pub async fn update_user<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    id: i64,
    patch: &UserPatch,
) -> AppResult<User> {
    let by = by.into();
    let own_settings = by.is_user(id)
        && patch.organisation.is_none()
        && patch.name.is_none()
        && patch.role.is_none()
        && patch.active.is_none()
        && patch.password.is_none()
        && patch.manager.is_none();
    by.require(
        if own_settings {
            Action::OwnSettings
        } else {
            Action::UserWrite
        },
        None,
    )?;
    let current = store.user_by_id(id).await?;
    // Nobody locks themselves out: an administrator can neither disable nor demote their own account.
    if by.is_user(id)
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
            Some(role) => Some(role),
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
    let org = match patch.organisation.as_deref().map(str::trim) {
        None => None,
        Some(name) => match store.org_by_name(name).await {
            Ok(o) => Some(o),
            Err(_) => {
                p.add("organisation", format!("no organisation named {name:?}"));
                None
            }
        },
    };
    // The role must fit the organisation's kind: staff belong to the
    // provider, customers to a customer; what the request changed is what to correct.
    if patch.role.is_none() || role.is_some() {
        let draft = UserDraft {
            email: current.email.clone(),
            name: current.name.clone(),
            role: role.unwrap_or(current.role.get()),
        };
        let kind = match &org {
            Some(o) => o.kind.clone(),
            None => store.org_by_id(current.org_id).await?.kind,
        };
        if let Err(e) = draft.check_org(OrgKind::parse(&kind).unwrap_or(OrgKind::Customer)) {
            let field = if role.is_some() {
                "role"
            } else {
                "organisation"
            };
            for f in e.0 {
                p.add(field, f.message);
            }
        }
    }
    let role = role.map(|r| r.as_str().to_owned());
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
    let manager = match patch.manager.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(email) => match store.user_by_email(email).await {
            // Someone of their own organisation, or of the provider's staff.
            Ok(m)
                if m.active
                    && m.id != id
                    && (m.org_id == current.org_id || m.role().is_staff()) =>
            {
                Some(Some(m.id))
            }
            Ok(m) if m.active && m.id != id => {
                p.add(
                    "manager",
                    "a manager is of the same organisation, or the provider's staff",
                );
                None
            }
            Ok(m) if m.id == id => {
                p.add("manager", "nobody is their own manager");
                None
            }
            _ => {
                p.add("manager", format!("no active user with e-mail {email:?}"));
                None
            }
        },
    };
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
        org_id: org.map(|o| o.id),
    };
    if let Some(m) = manager {
        store.set_user_manager(&by.audit(), id, m).await?;
    }
    Ok(store.update_user(&by.audit(), id, &change).await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The manager's e-mail (provider staff); hears of the group's escalations.
    #[serde(default)]
    pub manager: Option<String>,
    /// E-mails of the members (provider staff).
    #[serde(default)]
    pub members: Vec<String>,
}

/// A change to a group: absent fields stay; `members` replaces the list;
/// an empty `manager` removes the manager.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub manager: Option<String>,
    pub members: Option<Vec<String>>,
}

/// Every assignment group (staff).
pub async fn groups(store: &Store, actor: &Actor) -> AppResult<Vec<AssignmentGroup>> {
    require(actor, Action::GroupRead, None)?;
    Ok(store.list_groups().await?)
}

/// One group with its members (staff).
pub async fn group(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> AppResult<(AssignmentGroup, Vec<GroupMember>)> {
    require(actor, Action::GroupRead, None)?;
    let g = store.group_by_id(id).await?;
    let members = store.group_members(id).await?;
    Ok((g, members))
}

/// Whether `u` works records: an admin, a manager or an agent (auditors only read).
pub fn works(u: &User) -> bool {
    matches!(
        u.role(),
        steward_domain::access::Role::Admin
            | steward_domain::access::Role::Manager
            | steward_domain::access::Role::Agent
    )
}

/// A member of staff who works records, by e-mail: active, or one the thing
/// being changed already names (`kept`), so that it can still be saved after
/// they left and keeps its history.
pub async fn worker(store: &Store, email: &str, kept: bool) -> AppResult<Option<User>> {
    match store.user_by_email(email.trim()).await {
        Ok(u) if (u.active || kept) && works(&u) => Ok(Some(u)),
        Ok(_) | Err(steward_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Checks a group as written and finds its people: one rule for create and
/// change. `current` is the group's manager and members before the change.
async fn group_fields(
    store: &Store,
    input: &GroupInput,
    current: (Option<i64>, &[i64]),
) -> AppResult<GroupFields> {
    let mut p = Problems::default();
    let name = text::required_line(&mut p, "name", &input.name, text::LINE_MAX);
    let description =
        text::optional_body(&mut p, "description", &input.description, text::BODY_MAX);
    let known = |u: &Option<User>, ids: &[i64]| u.as_ref().is_some_and(|u| ids.contains(&u.id));
    let manager_id = match input.manager.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => {
            let found = store.user_by_email(email).await.ok();
            let kept = known(&found, &current.0.into_iter().collect::<Vec<_>>());
            match worker(store, email, kept).await? {
                Some(u) => Some(u.id),
                None => {
                    p.add(
                        "manager",
                        format!("{email:?} is not an active admin, manager or agent"),
                    );
                    None
                }
            }
        }
    };
    let mut member_ids = Vec::new();
    for email in input
        .members
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        let found = store.user_by_email(email).await.ok();
        let kept = known(&found, current.1);
        match worker(store, email, kept).await? {
            Some(u) => member_ids.push(u.id),
            None => p.add(
                "members",
                format!("{email:?} is not an active admin, manager or agent"),
            ),
        }
    }
    member_ids.sort_unstable();
    member_ids.dedup();
    p.finish(())?;
    Ok(GroupFields {
        name,
        description,
        manager_id,
        member_ids,
    })
}

pub async fn create_group<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    input: &GroupInput,
) -> AppResult<AssignmentGroup> {
    let by = by.into();
    by.require(Action::GroupWrite, None)?;
    let f = group_fields(store, input, (None, &[])).await?;
    Ok(store.create_group(&by.audit(), &f).await?)
}

/// Changes a group (managers and admins); every change is in the audit trail.
pub async fn update_group(
    store: &Store,
    actor: &Actor,
    id: i64,
    patch: &GroupPatch,
) -> AppResult<AssignmentGroup> {
    let (current, members) = group(store, actor, id).await?;
    require(actor, Action::GroupWrite, None)?;
    let member_ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let manager_id = current.manager_id;
    let input = GroupInput {
        name: patch.name.clone().unwrap_or(current.name),
        description: patch.description.clone().unwrap_or(current.description),
        manager: match &patch.manager {
            Some(m) => Some(m.clone()),
            None => match current.manager_id {
                Some(mid) => Some(store.user_by_id(mid).await?.email),
                None => None,
            },
        },
        members: patch
            .members
            .clone()
            .unwrap_or_else(|| members.into_iter().map(|m| m.email).collect()),
    };
    let f = group_fields(store, &input, (manager_id, &member_ids)).await?;
    Ok(store
        .update_group(&steward_store::AuditActor::from(actor), id, &f)
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, e.g. "monitoring integration".
    pub name: String,
    /// Days after which the token stops working by itself (1 to 3650); none: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

impl TokenInput {
    pub fn named(name: &str) -> TokenInput {
        TokenInput {
            name: name.to_owned(),
            expires_in_days: None,
        }
    }
}

/// The caller's own API tokens.
pub async fn tokens(store: &Store, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    require(actor, Action::OwnTokens, None)?;
    Ok(store.list_tokens(actor.user_id).await?)
}

/// Revokes one of the caller's own tokens (another's does not exist for them).
pub async fn revoke_token(store: &Store, actor: &Actor, id: i64) -> AppResult<()> {
    require(actor, Action::OwnTokens, None)?;
    Ok(store
        .revoke_token(&steward_store::AuditActor::from(actor), actor.user_id, id)
        .await?)
}

/// Another user's API tokens (admins), so that a token can be revoked
/// without its owner.
pub async fn user_tokens(store: &Store, actor: &Actor, user_id: i64) -> AppResult<Vec<ApiToken>> {
    require(actor, Action::UserWrite, None)?;
    store.user_by_id(user_id).await?;
    Ok(store.list_tokens(user_id).await?)
}

/// Revokes another user's API token (admins).
pub async fn revoke_user_token(
    store: &Store,
    actor: &Actor,
    user_id: i64,
    id: i64,
) -> AppResult<()> {
    require(actor, Action::UserWrite, None)?;
    Ok(store
        .revoke_token(&steward_store::AuditActor::from(actor), user_id, id)
        .await?)
}

/// Creates an API token for `user`: a user's own, or any user's for the
/// operator. The secret is returned once and stored only hashed.
pub async fn create_token<'a>(
    store: &Store,
    by: impl Into<Caller<'a>>,
    user: &User,
    input: &TokenInput,
) -> AppResult<(ApiToken, String)> {
    let name = &input.name;
    let by = by.into();
    by.require(Action::OwnTokens, None)?;
    if matches!(by, Caller::User(_)) && !by.is_user(user.id) {
        return Err(AppError::NotFound);
    }
    let mut p = Problems::default();
    let name = text::required_line(&mut p, "name", name, text::LINE_MAX);
    let expires_at = match input.expires_in_days {
        None => None,
        Some(d @ 1..=3650) => Some(steward_store::now_ms() + d * 86_400_000),
        Some(_) => {
            p.add("expires_in_days", "must be from 1 to 3650 days");
            None
        }
    };
    p.finish(())?;
    if !user.active {
        return Err(AppError::Conflict("the user is disabled".into()));
    }
    let secret = auth::new_api_token();
    let token = store
        .create_token(
            &by.audit(),
            user.id,
            &name,
            &auth::hash_secret(&secret),
            expires_at,
        )
        .await?;
    Ok((token, secret))
}

/// Audit entries matching `params` (who may read the trail).
pub async fn audit(
    store: &Store,
    actor: &Actor,
    params: &crate::api_params::AuditParams,
) -> AppResult<Vec<AuditEntry>> {
    require(actor, Action::AuditRead, None)?;
    Ok(store.list_audit(&params.filter()?).await?)
}

/// What the user administration page shows: every user and organisation (admins).
pub async fn user_admin(store: &Store, actor: &Actor) -> AppResult<(Vec<User>, Vec<Organisation>)> {
    require(actor, Action::UserWrite, None)?;
    Ok((store.list_users(None).await?, store.list_orgs().await?))
}

/// What the organisation administration page shows (admins).
pub async fn org_admin(store: &Store, actor: &Actor) -> AppResult<Vec<Organisation>> {
    require(actor, Action::OrgWrite, None)?;
    Ok(store.list_orgs().await?)
}

/// The caller's own choice of notification e-mails: the events muted.
pub async fn set_notifications_muted(store: &Store, actor: &Actor, muted: &str) -> AppResult<()> {
    require(actor, Action::OwnSettings, None)?;
    Ok(store
        .set_notifications_muted(
            &steward_store::AuditActor::from(actor),
            actor.user_id,
            muted,
        )
        .await?)
}
