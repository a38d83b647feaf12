//! The demo's risks and opportunities (6.1).

use jiff::civil::Date;
use serde_json::json;
use steward_domain::register::Register;

use super::{People, add, day};
use crate::AppState;
use crate::error::AppResult;

pub(super) async fn load(
    state: &AppState,
    p: &People,
    t: Date,
    measured: &[String],
) -> AppResult<()> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    let admin = "admin@northwind.example";
    // 6.1: twenty risks and opportunities.
    const RISKS: [(&str, &str, i64, i64, &str, i64); 20] = [
        ("Data centre power failure", "risk", 2, 5, "reduce", 90),
        ("Ransomware on the ERP servers", "risk", 3, 5, "reduce", 60),
        (
            "Key agent leaves the service desk",
            "risk",
            4,
            3,
            "reduce",
            30,
        ),
        (
            "Supplier of network links goes bankrupt",
            "risk",
            1,
            4,
            "transfer",
            120,
        ),
        (
            "Change without approval breaks the shop",
            "risk",
            3,
            4,
            "reduce",
            -10,
        ),
        ("Backups not restorable", "risk", 2, 5, "none", 45),
        (
            "Phishing steals agent credentials",
            "risk",
            4,
            4,
            "none",
            20,
        ),
        (
            "Licence audit finds under-licensing",
            "risk",
            2,
            3,
            "accept",
            200,
        ),
        (
            "Capacity of the mail service exceeded",
            "risk",
            3,
            3,
            "reduce",
            75,
        ),
        (
            "Customer data sent to the wrong customer",
            "risk",
            2,
            4,
            "reduce",
            -40,
        ),
        ("Cloud provider outage", "risk", 2, 4, "accept", 150),
        (
            "Single administrator knows the firewall",
            "risk",
            3,
            4,
            "reduce",
            30,
        ),
        (
            "Contract with Globex not renewed",
            "risk",
            2,
            4,
            "reduce",
            100,
        ),
        (
            "Regulatory fine for late breach report",
            "risk",
            1,
            5,
            "avoid",
            180,
        ),
        ("Knowledge base out of date", "risk", 4, 2, "reduce", 60),
        (
            "Reopened incidents hide poor fixes",
            "risk",
            3,
            2,
            "accept",
            90,
        ),
        (
            "Automate password resets",
            "opportunity",
            4,
            3,
            "exploit",
            60,
        ),
        (
            "Offer 24x7 support as a paid option",
            "opportunity",
            3,
            4,
            "exploit",
            120,
        ),
        (
            "Consolidate two monitoring tools",
            "opportunity",
            3,
            2,
            "exploit",
            90,
        ),
        (
            "Self-service portal reduces calls",
            "opportunity",
            4,
            4,
            "exploit",
            -5,
        ),
    ];
    for (i, (title, category, likelihood, impact, treatment, review_in)) in
        RISKS.into_iter().enumerate()
    {
        let plan = if treatment == "none" {
            ""
        } else {
            "Owner reports progress at the monthly SMS meeting."
        };
        add(
            state,
            m,
            Register::Risks,
            120,
            json!({"title": title, "category": category,
            "likelihood": likelihood, "impact": impact, "treatment": treatment,
            "treatment_plan": plan, "owner": if i % 3 == 0 { admin } else { manager },
            "review_on": day(t, review_in), "services": [format!("SVC-{:04}", i % 10 + 1)],
            "objectives": if i % 4 == 0 { vec![measured[0].clone()] } else { vec![] }}),
        )
        .await?;
    }

    Ok(())
}
