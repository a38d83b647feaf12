//! Realistic demo data: a provider, three customers, ten services, thirty
//! users in every role, a few thousand incidents over the last 90 days, and
//! the service management system's records (`demo_sms`).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use steward_domain::incident::{HoldReason, Lifecycle, ResolutionCode, Transition};
use steward_domain::priority::Level;
use steward_store::{
    AuditActor, ImportedComment, ImportedIncident, IncidentFields, NewIncident, now_ms,
};

use crate::AppState;
use crate::admin::{self, GroupInput, OrgInput, UserInput};
use crate::auth;
use crate::catalogue::{self, ServiceInput};
use crate::error::{AppError, AppResult};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_AGENT: &str = "agent@northwind.example";

const CUSTOMERS: [(&str, &str, &str); 3] = [
    ("Acme Manufacturing", "Europe/Berlin", "acme.example"),
    ("Globex Retail", "America/New_York", "globex.example"),
    ("Initech Finance", "Europe/Paris", "initech.example"),
];

const SERVICES: [(&str, &str, &[usize]); 10] = [
    (
        "E-mail and calendar",
        "Mailboxes, shared calendars and mobile mail.",
        &[0, 1, 2],
    ),
    (
        "Service desk",
        "Single point of contact, 07:00-19:00 on working days.",
        &[0, 1, 2],
    ),
    (
        "ERP",
        "Order-to-cash and procurement on the hosted ERP platform.",
        &[0, 2],
    ),
    (
        "Network and VPN",
        "Site networks, Wi-Fi and remote access.",
        &[0, 1, 2],
    ),
    (
        "Workplace",
        "Laptops, desktops, printers and their software.",
        &[0, 1],
    ),
    ("Web hosting", "Public web sites and shops.", &[1]),
    (
        "Backup and restore",
        "Nightly backups with 30-day retention.",
        &[0, 1, 2],
    ),
    (
        "Identity and access",
        "Accounts, passwords, single sign-on, MFA.",
        &[0, 1, 2],
    ),
    (
        "Telephony",
        "Desk phones, softphones and call centre lines.",
        &[1, 2],
    ),
    ("Data warehouse", "Reporting and analytics platform.", &[2]),
];

const PROBLEMS: [&[&str]; 10] = [
    &[
        "Cannot send e-mail",
        "Outlook keeps asking for my password",
        "Shared calendar not visible",
        "Mail stuck in outbox",
        "Mobile mail stopped syncing",
    ],
    &[
        "Phone line to the service desk busy",
        "Ticket portal shows an error",
        "Need an update on my request",
    ],
    &[
        "ERP order entry very slow",
        "Invoice run failed overnight",
        "Cannot post goods receipt",
        "ERP login error",
    ],
    &[
        "VPN disconnects every few minutes",
        "Wi-Fi on 3rd floor down",
        "Branch office has no network",
        "Cannot reach file share over VPN",
    ],
    &[
        "Laptop does not boot",
        "Printer on 2nd floor jams",
        "Screen flickers",
        "Software installation needed",
        "Laptop very slow after update",
    ],
    &[
        "Web shop returns error 502",
        "Certificate warning on web site",
        "Product images not loading",
    ],
    &[
        "Restore of deleted folder needed",
        "Backup job failed on file server",
        "Restore request for mailbox",
    ],
    &[
        "Account locked",
        "MFA app lost",
        "New starter needs access",
        "Password reset not working",
        "Single sign-on loops",
    ],
    &[
        "Desk phone has no dial tone",
        "Call centre queue not routing",
        "Voicemail not working",
    ],
    &[
        "Dashboard shows yesterday's data",
        "Report export times out",
        "Data load failed",
    ],
];

const STAFF_REPLIES: [&str; 4] = [
    "Thanks for reporting this, we are looking into it.",
    "Could you tell us when this started and whether colleagues see it too?",
    "We applied a fix. Please check whether it works for you now.",
    "We are waiting for the supplier to confirm the root cause.",
];

const CUSTOMER_REPLIES: [&str; 3] = [
    "It started this morning; two colleagues have the same issue.",
    "Works again, thank you!",
    "Still happening on my machine after a restart.",
];

const NOTES: [&str; 4] = [
    "Checked the logs: authentication errors since 08:12.",
    "Escalated to the platform team, vendor case opened.",
    "Likely linked to last night's change; rolled back on the test system first.",
    "Workaround documented in the knowledge base.",
];

