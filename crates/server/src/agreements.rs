//! Service and operational level agreements: checked by the domain
//! (`steward_domain::agreement`), resolved (customer, group, services,
//! calendar, owner) and stored; and which agreement applies to a case.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;
use steward_domain::access::{Action, Actor};
use steward_domain::agreement::{self, Applies, Candidate};
use steward_domain::error::Problems;
use steward_domain::number::NumberKind;
use steward_domain::text;
use steward_store::{Agreement, AgreementFields, AuditActor};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub response_minutes: i64,
    pub resolution_minutes: i64,
}

/// An agreement as people write it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// sla (with a customer, or every customer) or ola (with an internal group).
    pub kind: String,
    pub title: String,
    /// SLA: the customer organisation's name; absent: every customer.
    pub customer: Option<String>,
    /// OLA: the assignment group's name.
    pub group: Option<String>,
    /// Service numbers; empty: every service.
    #[serde(default)]
    pub services: Vec<String>,
    /// The business calendar's id.
    pub calendar: i64,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// draft (default), agreed or expired.
    pub status: Option<String>,
    /// A staff member's e-mail.
    pub owner: Option<String>,
    /// Next review, `YYYY-MM-DD`, today or later when set or changed.
    pub review_on: Option<String>,
    /// Warn when this share of a target has passed (default 75).
    pub warn_percent: Option<i64>,
    /// Per priority (`P1` .. `P5`), in business minutes.
    pub targets: BTreeMap<String, TargetInput>,
}

fn date(p: &mut Problems, field: &str, raw: &str) -> Option<Date> {
    match raw.trim().parse() {
        Ok(d) => Some(d),
        Err(_) => {
            p.add(field, "must be a date written YYYY-MM-DD");
            None
        }
    }
}

