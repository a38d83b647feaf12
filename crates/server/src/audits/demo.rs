//! The demo's internal audit programme: a twelve-month cycle with three
//! audits. The first (change management) is reported, with a sample and a
//! major finding from which a nonconformity is raised (by the nonconformity
//! demo); the second (incident management) is in progress with a sample and
//! an open opportunity; the third (leadership, planning, evaluation) is
//! planned.

use serde_json::json;
use steward_domain::register::Register;

use super::{AuditInput, AuditStepInput, SampleInput};
use crate::AppState;
use crate::complaints::demo::{actor, in_days};
use crate::error::AppResult;
use crate::findings::{self, FindingInput, FindingStepInput};

const LEAD: &str = "auditor@northwind.example";
const TEAM: &str = "auditor2@northwind.example";

/// Loads the programme and its audits; the number of the finding a
/// nonconformity is to be raised from.
pub async fn load(state: &AppState, manager: &str) -> AppResult<String> {
    let m = actor(state, manager).await?;
    let lead = actor(state, LEAD).await?;
    let input = json!({
        "title": "Internal audit programme, this cycle",
        "description": "Every requirement of clauses 4 to 10 is audited once in the cycle; where past findings show a weakness, twice.",
        "starts_on": in_days(-300),
        "ends_on": in_days(64),
        "owner": manager,
        "status": "active",
    });
    let Some(input) = input.as_object() else {
        return Ok(String::new());
    };
    let programme = crate::registers::create(state, &m, Register::Programmes, input).await?;
    let plan = |title: &str, scope: &[&str], start: i64, criteria: &str| AuditInput {
        title: title.into(),
        programme: Some(programme.number.clone()),
        scope: scope.iter().map(|s| s.to_string()).collect(),
        criteria: Some(criteria.into()),
        starts_on: Some(in_days(start)),
        target_date: Some(in_days(start + 2)),
        assignee: Some(LEAD.into()),
        team: vec![TEAM.into()],
        ..Default::default()
    };
    let step = |action: &str, text: Option<&str>| AuditStepInput {
        action: action.into(),
        conclusion: text.map(str::to_owned),
        reason: None,
    };

    // Reported: change management, one major finding, one observation.
    let change = super::create(
        state,
        &lead,
        &plan(
            "Change management and release",
            &["8.5"],
            -60,
            "ISO/IEC 20000-1:2018 8.5; the change management policy DOC-0003",
        ),
    )
    .await?;
    super::step(state, &lead, &change.number, &step("start", None), None).await?;
    super::sample(
        state,
        &lead,
        &change.number,
        &SampleInput {
            kind: "incident".into(),
            from: in_days(-90),
            to: in_days(-61),
            size: 10,
            seed: Some("aud-change-incidents".into()),
        },
    )
    .await?;
    let find = |title: &str, grade: &str, clause: &str, evidence: &str, due: i64| FindingInput {
        title: title.into(),
        audit: change.number.clone(),
        grade: grade.into(),
        clause: clause.into(),
        evidence: evidence.into(),
        assignee: Some(manager.into()),
        target_date: Some(in_days(due)),
        ..Default::default()
    };
    let major = findings::create(
        state,
        &lead,
        &find(
            "Change deployed without a recorded risk assessment",
            "major",
            "8.5.1.3",
            "Of ten changes sampled, one had no risk assessment although the change management policy asks for one for every change.",
            -30,
        ),
    )
    .await?;
    let observation = findings::create(
        state,
        &lead,
        &find(
            "Release notes kept in two places",
            "observation",
            "8.5.3",
            "Release notes are written both in the wiki and in the release record; the two differed for one release.",
            -30,
        ),
    )
    .await?;
    let close = FindingStepInput {
        action: "close".into(),
        reason: None,
    };
    findings::step(state, &lead, &observation.number, &close, None).await?;
    super::step(
        state,
        &lead,
        &change.number,
        &step(
            "report",
            Some("Change management is established and mostly followed; one major nonconformity (a change without risk assessment) and one observation."),
        ),
        None,
    )
    .await?;

    // In progress: incident management, a sample and an opportunity.
    let incidents = super::create(
        state,
        &lead,
        &plan(
            "Incident and service request management",
            &["8.6"],
            -1,
            "ISO/IEC 20000-1:2018 8.6; the incident procedure; the SLAs with customers",
        ),
    )
    .await?;
    super::step(state, &lead, &incidents.number, &step("start", None), None).await?;
    super::sample(
        state,
        &lead,
        &incidents.number,
        &SampleInput {
            kind: "incident".into(),
            from: in_days(-30),
            to: in_days(-2),
            size: 15,
            seed: Some("aud-incidents-q4".into()),
        },
    )
    .await?;
    findings::create(
        state,
        &lead,
        &FindingInput {
            title: "Major incident reviews could reuse the problem record".into(),
            audit: incidents.number.clone(),
            grade: "opportunity".into(),
            clause: "8.6.1".into(),
            evidence: "Reviews of major incidents are written in a separate document; linking them to the problem record would keep causes in one place.".into(),
            assignee: Some(manager.into()),
            target_date: Some(in_days(30)),
            ..Default::default()
        },
    )
    .await?;

    // Planned: leadership, planning and performance evaluation.
    super::create(
        state,
        &lead,
        &plan(
            "Leadership, planning and performance evaluation",
            &["5", "6", "9"],
            20,
            "ISO/IEC 20000-1:2018 clauses 5, 6 and 9; the SMS plan",
        ),
    )
    .await?;
    Ok(major.number.clone())
}
