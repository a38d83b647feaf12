//! The demo's controlled documents (7.5) in every state, the scope and the
//! policy first, the policy read by most of the people it is distributed to.

use jiff::civil::Date;
use serde_json::json;
use steward_domain::register::Register;

use super::{People, actor, add, day, steps};
use crate::AppState;
use crate::error::AppResult;
use crate::registers;

pub(super) async fn load(state: &AppState, p: &People, t: Date) -> AppResult<()> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    let admin = "admin@northwind.example";
    // 7.5: thirty documents in every state. The first two are the scope and the policy.
    let distribution: Vec<String> = p.staff.iter().take(10).cloned().collect();
    let docs: [(&str, &str, &[&str], i64); 30] = [
        ("SMS scope statement", "scope", &["submit", "approve"], 180),
        (
            "Service management policy",
            "policy",
            &["submit", "approve"],
            180,
        ),
        (
            "Information security policy",
            "policy",
            &["submit", "approve"],
            120,
        ),
        ("Acceptable use policy", "policy", &["submit"], 60),
        ("Supplier management policy", "policy", &[], 60),
        (
            "Incident management process",
            "process",
            &["submit", "approve"],
            150,
        ),
        (
            "Service request process",
            "process",
            &["submit", "approve"],
            -20,
        ),
        ("Problem management process", "process", &["submit"], 90),
        (
            "Change management process",
            "process",
            &["submit", "approve"],
            200,
        ),
        ("Release and deployment process", "process", &[], 90),
        (
            "Service level management process",
            "process",
            &["submit", "approve"],
            100,
        ),
        (
            "Configuration management process",
            "process",
            &["submit", "approve"],
            -45,
        ),
        (
            "Business relationship process",
            "process",
            &["submit", "approve", "retire"],
            100,
        ),
        (
            "Major incident procedure",
            "procedure",
            &["submit", "approve"],
            150,
        ),
        (
            "Password reset procedure",
            "procedure",
            &["submit", "approve"],
            300,
        ),
        (
            "Backup and restore procedure",
            "procedure",
            &["submit", "approve"],
            -10,
        ),
        (
            "New starter procedure",
            "procedure",
            &["submit", "approve"],
            120,
        ),
        ("Leaver procedure", "procedure", &["submit", "approve"], 120),
        ("Escalation procedure", "procedure", &["submit"], 60),
        (
            "Emergency change procedure",
            "procedure",
            &["submit", "approve"],
            200,
        ),
        (
            "Customer complaint procedure",
            "procedure",
            &["submit", "approve"],
            80,
        ),
        (
            "Document control procedure",
            "procedure",
            &["submit", "approve"],
            250,
        ),
        (
            "Old fax support procedure",
            "procedure",
            &["submit", "approve", "retire"],
            100,
        ),
        ("SMS plan 2026-2027", "plan", &["submit", "approve"], 150),
        (
            "Service continuity plan",
            "plan",
            &["submit", "approve"],
            90,
        ),
        ("Capacity plan", "plan", &[], 90),
        ("Availability plan", "plan", &["submit", "approve"], 140),
        (
            "Internal audit report Q3",
            "record",
            &["submit", "approve"],
            365,
        ),
        (
            "Management review minutes 2026",
            "record",
            &["submit", "approve"],
            365,
        ),
        (
            "Supplier review Globex links",
            "record",
            &["submit", "approve"],
            -60,
        ),
    ];
    let mut policy = String::new();
    for (i, (title, category, taken, review_in)) in docs.into_iter().enumerate() {
        let mut input = json!({"title": title, "category": category, "owner": manager,
            "reviewer": admin, "review_on": day(t, review_in), "retention_months": 72,
            "description": format!("{title}: purpose, scope, roles, activities and records.")});
        if category == "policy" {
            input["distribution"] = json!(distribution);
        }
        if category == "scope" {
            input["services"] = json!((1..=10).map(|n| format!("SVC-{n:04}")).collect::<Vec<_>>());
            input["locations"] = json!("London head office; Manchester data centre");
            input["description"] = json!(
                "The SMS covers the design, transition, delivery and improvement of the ten services in the catalogue for all customers, from the London office and the Manchester data centre."
            );
        }
        if i == 9 || i == 25 {
            // Two drafts nobody has been asked to approve yet.
            input.as_object_mut().map(|o| o.remove("reviewer"));
        }
        let n = add(state, m, Register::Documents, 200, input).await?;
        steps(state, p, &n, taken).await?;
        if i == 1 {
            policy = n;
        }
    }
    // Eight of the ten people the policy is distributed to have read it.
    for email in distribution.iter().take(8) {
        let reader = actor(state, email).await?;
        registers::acknowledge(state, &reader, &policy).await?;
    }

    Ok(())
}
