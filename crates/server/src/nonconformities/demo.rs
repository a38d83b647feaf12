//! The demo's nonconformities and their corrective actions: one raised from
//! a complaint whose first action was found not effective and followed up,
//! one closed after an effective action, and one new, from a breached
//! incident, whose cause recurs and whose action is late.

use steward_domain::access::Actor;

use super::{NonconformityInput, NonconformityPatch, NonconformityStepInput};
use crate::AppState;
use crate::actions::{self, ActionInput, ActionStepInput};
use crate::complaints::demo::{actor, in_days};
use crate::error::AppResult;

async fn act(state: &AppState, by: &Actor, number: &str, step: &str, text: &str) -> AppResult<()> {
    let input = ActionStepInput {
        action: step.into(),
        outcome: Some(text.into()),
        review: Some(text.into()),
    };
    actions::step(state, by, number, &input, None).await?;
    Ok(())
}

/// The owner of every demo action and nonconformity.
const OWNER: &str = "manager@northwind.example";

async fn plan(
    state: &AppState,
    by: &Actor,
    parent: &str,
    title: &str,
    due_days: i64,
    review_after_days: i64,
) -> AppResult<String> {
    let input = ActionInput {
        title: title.into(),
        parent: Some(parent.into()),
        assignee: Some(OWNER.into()),
        target_date: Some(in_days(due_days)),
        review_after_days: Some(review_after_days),
        ..Default::default()
    };
    Ok(actions::create(state, by, &input).await?.number.clone())
}

async fn analyse(
    state: &AppState,
    by: &Actor,
    number: &str,
    correction: &str,
    root_cause: &str,
    category: &str,
) -> AppResult<()> {
    let patch = NonconformityPatch {
        correction: Some(correction.into()),
        root_cause: Some(root_cause.into()),
        cause_category: Some(category.into()),
        assignee: Some(Some(OWNER.into())),
        ..Default::default()
    };
    super::update(state, by, number, &patch, None).await?;
    let investigate = NonconformityStepInput {
        action: "investigate".into(),
        reason: None,
    };
    super::step(state, by, number, &investigate, None).await?;
    Ok(())
}

/// Records the demo's nonconformities, the first raised from `complaint`;
/// that first one's number.
pub async fn load(
    state: &AppState,
    manager_email: &str,
    complaint: Option<&str>,
    finding: Option<&str>,
) -> AppResult<String> {
    let manager = actor(state, manager_email).await?;
    let raise = |title: &str, description: &str, source: &str, severity: &str, clause: &str| {
        NonconformityInput {
            title: title.into(),
            description: description.into(),
            source: Some(source.into()),
            severity: Some(severity.into()),
            clause: Some(clause.into()),
            from: match source {
                "complaint" => complaint.map(str::to_owned),
                "finding" => finding.map(str::to_owned),
                _ => None,
            },
            ..Default::default()
        }
    };
    // From a complaint: the first action did not remove the cause.
    let billing = super::create(
        state,
        &manager,
        &raise(
            "Customer contact data not kept current",
            "Three invoices went to a customer's old office after it moved; the move was known to the account manager.",
            "complaint",
            "minor",
            "8.3.2",
        ),
    )
    .await?;
    analyse(
        state,
        &manager,
        &billing.number,
        "Invoices re-sent to the new address; the customer's record corrected.",
        "Why were invoices misaddressed? The billing address was the old one.\nWhy? Address changes reach account managers, not billing.\nWhy? No step hands a customer's changed details to billing.",
        "process",
    )
    .await?;
    let first = plan(
        state,
        &manager,
        &billing.number,
        "Account managers forward address changes to billing",
        -20,
        0,
    )
    .await?;
    act(
        state,
        &manager,
        &first,
        "complete",
        "Instruction sent to all account managers.",
    )
    .await?;
    act(
        state,
        &manager,
        &first,
        "review_not_effective",
        "Another customer's change of address in the following month did not reach billing: an instruction alone does not hold.",
    )
    .await?;
    // Closed: its action worked.
    let change = super::create(
        state,
        &manager,
        &raise(
            "Change deployed without a recorded risk assessment",
            "The internal audit sampled ten changes; one had no risk assessment although the change policy asks for one.",
            "finding",
            "major",
            "8.5.1.3",
        ),
    )
    .await?;
    analyse(
        state,
        &manager,
        &change.number,
        "Risk assessed after the fact; no harm found.",
        "Why was there no assessment? The form let the change be submitted without it.\nWhy? The field was optional since the last form update.",
        "technology",
    )
    .await?;
    let required = plan(
        state,
        &manager,
        &change.number,
        "Make the risk assessment a required field of the change form",
        -40,
        0,
    )
    .await?;
    act(
        state,
        &manager,
        &required,
        "complete",
        "The field is required since the last release.",
    )
    .await?;
    act(
        state,
        &manager,
        &required,
        "review_effective",
        "Thirty changes since: each has its risk assessment.",
    )
    .await?;
    let close = NonconformityStepInput {
        action: "close".into(),
        reason: None,
    };
    super::step(state, &manager, &change.number, &close, None).await?;
    // The audit's finding is answered: a nonconformity was raised from it.
    if let Some(f) = finding {
        let close = crate::findings::FindingStepInput {
            action: "close".into(),
            reason: None,
        };
        crate::findings::step(state, &manager, f, &close, None).await?;
    }
    // New, from a breached incident: the same kind of cause as the first, and late.
    let breach = super::create(
        state,
        &manager,
        &raise(
            "Priority 1 incident resolved after its target",
            "The resolution target of a priority 1 incident was missed by three hours: nobody on call was reachable.",
            "sla_breach",
            "major",
            "8.6.1",
        ),
    )
    .await?;
    let patch = NonconformityPatch {
        cause_category: Some("process".into()),
        target_date: Some(Some(in_days(-3))),
        assignee: Some(Some(OWNER.into())),
        ..Default::default()
    };
    super::update(state, &manager, &breach.number, &patch, None).await?;
    plan(
        state,
        &manager,
        &breach.number,
        "Publish the on-call rota and test it monthly",
        -2,
        30,
    )
    .await?;
    Ok(billing.number.clone())
}
