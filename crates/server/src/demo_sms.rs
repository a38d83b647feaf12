//! The demo's service management system: scope, policies, objectives, plan,
//! roles, risks, documents in every state, training, context, interested
//! parties and the communication plan. Entered through the same operations
//! as the UI, some "months ago", so that the conformity view shows a
//! believable mix of met and not met.

use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Map, Value, json};
use steward_domain::access::Actor;
use steward_domain::register::Register;

use crate::AppState;
use crate::error::AppResult;
use crate::registers::{self, context, create_with, today};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn day(d: Date, days: i64) -> String {
    d.checked_add(days.days()).unwrap_or(d).to_string()
}

struct People {
    admin: Actor,
    manager: Actor,
    staff: Vec<String>,
}

async fn actor(state: &AppState, email: &str) -> AppResult<Actor> {
    Ok(state.store.user_by_email(email).await?.actor())
}

/// Creates a record as `by`, as if entered `days_ago` days ago.
async fn add(
    state: &AppState,
    by: &Actor,
    register: Register,
    days_ago: i64,
    input: Value,
) -> AppResult<String> {
    let mut ctx = context(state);
    ctx.today = day(ctx.today, -days_ago).parse().unwrap_or(ctx.today);
    Ok(create_with(state, by, register, &obj(input), ctx)
        .await?
        .number)
}

async fn steps(state: &AppState, p: &People, number: &str, steps: &[&str]) -> AppResult<()> {
    for step in steps {
        let by = if *step == "approve" || *step == "reject" {
            &p.admin
        } else {
            &p.manager
        };
        registers::step(state, by, number, step, None).await?;
    }
    Ok(())
}

pub async fn load(state: &AppState, staff_emails: Vec<String>) -> AppResult<()> {
    let p = People {
        admin: actor(state, "admin@northwind.example").await?,
        manager: actor(state, "manager@northwind.example").await?,
        staff: staff_emails,
    };
    let t = today();
    let m = &p.manager;
    let manager = "manager@northwind.example";
    let admin = "admin@northwind.example";

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
        steps(state, &p, &n, taken).await?;
        if i == 1 {
            policy = n;
        }
    }
    // Eight of the ten people the policy is distributed to have read it.
    for email in distribution.iter().take(8) {
        let reader = actor(state, email).await?;
        registers::acknowledge(state, &reader, &policy).await?;
    }

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

    // The measured objectives' history: twelve weekly values around today's.
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

/// The demo's service levels: the London office calendar with the English
/// bank holidays of 2026 and 2027, a 24x7 calendar, a standard SLA for every
/// customer, a premium SLA for Acme, one for Globex's e-mail, and an OLA with
/// the service desk.
pub async fn load_service_levels(state: &AppState) -> AppResult<()> {
    use crate::agreements::{AgreementInput, TargetInput};
    use steward_domain::calendar::{CalendarSpec, Holiday};
    let admin = actor(state, "admin@northwind.example").await?;
    let office: Vec<String> = vec!["08:00-18:00".into()];
    let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"];
    let holidays = [
        ("2026-12-25", "Christmas Day"),
        ("2026-12-28", "Boxing Day (substitute)"),
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-03", "Early May bank holiday"),
        ("2027-05-31", "Spring bank holiday"),
        ("2027-08-30", "Summer bank holiday"),
        ("2027-12-27", "Christmas Day (substitute)"),
        ("2027-12-28", "Boxing Day (substitute)"),
    ];
    let london = crate::calendars::create(
        state,
        &admin,
        &CalendarSpec {
            name: "London office hours".into(),
            time_zone: "Europe/London".into(),
            week: weekdays
                .iter()
                .map(|d| ((*d).to_owned(), office.clone()))
                .collect(),
            holidays: holidays
                .iter()
                .map(|(d, n)| Holiday {
                    date: (*d).into(),
                    name: (*n).into(),
                })
                .collect(),
            exceptions: Vec::new(),
        },
    )
    .await?;
    let always = crate::calendars::create(
        state,
        &admin,
        &CalendarSpec {
            name: "Around the clock".into(),
            time_zone: "UTC".into(),
            week: [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ]
            .iter()
            .map(|d| ((*d).to_owned(), vec!["00:00-24:00".to_owned()]))
            .collect(),
            ..Default::default()
        },
    )
    .await?;
    let targets = |t: [(i64, i64); 5]| {
        t.iter()
            .enumerate()
            .map(|(i, (r, s))| {
                (
                    format!("P{}", i + 1),
                    TargetInput {
                        response_minutes: *r,
                        resolution_minutes: *s,
                    },
                )
            })
            .collect()
    };
    let year_ago = day(today(), -365);
    let agreements = [
        AgreementInput {
            kind: "sla".into(),
            title: "Standard service levels".into(),
            calendar: london.stored.id,
            valid_from: year_ago.clone(),
            status: Some("agreed".into()),
            owner: Some("manager@northwind.example".into()),
            review_on: Some(day(today(), 60)),
            targets: targets([(30, 480), (60, 960), (240, 1920), (480, 4800), (960, 9600)]),
            ..Default::default()
        },
        AgreementInput {
            kind: "sla".into(),
            title: "Acme premium, around the clock".into(),
            customer: Some("Acme Manufacturing".into()),
            calendar: always.stored.id,
            valid_from: year_ago.clone(),
            status: Some("agreed".into()),
            owner: Some("manager@northwind.example".into()),
            review_on: Some(day(today(), 200)),
            targets: targets([(15, 240), (30, 480), (120, 1440), (240, 4320), (480, 7200)]),
            ..Default::default()
        },
        AgreementInput {
            kind: "sla".into(),
            title: "Globex e-mail".into(),
            customer: Some("Globex Retail".into()),
            services: vec!["SVC-0001".into()],
            calendar: london.stored.id,
            valid_from: year_ago.clone(),
            status: Some("draft".into()),
            owner: Some("admin@northwind.example".into()),
            targets: targets([(15, 240), (30, 480), (120, 960), (240, 2880), (480, 4800)]),
            ..Default::default()
        },
        AgreementInput {
            kind: "ola".into(),
            title: "Service desk first line".into(),
            group: Some("Service Desk".into()),
            calendar: london.stored.id,
            valid_from: year_ago,
            status: Some("agreed".into()),
            owner: Some("manager@northwind.example".into()),
            targets: targets([(10, 120), (20, 240), (60, 480), (240, 1440), (480, 2880)]),
            ..Default::default()
        },
    ];
    for a in &agreements {
        crate::agreements::create(state, &admin, a).await?;
    }
    Ok(())
}
