//! The demo's problems: a published known error whose workaround surfaces on
//! open incidents of the same service and category, a problem under
//! investigation with its incidents, and one resolved and closed.

use std::collections::HashMap;

use steward_domain::access::{Actor, Visibility};
use steward_domain::incident::IncidentState;
use steward_store::{Incident, IncidentFilter, IncidentOrder};

use super::{ProblemInput, ProblemPatch, ProblemStepInput};
use crate::AppState;
use crate::error::AppResult;

async fn step(
    state: &AppState,
    by: &Actor,
    number: &str,
    action: &str,
    text: &str,
) -> AppResult<()> {
    let input = ProblemStepInput {
        action: action.into(),
        root_cause: Some(text.into()),
        workaround: Some(text.into()),
        permanent_fix: Some(text.into()),
    };
    super::step(state, by, number, &input, None).await?;
    Ok(())
}

/// Records the demo's problems as `manager_email`, from the incidents already loaded.
pub async fn load(state: &AppState, manager_email: &str) -> AppResult<()> {
    let user = state.store.user_by_email(manager_email).await?;
    let by = Actor {
        user_id: user.id,
        role: user.role(),
        org_id: user.org_id,
        name: user.name.clone(),
    };
    let open = state
        .store
        .list_incidents(
            Visibility::All,
            &IncidentFilter {
                states: IncidentState::OPEN
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
                ..Default::default()
            },
            IncidentOrder::Newest,
            None,
            500,
        )
        .await?
        .items;
    // The service and category with the most open incidents: its known error
    // is linked to two of them and shows on the others.
    let mut groups: HashMap<(String, String), Vec<&Incident>> = HashMap::new();
    for i in &open {
        groups
            .entry((i.service_number.clone(), i.category.clone()))
            .or_default()
            .push(i);
    }
    let mut ranked: Vec<_> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let Some(((service, category), incidents)) = ranked.first() else {
        return Ok(());
    };
    let known = super::create(
        state,
        &by,
        &ProblemInput {
            title: format!(
                "Recurring {category} failures on {}",
                incidents[0].service_name
            ),
            description:
                "Several customers report the same symptom; the incidents are linked here.".into(),
            service: Some(service.clone()),
            category: Some(category.clone()),
            impact: Some(2),
            urgency: Some(2),
            assignee: Some(manager_email.into()),
            target_date: Some(
                (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
                    .strftime("%Y-%m-%d")
                    .to_string(),
            ),
            incidents: incidents.iter().take(2).map(|i| i.number.clone()).collect(),
            ..Default::default()
        },
    )
    .await?;
    step(state, &by, &known.number, "investigate", "").await?;
    step(
        state,
        &by,
        &known.number,
        "root_cause",
        "A connection pool in the middleware runs out under the morning peak.",
    )
    .await?;
    step(
        state,
        &by,
        &known.number,
        "known_error",
        "Sign out and sign in again; if it persists, the service desk restarts the middleware node (5 minutes).",
    )
    .await?;
    super::update(
        state,
        &by,
        &known.number,
        &ProblemPatch {
            published: Some(true),
            ..Default::default()
        },
        None,
    )
    .await?;

    // Under investigation, with incidents of another service.
    if let Some((_, others)) = ranked.get(1) {
        let p = super::create(
            state,
            &by,
            &ProblemInput {
                title: format!("Intermittent errors on {}", others[0].service_name),
                service: Some(others[0].service_number.clone()),
                category: Some(others[0].category.clone()),
                incidents: others.iter().take(3).map(|i| i.number.clone()).collect(),
                ..Default::default()
            },
        )
        .await?;
        step(state, &by, &p.number, "investigate", "").await?;
    }

    // Resolved and closed: the history of a problem done.
    if let Some((_, others)) = ranked.get(2) {
        let p = super::create(
            state,
            &by,
            &ProblemInput {
                title: "Certificate expiry took the portal down".into(),
                service: Some(others[0].service_number.clone()),
                category: Some(others[0].category.clone()),
                incidents: others.iter().take(1).map(|i| i.number.clone()).collect(),
                ..Default::default()
            },
        )
        .await?;
        for (action, text) in [
            ("investigate", ""),
            (
                "root_cause",
                "The certificate was renewed by hand and its expiry was not monitored.",
            ),
            (
                "resolve",
                "Certificates now renew automatically and expiry is monitored.",
            ),
            ("close", ""),
        ] {
            step(state, &by, &p.number, action, text).await?;
        }
    }
    Ok(())
}
