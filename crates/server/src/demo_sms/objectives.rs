//! The demo's objectives (6.2), four measured by Steward with twelve weeks
//! of history, and its SMS plan (6.3).

use jiff::civil::Date;
use serde_json::json;
use steward_domain::register::Register;

use super::{People, add, day};
use crate::AppState;
use crate::error::AppResult;
use crate::registers;

pub(super) async fn load(state: &AppState, p: &People, t: Date) -> AppResult<Vec<String>> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    let admin = "admin@northwind.example";
    // 6.2: objectives, four measured by Steward, two by hand.
    let mut measured = Vec::new();
    for (title, measure, target, owner) in [
        (
            "Resolve incidents within target",
            "incidents_resolved_in_time",
            90,
            Some(manager),
        ),
        (
            "Answer incidents within target",
            "incidents_responded_in_time",
            90,
            Some(manager),
        ),
        (
            "Document every resolution",
            "resolutions_documented",
            98,
            Some(admin),
        ),
        (
            "Keep customers informed",
            "customers_kept_informed",
            85,
            None,
        ),
    ] {
        // Timeliness is quality; documenting resolutions builds capability.
        let dimension = if measure == "resolutions_documented" {
            "capability"
        } else {
            "quality"
        };
        let mut input = json!({"title": title, "measure": measure, "target": target, "unit": "%",
            "direction": "at_least", "due_on": day(t, 200), "category": dimension});
        if let Some(o) = owner {
            input["owner"] = json!(o);
        }
        measured.push(add(state, m, Register::Objectives, 0, input).await?);
    }
    add(
        state,
        m,
        Register::Objectives,
        0,
        json!({"title": "Customer satisfaction of at least 4.2 of 5", "category": "value",
        "target": 4.2, "actual": 4.4, "unit": "score", "direction": "at_least",
        "owner": manager, "due_on": day(t, 365)}),
    )
    .await?;
    let cost = add(
        state,
        m,
        Register::Objectives,
        0,
        json!({"title": "Cost per incident at most 14 EUR", "category": "cost",
        "target": 14, "actual": 15.2, "unit": "EUR", "direction": "at_most",
        "owner": admin, "due_on": day(t, 300)}),
    )
    .await?;

    // 6.3: the SMS plan, two items overdue; its sections on limitations,
    // other parties and technology still empty.
    for (title, section, due_in, status, entered) in [
        (
            "Define and approve the SMS scope",
            "service_requirements",
            10,
            "done",
            300,
        ),
        (
            "Publish the service management policy",
            "obligations",
            30,
            "done",
            300,
        ),
        (
            "Set up the service catalogue",
            "service_requirements",
            60,
            "done",
            250,
        ),
        (
            "Run the first internal audit",
            "measurement",
            -15,
            "in_progress",
            200,
        ),
        (
            "Management review of the first year",
            "measurement",
            45,
            "planned",
            100,
        ),
        (
            "Introduce problem management",
            "process_integration",
            -30,
            "planned",
            200,
        ),
        (
            "Train all agents on the new incident process",
            "resources",
            20,
            "in_progress",
            60,
        ),
        (
            "Agree the risk appetite with the board",
            "risk_approach",
            40,
            "planned",
            90,
        ),
        (
            "Evaluate a second data centre",
            "technology",
            90,
            "cancelled",
            100,
        ),
    ] {
        add(
            state,
            m,
            Register::Plan,
            entered,
            json!({"title": title, "category": section, "owner": manager,
            "due_on": day(t, due_in), "status": status, "objectives": [cost.clone()]}),
        )
        .await?;
    }

    Ok(measured)
}

/// The measured objectives' history: twelve weekly values around today's.
pub(super) async fn history(state: &AppState, t: Date) -> AppResult<()> {
    registers::record_objective_values(state).await?;
    let page = state
        .store
        .sms_records(Register::Objectives, None, 100)
        .await?;
    for week in 1..=12i64 {
        let d = day(t, -7 * week);
        let values: Vec<(i64, f64)> = page
            .iter()
            .filter(|r| r.text("measure").is_some())
            .map(|r| {
                let base = match r.value("actual") {
                    steward_store::FieldValue::Real(x) => *x,
                    _ => 80.0,
                };
                let wobble = ((week * 37 + r.id * 11) % 9) as f64 - 4.0;
                (r.id, (base - week as f64 * 0.4 + wobble).clamp(0.0, 100.0))
            })
            .collect();
        state.store.record_objective_history(&d, &values).await?;
    }
    Ok(())
}
