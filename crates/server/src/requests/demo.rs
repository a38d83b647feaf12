//! The demo's catalogue and requests: four offerings (a laptop approved by
//! the requester's manager above a cost, access approved by a group,
//! password resets with nothing to approve, software approved by both) and
//! Acme's requests in every state.

use steward_domain::access::Visibility;
use steward_domain::form::FormSpec;

use super::{
    ApproverInput, DecisionInput, OfferingInput, RequestInput, RequestStepInput, TaskInput,
    TaskStepInput,
};
use crate::AppState;
use crate::complaints::demo::actor;
use crate::error::AppResult;

fn form(json: serde_json::Value) -> FormSpec {
    serde_json::from_value(json).unwrap_or_default()
}

fn approver(kind: &str, group: Option<&str>) -> ApproverInput {
    ApproverInput {
        kind: kind.into(),
        group: group.map(str::to_owned),
    }
}

fn task(title: &str, group: &str) -> TaskInput {
    TaskInput {
        title: title.into(),
        group: group.into(),
    }
}

/// Builds the catalogue and Acme's requests. `customer` (Kim) orders;
/// `customer_manager` (Nora) is her manager and approves; `agent` works the
/// tasks; `manager` builds the catalogue.
pub async fn load(
    state: &AppState,
    manager: &str,
    agent: &str,
    customer: &str,
    customer_manager: &str,
) -> AppResult<()> {
    let manager = actor(state, manager).await?;
    let agent = actor(state, agent).await?;
    let kim = actor(state, customer).await?;
    let nora = actor(state, customer_manager).await?;
    let admin = actor(state, "admin@northwind.example").await?;
    // Nora manages Kim.
    crate::admin::update_user(
        &state.store,
        &admin,
        kim.user_id,
        &crate::admin::UserPatch {
            manager: Some(customer_manager.into()),
            ..Default::default()
        },
    )
    .await?;
    let services = state.store.list_services(Visibility::All).await?;
    let service = |name: &str| {
        services
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.number.clone())
            .unwrap_or_default()
    };
    let calendars = state.store.list_calendars().await?;
    let office = calendars
        .iter()
        .find(|c| c.name.starts_with("London"))
        .or(calendars.first())
        .map_or(1, |c| c.id);
    let offerings = [
        OfferingInput {
            service: service("Workplace"),
            name: "New laptop".into(),
            description: "A standard laptop, imaged, enrolled and handed over.".into(),
            form: form(serde_json::json!({"fields": [
                {"key": "model", "label": "Model", "type": "choice", "required": true,
                 "options": ["14-inch standard", "16-inch performance"]},
                {"key": "quantity", "label": "How many", "type": "number", "required": true,
                 "help": "Above two, your manager approves."},
                {"key": "bag", "label": "With a bag", "type": "checkbox"},
                {"key": "bag_colour", "label": "Bag colour", "type": "choice", "required": true,
                 "options": ["Black", "Grey"], "shown_when": {"field": "bag"}},
                {"key": "needed_by", "label": "Needed by", "type": "date"}
            ]})),
            approvers: vec![approver("manager", None)],
            approval_above: Some(1_800),
            tasks: vec![
                task("Prepare and image the laptop", "Workplace Support"),
                task("Deliver and hand over", "Service Desk"),
            ],
            price: 900,
            target_minutes: 2_400,
            calendar: office,
            ..Default::default()
        },
        OfferingInput {
            service: service("ERP"),
            name: "Access to ERP".into(),
            description: "A role in the ERP, approved by Application Support.".into(),
            form: form(serde_json::json!({"fields": [
                {"key": "role", "label": "Role", "type": "choice", "required": true,
                 "options": ["Purchasing", "Sales", "Finance read-only"]},
                {"key": "reason", "label": "Why it is needed", "type": "text", "required": true},
                {"key": "until", "label": "Until", "type": "date",
                 "help": "Empty: until revoked."}
            ]})),
            approvers: vec![approver("group", Some("Application Support"))],
            tasks: vec![task("Grant the ERP role", "Application Support")],
            target_minutes: 480,
            calendar: office,
            ..Default::default()
        },
        OfferingInput {
            service: service("Identity and access"),
            name: "Password reset".into(),
            description: "A new temporary password, sent to your phone.".into(),
            form: form(serde_json::json!({"fields": [
                {"key": "account", "label": "Account", "type": "text", "required": true},
                {"key": "phone", "label": "Mobile number for the temporary password",
                 "type": "text", "required": true}
            ]})),
            target_minutes: 60,
            calendar: office,
            ..Default::default()
        },
        OfferingInput {
            service: service("Workplace"),
            name: "Software installation".into(),
            description: "Licensed software installed on your laptop.".into(),
            form: form(serde_json::json!({"fields": [
                {"key": "software", "label": "Software", "type": "text", "required": true},
                {"key": "licence", "label": "We already hold a licence", "type": "checkbox"}
            ]})),
            approvers: vec![
                approver("manager", None),
                approver("group", Some("Workplace Support")),
            ],
            approval_mode: Some("all".into()),
            tasks: vec![
                task("Check the licence", "Application Support"),
                task("Install the software", "Workplace Support"),
            ],
            sequential: Some(false),
            target_minutes: 960,
            calendar: office,
            ..Default::default()
        },
    ];
    let mut numbers = Vec::new();
    for o in &offerings {
        numbers.push(super::create_offering(state, &manager, o).await?.number);
    }
    let order = |offering: &str, answers: serde_json::Value, description: &str| RequestInput {
        offering: offering.to_owned(),
        answers: answers.as_object().cloned().unwrap_or_default(),
        description: description.into(),
        requested_for: None,
    };
    let decide = |yes: bool| DecisionInput {
        decision: if yes { "approve" } else { "reject" }.into(),
    };
    let done = |action: &str, note: &str| TaskStepInput {
        action: action.into(),
        note: Some(note.into()),
    };
    let requests = [
        // Awaiting Nora's approval: three laptops cost 2,700.
        order(
            &numbers[0],
            serde_json::json!({"model": "14-inch standard", "quantity": 3, "bag": true,
                               "bag_colour": "Black"}),
            "For the three new starters in purchasing.",
        ),
        // Approved by Application Support, being fulfilled.
        order(
            &numbers[1],
            serde_json::json!({"role": "Purchasing", "reason": "Covering for Lena in May."}),
            "",
        ),
        // Nothing to approve, fulfilled by the service desk.
        order(
            &numbers[2],
            serde_json::json!({"account": "kim.becker", "phone": "+49 170 0000000"}),
            "",
        ),
        // One laptop: no approval, fulfilled by its two tasks.
        order(
            &numbers[0],
            serde_json::json!({"model": "16-inch performance", "quantity": 1}),
            "Replacement for a broken screen.",
        ),
        // Rejected by Nora.
        order(
            &numbers[3],
            serde_json::json!({"software": "Photo editor", "licence": false}),
            "",
        ),
        // Cancelled by Kim.
        order(
            &numbers[2],
            serde_json::json!({"account": "kim.becker", "phone": "+49 170 0000000"}),
            "Found my password again.",
        ),
    ];
    let mut made = Vec::new();
    for r in &requests {
        made.push(super::create(state, &kim, r).await?.number.clone());
    }
    super::decide(state, &agent, &made[1], &decide(true), None).await?;
    let step = |action: &str, note: &str| RequestStepInput {
        action: action.into(),
        note: Some(note.into()),
    };
    super::step(
        state,
        &agent,
        &made[2],
        &step("fulfil", "Temporary password sent by text message."),
        None,
    )
    .await?;
    let laptop = state.store.request(&made[3]).await?;
    for t in state.store.request_tasks(laptop.id).await? {
        super::task_step(
            state,
            &agent,
            &t.number,
            &done("complete", "Done and signed for."),
            None,
        )
        .await?;
    }
    super::decide(state, &nora, &made[4], &decide(false), None).await?;
    super::step(
        state,
        &kim,
        &made[5],
        &step("cancel", "Found my password again."),
        None,
    )
    .await?;
    Ok(())
}
