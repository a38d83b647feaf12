//! The demo's complaints: one a customer raised that waits for the service
//! desk, one raised on a customer's behalf and answered, one closed.

use steward_domain::access::{Actor, Visibility};
use steward_store::IncidentFilter;

use super::{ComplaintInput, ComplaintPatch, ComplaintStepInput};
use crate::AppState;
use crate::error::AppResult;
pub(crate) use crate::views::in_days;

pub(crate) async fn actor(state: &AppState, email: &str) -> AppResult<Actor> {
    let u = state.store.user_by_email(email).await?;
    Ok(Actor {
        user_id: u.id,
        role: u.role(),
        org_id: u.org_id,
        name: u.name.clone(),
    })
}

async fn step(
    state: &AppState,
    by: &Actor,
    number: &str,
    action: &str,
    text: &str,
) -> AppResult<()> {
    let input = ComplaintStepInput {
        action: action.into(),
        response: Some(text.into()),
    };
    super::step(state, by, number, &input, None).await?;
    Ok(())
}

/// Records the demo's complaints, against services the customers receive;
/// the number of the answered one, which led to a nonconformity.
pub async fn load(
    state: &AppState,
    manager_email: &str,
    customer_email: &str,
) -> AppResult<Option<String>> {
    let manager = actor(state, manager_email).await?;
    let customer = actor(state, customer_email).await?;
    let seen = state
        .store
        .list_incidents(
            Visibility::Organisation(customer.org_id),
            &IncidentFilter::default(),
            steward_store::IncidentOrder::Newest,
            None,
            1,
        )
        .await?;
    let Some(service) = seen.items.first().map(|i| i.service_number.clone()) else {
        return Ok(None);
    };
    let raise = |title: &str, description: &str, caller: Option<&str>| ComplaintInput {
        title: title.into(),
        description: description.into(),
        service: Some(service.clone()),
        caller: caller.map(str::to_owned),
        ..Default::default()
    };
    // Waiting for the service desk: raised by the customer, owner and target set.
    let open = super::create(
        state,
        &customer,
        &raise(
            "Nobody called back about the outage",
            "We were promised a call within the hour during last week's outage. Nobody called.",
            None,
        ),
    )
    .await?;
    let patch = ComplaintPatch {
        assignee: Some(Some(manager_email.into())),
        target_date: Some(Some(in_days(5))),
        ..Default::default()
    };
    super::update(state, &manager, &open.number, &patch, None).await?;
    // Answered on the customer's behalf.
    let answered = super::create(
        state,
        &manager,
        &raise(
            "Invoices were sent to the wrong address",
            "Reported by phone: three invoices went to the old office.",
            Some(customer_email),
        ),
    )
    .await?;
    step(state, &manager, &answered.number, "acknowledge", "").await?;
    step(
        state,
        &manager,
        &answered.number,
        "respond",
        "We corrected the billing address and re-sent the three invoices; the change is checked at every address update now.",
    )
    .await?;
    // Closed after the customer accepted the answer.
    let closed = super::create(
        state,
        &customer,
        &raise(
            "Maintenance window announced too late",
            "The e-mail came two hours before the window.",
            None,
        ),
    )
    .await?;
    step(
        state,
        &manager,
        &closed.number,
        "respond",
        "Maintenance windows are now announced five working days ahead.",
    )
    .await?;
    step(state, &manager, &closed.number, "close", "").await?;
    Ok(Some(answered.number.clone()))
}
