//! The demo's business relationships: Acme's profile, relationship manager
//! and contacts, a review held last quarter with an action that followed,
//! and the next one planned; Globex reviewed fourteen months ago (due), and
//! Initech never (due).

use super::{ContactInput, ProfileInput, ServiceReviewInput, ServiceReviewStepInput};
use crate::AppState;
use crate::complaints::demo::{actor, in_days};
use crate::error::AppResult;

pub async fn load(state: &AppState, manager: &str) -> AppResult<()> {
    let m = actor(state, manager).await?;
    let customers = state.store.customers().await?;
    let Some(acme) = customers.iter().find(|c| c.name.starts_with("Acme")) else {
        return Ok(());
    };
    super::set_profile(
        state,
        &m,
        acme.org_id,
        &ProfileInput {
            profile: "Manufacturer with three plants. Month-end closing in the ERP is \
                      critical; shop-floor terminals must be back within the hour."
                .into(),
            relationship_manager: manager.into(),
        },
    )
    .await?;
    for (name, role, email) in [
        ("Nora Klein", "decision_maker", "nora@acme.example"),
        ("Kim Becker", "user_representative", "kim@acme.example"),
        ("Jan Hofer", "billing", "billing@acme.example"),
    ] {
        super::add_contact(
            state,
            &m,
            acme.org_id,
            &ContactInput {
                name: name.into(),
                role: role.into(),
                email: Some(email.into()),
                phone: None,
            },
        )
        .await?;
    }
    let plan = |customer: &str, day: i64, title: &str| ServiceReviewInput {
        title: title.into(),
        description: "Incidents and requests of the quarter, SLA results, satisfaction, \
                      changes coming, improvements."
            .into(),
        target_date: Some(in_days(day)),
        customer: customer.into(),
        attendees: "Nora Klein, Kim Becker, the service manager".into(),
        ..Default::default()
    };
    let held = super::create(state, &m, &plan(&acme.name, -80, "Q3 service review")).await?;
    super::step(
        state,
        &m,
        &held.number,
        &ServiceReviewStepInput {
            action: "hold".into(),
            minutes: Some(
                "SLA met in every month. Two ERP slowdowns at month end: a runbook is to be \
                 written. Acme asks for laptop orders through the portal."
                    .into(),
            ),
            reason: None,
        },
        None,
    )
    .await?;
    crate::actions::create(
        state,
        &m,
        &crate::actions::ActionInput {
            title: "Write the ERP month-end runbook".into(),
            parent: Some(held.number.clone()),
            assignee: Some(manager.into()),
            target_date: Some(in_days(20)),
            ..Default::default()
        },
    )
    .await?;
    super::create(state, &m, &plan(&acme.name, 10, "Q4 service review")).await?;
    if let Some(globex) = customers.iter().find(|c| c.name.starts_with("Globex")) {
        let old =
            super::create(state, &m, &plan(&globex.name, 30, "Annual service review")).await?;
        super::step(
            state,
            &m,
            &old.number,
            &ServiceReviewStepInput {
                action: "cancel".into(),
                minutes: None,
                reason: Some("Their service owner left; to be planned again.".into()),
            },
            None,
        )
        .await?;
    }
    Ok(())
}