async fn resolve(
    state: &AppState,
    input: &AgreementInput,
    before: Option<&Agreement>,
) -> AppResult<AgreementFields> {
    let mut p = Problems::default();
    let title = text::required_line(&mut p, "title", &input.title, text::LINE_MAX);
    if !matches!(input.kind.as_str(), "sla" | "ola") {
        p.add("kind", "must be sla or ola");
    }
    if before.is_some_and(|b| b.kind != input.kind) {
        p.add("kind", "an agreement keeps its kind");
    }
    let status = input.status.clone().unwrap_or_else(|| "draft".into());
    if !matches!(status.as_str(), "draft" | "agreed" | "expired") {
        p.add("status", "must be draft, agreed or expired");
    }
    let org_id = match (
        input.kind.as_str(),
        input.customer.as_deref().map(str::trim),
    ) {
        (_, None | Some("")) => None,
        ("ola", Some(_)) => {
            p.add(
                "customer",
                "an OLA is with an internal group, not a customer",
            );
            None
        }
        (_, Some(name)) => match state.store.org_by_name(name).await {
            Ok(o) if o.kind == "customer" => Some(o.id),
            _ => {
                p.add(
                    "customer",
                    format!("{name:?} is not a customer organisation"),
                );
                None
            }
        },
    };
    let group_id = match (input.kind.as_str(), input.group.as_deref().map(str::trim)) {
        ("ola", None | Some("")) => {
            p.add("group", "an OLA names the internal group it is with");
            None
        }
        ("sla", Some(g)) if !g.is_empty() => {
            p.add("group", "an SLA is with a customer; an OLA is with a group");
            None
        }
        (_, Some(name)) if !name.is_empty() => match state.store.group_by_name(name).await {
            Ok(g) => Some(g.id),
            Err(_) => {
                p.add("group", format!("{name:?} is not an assignment group"));
                None
            }
        },
        _ => None,
    };
    let mut service_ids = Vec::new();
    for s in &input.services {
        let found = match NumberKind::Service.canonical(s) {
            Some(n) => state
                .store
                .service(&n, steward_domain::access::Visibility::All)
                .await
                .ok(),
            None => None,
        };
        match found {
            Some(svc) => service_ids.push(svc.id),
            None => p.add("services", format!("{s:?} is not a service")),
        }
    }
    service_ids.sort_unstable();
    service_ids.dedup();
    if state.store.calendar(input.calendar).await.is_err() {
        p.add(
            "calendar",
            format!("there is no calendar {}", input.calendar),
        );
    }
    let valid_from = date(&mut p, "valid_from", &input.valid_from);
    let valid_to = match input.valid_to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => date(&mut p, "valid_to", raw),
    };
    if let Some(from) = valid_from
        && let Err(e) = agreement::check_validity(from, valid_to)
    {
        p.merge(e);
    }
    let review_on = match input.review_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let d = date(&mut p, "review_on", raw);
            let unchanged = before.and_then(|b| b.review_on.as_deref()) == Some(raw);
            if let Some(d) = d
                && !unchanged
                && d < crate::registers::today()
            {
                p.add("review_on", "must be today or later");
            }
            d
        }
    };
    let owner_id = match input.owner.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => {
            let kept = before.is_some_and(|b| b.owner_email.as_deref() == Some(email));
            match crate::registers::staff(state, email, kept).await? {
                Some(u) => Some(u.id),
                None => {
                    p.add(
                        "owner",
                        format!("{email:?} is not an active admin, manager or agent"),
                    );
                    None
                }
            }
        }
    };
    let warn_percent = input.warn_percent.unwrap_or(75);
    let raw: BTreeMap<String, (i64, i64)> = input
        .targets
        .iter()
        .map(|(k, t)| (k.clone(), (t.response_minutes, t.resolution_minutes)))
        .collect();
    let targets = match agreement::check_targets(&raw, warn_percent) {
        Ok(t) => t,
        Err(e) => {
            p.merge(e);
            BTreeMap::new()
        }
    };
    p.finish(())?;
    let json: BTreeMap<String, [i64; 2]> = targets
        .iter()
        .map(|(p, t)| (p.to_string(), [t.response_minutes, t.resolution_minutes]))
        .collect();
    Ok(AgreementFields {
        kind: input.kind.clone(),
        title,
        org_id,
        group_id,
        calendar_id: input.calendar,
        valid_from: valid_from.map(|d| d.to_string()).unwrap_or_default(),
        valid_to: valid_to.map(|d| d.to_string()),
        status,
        owner_id,
        review_on: review_on.map(|d| d.to_string()),
        warn_percent,
        targets: serde_json::to_string(&json).map_err(AppError::internal)?,
        service_ids,
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: &AgreementInput,
) -> AppResult<Agreement> {
    require(actor, Action::ServiceLevelWrite, None)?;
    let f = resolve(state, input, None).await?;
    Ok(state
        .store
        .create_agreement(&AuditActor::from(actor), &f)
        .await?)
}

fn number_of(raw: &str) -> AppResult<String> {
    NumberKind::Sla
        .canonical(raw)
        .or_else(|| NumberKind::Ola.canonical(raw))
        .ok_or(AppError::NotFound)
}

pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Agreement> {
    require(actor, Action::ServiceLevelRead, None)?;
    Ok(state.store.agreement(&number_of(number)?).await?)
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Agreement>> {
    require(actor, Action::ServiceLevelRead, None)?;
    Ok(state.store.list_agreements().await?)
}

/// Replaces an agreement; without If-Match it applies to the version read.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &AgreementInput,
    if_match: Option<i64>,
) -> AppResult<Agreement> {
    let current = get(state, actor, number).await?;
    require(actor, Action::ServiceLevelWrite, None)?;
    let f = resolve(state, input, Some(&current)).await?;
    Ok(state
        .store
        .update_agreement(
            &AuditActor::from(actor),
            &current.number,
            Some(if_match.unwrap_or(current.version)),
            &f,
        )
        .await?)
}

/// Agreements do not say who receives what, and a customer can only raise a
/// case on a service it receives: when `customer` does not receive
/// `service`, says so (nothing for names that are not there).
pub async fn not_received(
    state: &AppState,
    actor: &Actor,
    customer: &str,
    service: &str,
) -> AppResult<Option<String>> {
    require(actor, Action::ServiceLevelRead, None)?;
    let Ok(org) = state.store.org_by_name(customer.trim()).await else {
        return Ok(None);
    };
    let received = state
        .store
        .list_services(steward_domain::access::Visibility::Organisation(org.id))
        .await?;
    let service = service.trim();
    Ok((!received.iter().any(|s| s.number == service)).then(|| {
        format!(
            "Note: {} does not receive {service}, so it cannot raise such a case.",
            org.name
        )
    }))
}

/// Which SLA applies to a customer's case on a service at a priority, on a day.
pub async fn applicable(
    state: &AppState,
    actor: &Actor,
    customer: &str,
    service: &str,
    priority: u8,
    on: Date,
) -> AppResult<Option<Applies>> {
    require(actor, Action::ServiceLevelRead, None)?;
    let mut p = Problems::default();
    let org = match state.store.org_by_name(customer.trim()).await {
        Ok(o) => Some(o.id),
        Err(_) => {
            p.add("customer", format!("{customer:?} is not an organisation"));
            None
        }
    };
    let svc = match NumberKind::Service.canonical(service) {
        Some(n) => state
            .store
            .service(&n, steward_domain::access::Visibility::All)
            .await
            .ok()
            .map(|s| s.id),
        None => None,
    };
    if svc.is_none() {
        p.add("service", format!("{service:?} is not a service"));
    }
    if !(1..=5).contains(&priority) {
        p.add("priority", "must be from 1 to 5");
    }
    p.finish(())?;
    let (Some(org), Some(svc)) = (org, svc) else {
        return Ok(None);
    };
    let candidates: Vec<Candidate> = state
        .store
        .list_agreements()
        .await?
        .iter()
        .filter(|a| a.kind == "sla")
        .filter_map(Agreement::candidate)
        .collect();
    Ok(agreement::applicable(&candidates, org, svc, priority, on))
}
