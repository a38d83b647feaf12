//! The demo's roles with their people and RACI (5.3) and the training
//! records of its staff (7.2).

use jiff::civil::Date;
use serde_json::json;
use steward_domain::register::Register;

use super::{People, add, day};
use crate::AppState;
use crate::error::AppResult;

pub(super) async fn load(state: &AppState, p: &People) -> AppResult<()> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    // 5.3: roles with their people and RACI.
    let s = |i: usize| {
        p.staff
            .get(i % p.staff.len().max(1))
            .cloned()
            .unwrap_or_default()
    };
    for (title, holders, raci) in [
        (
            "SMS manager",
            vec![manager.to_owned()],
            json!({"4.4": "A", "9.2": "R", "9.3": "R", "10.2": "A"}),
        ),
        (
            "Service owner",
            vec![s(1), s(2)],
            json!({"8.2.4": "A", "8.3.3": "R"}),
        ),
        (
            "Incident manager",
            vec![s(3)],
            json!({"8.6.1": "A", "8.6.3": "C"}),
        ),
        (
            "Service desk lead",
            vec![s(4)],
            json!({"8.6.1": "R", "8.6.2": "A"}),
        ),
        (
            "Problem manager",
            vec![s(5)],
            json!({"8.6.3": "A", "8.6.1": "C"}),
        ),
        (
            "Change manager",
            vec![s(6)],
            json!({"8.5.1.1": "A", "8.5.1.2": "A", "8.5.3": "R"}),
        ),
        ("Supplier manager", vec![], json!({"8.3.4.1": "A"})),
        (
            "Information security manager",
            vec![s(7)],
            json!({"8.7.3.1": "A", "8.7.3.3": "A", "6.1": "C"}),
        ),
    ] {
        add(
            state,
            m,
            Register::Roles,
            100,
            json!({"title": title, "holders": holders, "raci": raci}),
        )
        .await?;
    }

    Ok(())
}

/// Competence and training (7.2).
pub(super) async fn training(state: &AppState, p: &People, t: Date) -> AppResult<()> {
    let m = &p.manager;
    // 7.2: competence and training.
    let courses = [
        ("ITIL 4 Foundation", 700),
        ("Incident management workshop", 365),
        ("Information security awareness", 365),
    ];
    for (i, email) in p.staff.iter().take(10).enumerate() {
        let (course, valid) = courses[i % courses.len()];
        let input = if i == 7 || i == 8 {
            json!({"title": course, "person": email, "status": "planned"})
        } else if i == 9 {
            // Completed long ago, now expired.
            json!({"title": course, "person": email, "status": "completed",
                   "done_on": day(t, -500), "review_on": day(t, -35)})
        } else {
            json!({"title": course, "person": email, "status": "completed",
                   "done_on": day(t, -30 - i as i64 * 20), "review_on": day(t, valid - 30)})
        };
        add(state, m, Register::Training, 0, input).await?;
    }

    Ok(())
}