/// What the demo created, for the start-up banner.
pub struct DemoSummary {
    pub incidents: usize,
    pub users: usize,
}

/// Loads the demo unless the database already has a provider organisation.
/// Returns `None` when data was already there.
pub async fn load(state: &AppState, incidents: usize) -> AppResult<Option<DemoSummary>> {
    if state.store.provider_org().await?.is_some() {
        return Ok(None);
    }
    let store = &state.store;
    let by = AuditActor::system("demo");
    let org = |name: &str, kind: &str, tz: &str| OrgInput {
        name: name.into(),
        kind: Some(kind.into()),
        time_zone: Some(tz.into()),
    };
    admin::create_org(
        store,
        &by,
        &org("Northwind IT Services", "provider", "Europe/London"),
    )
    .await?;
    let mut customer_ids = Vec::new();
    for (name, tz, _) in CUSTOMERS {
        customer_ids.push(
            admin::create_org(store, &by, &org(name, "customer", tz))
                .await?
                .id,
        );
    }

    // One hash for every demo account keeps start-up quick; real accounts each get their own.
    let hash = auth::hash_password(DEMO_PASSWORD.to_owned()).await?;
    let mut staff = Vec::new();
    let add = |email: String, name: String, role: &str, organisation: Option<&str>| UserInput {
        email,
        name,
        role: role.into(),
        organisation: organisation.map(str::to_owned),
        password: None,
    };
    let mut inputs = vec![
        add(
            "admin@northwind.example".into(),
            "Ada Admin".into(),
            "admin",
            None,
        ),
        add(DEMO_AGENT.into(), "Alex Agent".into(), "agent", None),
        add(
            "manager@northwind.example".into(),
            "Morgan Manager".into(),
            "manager",
            None,
        ),
        add(
            "auditor@northwind.example".into(),
            "Avery Auditor".into(),
            "auditor",
            None,
        ),
        add(
            "auditor2@northwind.example".into(),
            "Sam External-Auditor".into(),
            "auditor",
            None,
        ),
    ];
    let agent_names = [
        "Bea Ortiz",
        "Chen Wei",
        "Dana Novak",
        "Eli Haddad",
        "Fay Okafor",
        "Gus Lindqvist",
        "Hana Sato",
    ];
    for (i, n) in agent_names.iter().enumerate() {
        inputs.push(add(
            format!("agent{}@northwind.example", i + 2),
            (*n).into(),
            "agent",
            None,
        ));
    }
    for (i, n) in ["Ira Petrov", "Jo Mensah"].iter().enumerate() {
        inputs.push(add(
            format!("manager{}@northwind.example", i + 2),
            (*n).into(),
            "manager",
            None,
        ));
    }
    let customer_names = [
        "Kim Becker",
        "Lena Vogel",
        "Max Weber",
        "Nora Klein",
        "Oscar Diaz",
        "Pia Russo",
        "Quinn Baker",
        "Rita Moore",
        "Sven Berg",
        "Tara Singh",
        "Uma Roy",
        "Vic Dubois",
        "Will Laurent",
        "Xena Martin",
        "Yves Bernard",
        "Zoe Petit",
    ];
    for (i, n) in customer_names.iter().enumerate() {
        let (org_name, _, domain) = CUSTOMERS[i % 3];
        let first = n.split(' ').next().unwrap_or("user").to_lowercase();
        inputs.push(add(
            format!("{first}@{domain}"),
            (*n).into(),
            "customer",
            Some(org_name),
        ));
    }
    let mut callers: Vec<Vec<i64>> = vec![Vec::new(); 3];
    for input in &inputs {
        let u = admin::create_user(store, &by, input).await?;
        store
            .update_user(
                &by,
                u.id,
                &steward_store::UserChange {
                    password_hash: Some(hash.clone()),
                    ..Default::default()
                },
            )
            .await?;
        match u.role() {
            steward_domain::access::Role::Customer => {
                let idx = CUSTOMERS
                    .iter()
                    .position(|c| c.0 == u.org_name)
                    .unwrap_or(0);
                callers[idx].push(u.id);
            }
            steward_domain::access::Role::Agent | steward_domain::access::Role::Manager => {
                staff.push(u)
            }
            _ => {}
        }
    }
    let user_count = inputs.len();

    let group_defs = [
        ("Service Desk", "First line: triage, quick fixes, routing."),
        ("Network Operations", "Networks, VPN and telephony."),
        ("Application Support", "ERP, web, data warehouse, mail."),
        (
            "Workplace Support",
            "Devices, printers, identity and access.",
        ),
    ];
    let mut groups = Vec::new();
    for (gi, (name, description)) in group_defs.iter().enumerate() {
        let members: Vec<String> = staff
            .iter()
            .enumerate()
            .filter(|(i, s)| i % 4 == gi || s.email == DEMO_AGENT)
            .map(|(_, s)| s.email.clone())
            .collect();
        let g = admin::create_group(
            store,
            &by,
            &GroupInput {
                name: (*name).into(),
                description: (*description).into(),
                manager: Some("manager@northwind.example".into()),
                members: members.clone(),
            },
        )
        .await?;
        let member_ids: Vec<i64> = staff
            .iter()
            .filter(|s| members.contains(&s.email))
            .map(|s| s.id)
            .collect();
        groups.push((g.id, member_ids));
    }

    let mut services = Vec::new();
    for (i, (name, description, receivers)) in SERVICES.iter().enumerate() {
        let s = catalogue::create(
            store,
            &by,
            &ServiceInput {
                name: (*name).into(),
                description: (*description).into(),
                status: Some("live".into()),
                owner: Some(staff[i % staff.len()].email.clone()),
                customers: receivers
                    .iter()
                    .map(|r| CUSTOMERS[*r].0.to_owned())
                    .collect(),
            },
        )
        .await?;
        services.push((s.id, *receivers, i));
    }

    let mut rng = StdRng::seed_from_u64(200_001);
    let now = now_ms();
    let day = 86_400_000i64;
    let mut items = Vec::with_capacity(incidents);
    for n in 0..incidents {
        // Spread over 90 days, oldest first, so numbers grow with time.
        let opened_at = now - 90 * day
            + (n as i64 * 90 * day) / incidents.max(1) as i64
            + rng.random_range(0..60_000);
        let (service_id, receivers, si) = services[rng.random_range(0..services.len())];
        let org_idx = receivers[rng.random_range(0..receivers.len())];
        let caller = callers[org_idx][rng.random_range(0..callers[org_idx].len())];
        let titles = PROBLEMS[si];
        let title = titles[rng.random_range(0..titles.len())];
        let impact = Level::new(rng.random_range(1..=3)).unwrap_or(Level::LOW);
        let urgency = Level::new(rng.random_range(1..=3)).unwrap_or(Level::LOW);
        let (group_id, members) = &groups[si % groups.len()];
        let age_days = (now - opened_at) / day;
        let assigned = rng.random_bool(0.85);
        let assignee = if assigned && !members.is_empty() {
            Some(members[rng.random_range(0..members.len())])
        } else {
            None
        };
        let mut life = Lifecycle::opened();
        let mut t = opened_at;
        let mut step = |life: &mut Lifecycle, tr: Transition, rng: &mut StdRng, extra: i64| {
            t += extra + rng.random_range(600_000..(6 * 3_600_000));
            if let Ok(next) = life.apply(&tr, t.min(now), true) {
                *life = next;
            }
        };
        // Older incidents are mostly finished; recent ones still in flight.
        let roll: f64 = rng.random();
        let target = if age_days > 14 {
            if roll < 0.9 {
                "closed"
            } else if roll < 0.95 {
                "resolved"
            } else if roll < 0.97 {
                "cancelled"
            } else {
                "on_hold"
            }
        } else if age_days > 3 {
            if roll < 0.45 {
                "closed"
            } else if roll < 0.7 {
                "resolved"
            } else if roll < 0.85 {
                "in_progress"
            } else {
                "on_hold"
            }
        } else if roll < 0.3 {
            "new"
        } else if roll < 0.65 {
            "in_progress"
        } else if roll < 0.8 {
            "on_hold"
        } else {
            "resolved"
        };
        let resolve = Transition::Resolve {
            code: ResolutionCode::ALL[rng.random_range(0..ResolutionCode::ALL.len())],
            notes: "Root cause fixed and verified with the caller.".into(),
        };
        match target {
            "new" => {}
            "cancelled" => step(&mut life, Transition::Cancel, &mut rng, 0),
            _ => {
                step(&mut life, Transition::Start, &mut rng, 0);
                if target == "on_hold" || rng.random_bool(0.2) {
                    let reason = HoldReason::ALL[rng.random_range(0..3)];
                    step(&mut life, Transition::Hold(reason), &mut rng, 0);
                    if target != "on_hold" {
                        step(&mut life, Transition::Resume, &mut rng, 0);
                    }
                }
                if matches!(target, "resolved" | "closed") {
                    step(&mut life, resolve.clone(), &mut rng, 0);
                    if rng.random_bool(0.05) {
                        step(&mut life, Transition::Reopen, &mut rng, 0);
                        step(&mut life, resolve, &mut rng, 0);
                    }
                    if target == "closed" {
                        step(&mut life, Transition::Close, &mut rng, 3 * day);
                    }
                }
            }
        }
        let mut comments = Vec::new();
        if life.state != steward_domain::incident::IncidentState::New {
            let mut ct = opened_at;
            for k in 0..rng.random_range(1..=4) {
                ct += rng.random_range(300_000..7_200_000);
                let internal = rng.random_bool(0.3);
                let (author, body) = if internal {
                    (
                        assignee.unwrap_or(staff[0].id),
                        NOTES[rng.random_range(0..NOTES.len())],
                    )
                } else if k % 2 == 1 {
                    (
                        caller,
                        CUSTOMER_REPLIES[rng.random_range(0..CUSTOMER_REPLIES.len())],
                    )
                } else {
                    (
                        assignee.unwrap_or(staff[0].id),
                        STAFF_REPLIES[rng.random_range(0..STAFF_REPLIES.len())],
                    )
                };
                comments.push(ImportedComment {
                    author_id: author,
                    visibility: if internal { "internal" } else { "public" }.into(),
                    body: body.into(),
                    created_at: ct.min(now),
                });
            }
        }
        let fields = IncidentFields {
            title: title.into(),
            description: format!("{title}. Reported by phone; affects daily work."),
            category: [
                "software", "hardware", "network", "access", "general", "data",
            ][si % 6]
                .into(),
            impact: impact.get() as i64,
            urgency: urgency.get() as i64,
            priority: state.matrix.priority(impact, urgency).get() as i64,
            service_id,
            group_id: Some(*group_id),
            assignee_id: assignee,
            major: rng.random_bool(0.01),
            lifecycle: life,
        };
        items.push(ImportedIncident {
            incident: NewIncident {
                org_id: customer_ids[org_idx],
                caller_id: caller,
                fields,
                names: None,
            },
            opened_at,
            comments,
        });
    }
    // Agreements first, so that the imported incidents get their SLA clocks.
    crate::demo_sms::load_service_levels(state).await?;
    for chunk in items.chunks(500) {
        store
            .import_incidents(&by, chunk)
            .await
            .map_err(AppError::from)?;
    }
    crate::problems::demo::load(state, "manager@northwind.example").await?;
    let complaint =
        crate::complaints::demo::load(state, "manager@northwind.example", "kim@acme.example")
            .await?;
    crate::articles::demo::load(
        state,
        DEMO_AGENT,
        "manager@northwind.example",
        "kim@acme.example",
    )
    .await?;
    crate::requests::demo::load(
        state,
        "manager@northwind.example",
        DEMO_AGENT,
        "kim@acme.example",
        "nora@acme.example",
    )
    .await?;
    crate::relationship::demo::load(state, "manager@northwind.example").await?;
    crate::mail_in::demo::load(state, "kim@acme.example", DEMO_AGENT).await?;
    let finding = crate::audits::demo::load(state, "manager@northwind.example").await?;
    let nonconformity = crate::nonconformities::demo::load(
        state,
        "manager@northwind.example",
        complaint.as_deref(),
        Some(&finding),
    )
    .await?;
    crate::demo_sms::load(state, staff.iter().map(|u| u.email.clone()).collect()).await?;
    crate::improvements::demo::load(state, "manager@northwind.example", Some(&nonconformity))
        .await?;
    crate::satisfaction::demo(state, "kim@acme.example").await?;
    crate::surveys::demo(state, "manager@northwind.example").await?;
    crate::reviews::demo::load(state, "manager@northwind.example").await?;
    crate::service_reports::demo(state, "manager@northwind.example").await?;
    // A bulk load: the planner's statistics follow it (SQLite).
    state.store.optimize().await?;
    Ok(Some(DemoSummary {
        incidents,
        users: user_count,
    }))
}
