//! The demo's context issues and interested parties (4.1, 4.2) and its
//! communication plan (7.4).

use jiff::civil::Date;
use serde_json::json;
use steward_domain::register::Register;

use super::{People, add, day};
use crate::AppState;
use crate::error::AppResult;

pub(super) async fn load(state: &AppState, p: &People, t: Date) -> AppResult<()> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    // 4.1 and 4.2: context and interested parties.
    for (title, category, review_in) in [
        ("Customers move workloads to public cloud", "external", 120),
        ("Service desk staff turnover", "internal", 60),
        (
            "New NIS2 security obligations for our customers",
            "external",
            200,
        ),
        ("ERP vendor support ends in 2027", "internal", 90),
        ("Energy prices raise data-centre costs", "external", -20),
    ] {
        add(
            state,
            m,
            Register::Context,
            200,
            json!({"title": title, "category": category,
            "owner": manager, "review_on": day(t, review_in)}),
        )
        .await?;
    }
    for (title, category, requirements) in [
        (
            "Customers",
            "external",
            "Agreed service levels, clear reports, one point of contact.",
        ),
        (
            "Staff",
            "internal",
            "Clear roles, training, manageable workload.",
        ),
        (
            "Suppliers",
            "external",
            "Timely payment, forecasts of demand.",
        ),
        (
            "Data protection authority",
            "external",
            "Personal data handled lawfully; breaches reported in 72 hours.",
        ),
        (
            "Top management",
            "internal",
            "Services profitable and within risk appetite.",
        ),
    ] {
        add(
            state,
            m,
            Register::Parties,
            200,
            json!({"title": title, "category": category,
            "requirements": requirements, "owner": manager, "review_on": day(t, 150)}),
        )
        .await?;
    }

    Ok(())
}

/// The communication plan (7.4).
pub(super) async fn communications(state: &AppState, p: &People) -> AppResult<()> {
    let m = &p.manager;
    let manager = "manager@northwind.example";
    let admin = "admin@northwind.example";
    // 7.4: the communication plan.
    for (title, audience, frequency, channel, owner) in [
        (
            "Service review",
            "Customer service managers",
            "Monthly",
            "Meeting and report",
            Some(manager),
        ),
        (
            "SMS performance report",
            "Top management",
            "Quarterly",
            "Report",
            Some(manager),
        ),
        (
            "Major incident notification",
            "Affected customers",
            "Within 30 minutes of a major incident",
            "E-mail and status page",
            Some(admin),
        ),
        (
            "Change calendar",
            "Staff and customers",
            "Weekly",
            "Portal",
            None,
        ),
        (
            "Policy awareness briefing",
            "All staff",
            "Yearly and on change",
            "Team meeting",
            Some(manager),
        ),
    ] {
        let mut input = json!({"title": title, "audience": audience, "frequency": frequency, "channel": channel});
        if let Some(o) = owner {
            input["owner"] = json!(o);
        }
        add(state, m, Register::Communications, 0, input).await?;
    }

    Ok(())
}
