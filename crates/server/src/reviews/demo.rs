//! The demo's management reviews: last quarter's, held and closed with its
//! decisions and two actions (one done, one open), and this quarter's,
//! planned for the end of the quarter.

use super::{ReviewInput, ReviewPatch, ReviewStepInput};
use crate::AppState;
use crate::actions::{self, ActionInput, ActionStepInput};
use crate::complaints::demo::{actor, in_days};
use crate::error::AppResult;

/// `YYYY-Qn` of the quarter `back` quarters before today's.
fn quarter(back: i32) -> String {
    let today = crate::registers::today();
    let index = i32::from(today.year()) * 4 + (i32::from(today.month()) - 1) / 3 - back;
    format!("{}-Q{}", index / 4, index % 4 + 1)
}

pub async fn load(state: &AppState, manager: &str) -> AppResult<()> {
    let m = actor(state, manager).await?;
    let last = super::create(
        state,
        &m,
        &ReviewInput {
            title: "Management review, last quarter".into(),
            description:
                "The input pack; the actions of the previous review; objectives for next year."
                    .into(),
            period: quarter(1),
            target_date: Some(in_days(-45)),
            attendees: Some(
                "Managing director, SMS manager, service owners, security manager".into(),
            ),
            assignee: Some(manager.into()),
            ..Default::default()
        },
    )
    .await?;
    let plan = |title: &str, due: i64| ActionInput {
        title: title.into(),
        parent: Some(last.number.clone()),
        assignee: Some(manager.into()),
        target_date: Some(in_days(due)),
        ..Default::default()
    };
    let done = actions::create(
        state,
        &m,
        &plan("Add a second on-call engineer at weekends", -10),
    )
    .await?;
    actions::create(state, &m, &plan("Agree an OLA with the network team", 20)).await?;
    actions::step(
        state,
        &m,
        &done.number,
        &ActionStepInput {
            action: "complete".into(),
            outcome: Some("Rota changed from the first weekend of the month.".into()),
            review: None,
        },
        None,
    )
    .await?;
    super::update(
        state,
        &m,
        &last.number,
        &ReviewPatch {
            decisions: Some("1. Weekend cover is not enough: add a second on-call engineer.\n2. Network changes keep breaching resolution targets: agree an OLA with the network team.\n3. Objectives stay as they are for the next quarter.".into()),
            ..Default::default()
        },
        None,
    )
    .await?;
    for (action, minutes) in [
        (
            "hold",
            Some(
                "The pack was presented by the SMS manager; satisfaction is above target, resolution times are not at weekends.",
            ),
        ),
        ("close", None),
    ] {
        super::step(
            state,
            &m,
            &last.number,
            &ReviewStepInput {
                action: action.into(),
                minutes: minutes.map(str::to_owned),
                reason: None,
            },
            None,
        )
        .await?;
    }
    super::create(
        state,
        &m,
        &ReviewInput {
            title: "Management review, this quarter".into(),
            period: quarter(0),
            target_date: Some(in_days(25)),
            assignee: Some(manager.into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
