//! The demo's business calendars and service level agreements.

use super::{actor, day};
use crate::AppState;
use crate::error::AppResult;
use crate::registers::today;

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
