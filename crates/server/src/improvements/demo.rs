//! The demo's improvement register: one evaluated against its benefit, one
//! done and awaiting its evaluation, one approved from a nonconformity with
//! an action under way, and one proposed without a measure yet.

use super::{ImprovementInput, ImprovementPatch, ImprovementStepInput};
use crate::AppState;
use crate::actions::{self, ActionInput};
use crate::complaints::demo::{actor, in_days};
use crate::error::AppResult;

/// Records the demo's improvements; `nonconformity` is the one the third
/// comes from. Loaded after the SMS registers, for the objective it serves.
pub async fn load(
    state: &AppState,
    manager_email: &str,
    nonconformity: Option<&str>,
) -> AppResult<()> {
    let manager = actor(state, manager_email).await?;
    let objective = state
        .store
        .sms_record_id(steward_domain::register::Register::Objectives, "OBJ-0001")
        .await?
        .map(|_| "OBJ-0001".to_owned());
    let propose = |title: &str, source: &str, benefit: Option<&str>, measure: Option<&str>| {
        ImprovementInput {
            title: title.into(),
            source: Some(source.into()),
            expected_benefit: benefit.map(str::to_owned),
            measure: measure.map(str::to_owned),
            assignee: Some(manager_email.into()),
            target_date: Some(in_days(60)),
            ..Default::default()
        }
    };
    let step = async |number: &str, action: &str, text: Option<&str>| -> AppResult<()> {
        let input = ImprovementStepInput {
            action: action.into(),
            evaluation: text.map(str::to_owned),
            reason: None,
        };
        super::step(state, &manager, number, &input, None).await?;
        Ok(())
    };
    // Evaluated: the self-service password reset did what it promised.
    let mut input = propose(
        "Self-service password reset",
        "staff",
        Some("Fewer password reset incidents, faster for the people locked out"),
        Some("Password reset incidents per month, from about 120 to under 40"),
    );
    input.objective = objective.clone();
    let reset = super::create(state, &manager, &input).await?;
    for action in ["approve", "start", "complete"] {
        step(&reset.number, action, None).await?;
    }
    step(
        &reset.number,
        "evaluate_met",
        Some("31 password reset incidents last month, against 118 before."),
    )
    .await?;
    // Done, awaiting its evaluation.
    let portal = super::create(
        state,
        &manager,
        &propose(
            "Status page for major incidents",
            "customer",
            Some("Fewer 'is it down?' calls during major incidents"),
            Some("Calls to the service desk in the first hour of a major incident"),
        ),
    )
    .await?;
    for action in ["approve", "complete"] {
        step(&portal.number, action, None).await?;
    }
    // From the nonconformity about customer data: approved, its action under way.
    let mut input = propose(
        "One record of customer contacts shared by sales and billing",
        "nonconformity",
        Some("Customer changes reach every team that uses them"),
        Some("Invoices returned for a wrong address, per quarter: none"),
    );
    input.from = nonconformity.map(str::to_owned);
    let shared = super::create(state, &manager, &input).await?;
    step(&shared.number, "approve", None).await?;
    actions::create(
        state,
        &manager,
        &ActionInput {
            title: "Choose where the shared contact record lives".into(),
            parent: Some(shared.number.clone()),
            assignee: Some(manager_email.into()),
            target_date: Some(in_days(20)),
            ..Default::default()
        },
    )
    .await?;
    // Proposed, with no measure yet: a gap the evidence shows.
    let chat = super::create(
        state,
        &manager,
        &propose("Chat on the customer portal", "customer", None, None),
    )
    .await?;
    let patch = ImprovementPatch {
        description: Some("Asked for by two customers at their service reviews.".into()),
        ..Default::default()
    };
    super::update(state, &manager, &chat.number, &patch, None).await?;
    Ok(())
}
