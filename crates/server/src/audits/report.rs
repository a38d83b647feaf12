//! An audit's report: one model, rendered as a printable HTML page (askama)
//! and as a PDF (Typst, as the conformity report).

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use serde::Serialize;
use steward_domain::access::Actor;
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};

use super::{Checklist, SampleView};
use crate::AppState;
use crate::error::AppResult;
use crate::web::local_opt;

/// A finding as the report shows it.
#[derive(Debug, Serialize)]
pub struct ReportFinding {
    pub number: String,
    pub title: String,
    pub grade: String,
    pub clause: String,
    pub evidence: String,
    pub state: String,
    /// Whether a nonconformity was raised from it.
    pub nonconformity: bool,
}

#[derive(Debug, Serialize, Template, WebTemplate)]
#[template(path = "audit_report.html")]
pub struct AuditReport {
    pub number: String,
    pub title: String,
    pub state: String,
    pub programme: String,
    pub scope: String,
    pub criteria: String,
    pub starts_on: String,
    pub last_day: String,
    pub lead_auditor: String,
    pub team: String,
    pub conclusion: String,
    pub reported: String,
    pub findings: Vec<ReportFinding>,
    pub samples: Vec<SampleView>,
    pub checklist: Checklist,
}

/// The report of the audit `number`, times in `tz`.
pub async fn build(
    state: &AppState,
    actor: &Actor,
    number: &str,
    tz: &str,
) -> AppResult<AuditReport> {
    let p = super::get(state, actor, number).await?;
    let samples = state.store.samples(p.id).await?;
    let findings = state.store.findings_of(p.id).await?;
    Ok(AuditReport {
        number: p.number.clone(),
        title: p.title.clone(),
        state: p.state().label().to_owned(),
        programme: match (&p.programme_number, &p.programme_title) {
            (Some(n), Some(t)) => format!("{n} {t}"),
            _ => "none".to_owned(),
        },
        scope: p.scope().join(", "),
        criteria: p.criteria.clone().unwrap_or_default(),
        starts_on: p.starts_on.clone(),
        last_day: super::day_of(p.target_at),
        lead_auditor: p.assignee_name.clone().unwrap_or_default(),
        team: super::team_emails(state, &p).await?.join(", "),
        conclusion: p.conclusion.clone().unwrap_or_default(),
        reported: local_opt(p.reported_at, tz),
        findings: findings
            .iter()
            .map(|f| ReportFinding {
                number: f.number.clone(),
                title: f.title.clone(),
                grade: f.grade.get().label().to_owned(),
                clause: f.clause.clone(),
                evidence: f.evidence.clone(),
                state: f.state().label().to_owned(),
                nonconformity: f.nonconformities > 0,
            })
            .collect(),
        samples: samples.iter().map(SampleView::of).collect(),
        checklist: super::checklist(state, actor, &p.number).await?,
    })
}

/// The Typst source of the PDF; it reads the report from `sys.inputs.data`.
const TYPST: &str = include_str!("../../templates/audit_report.typ");

/// The report as a PDF.
pub async fn pdf(r: &AuditReport) -> AppResult<Vec<u8>> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    crate::report::typst_pdf_of(crate::report::typst_engine(&ENGINE, TYPST), r).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audits::ChecklistItem;

    #[tokio::test]
    async fn the_report_lays_out_as_a_pdf_whatever_its_text() {
        let text = "#set page(width: 1pt) ] [ \\ $ * _ < > @";
        let r = AuditReport {
            number: "AUD-0001".into(),
            title: text.into(),
            state: "Reported".into(),
            programme: "APR-0001 This year".into(),
            scope: "8.6, 9.1".into(),
            criteria: text.into(),
            starts_on: "2026-10-04".into(),
            last_day: "2026-10-06".into(),
            lead_auditor: "Avery Auditor".into(),
            team: "sam@example.com".into(),
            conclusion: text.into(),
            reported: "2026-10-06 17:00".into(),
            findings: vec![ReportFinding {
                number: "FND-0001".into(),
                title: text.into(),
                grade: "Minor nonconformity".into(),
                clause: "8.6.1".into(),
                evidence: text.into(),
                state: "Closed".into(),
                nonconformity: true,
            }],
            samples: vec![SampleView {
                id: 1,
                kind: "incident".into(),
                from: "2026-09-01".into(),
                to: "2026-09-30".into(),
                size: 2,
                seed: "walk".into(),
                population: 40,
                records: vec!["INC-000001".into(), "INC-000007".into()],
                drawn_by: "Avery Auditor".into(),
                drawn_at: "2026-10-04T09:00:00Z".into(),
                rule: text.into(),
            }],
            checklist: Checklist {
                as_of: "2026-10-04".into(),
                snapshot_of: None,
                items: vec![ChecklistItem {
                    clause: "8.6.1".into(),
                    title: "Incident management".into(),
                    summary: String::new(),
                    evidence: "partly_met".into(),
                    evidence_label: "partly met".into(),
                    findings: vec!["FND-0001".into()],
                }],
            },
        };
        let pdf = pdf(&r).await.unwrap();
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        assert!(r.render().unwrap().contains("FND-0001"));
    }
}
