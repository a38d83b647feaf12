//! Service reports (ISO/IEC 20000-1 9.4): for one customer and a period, SLA
//! attainment per agreement, incident and problem volumes per month, major
//! incidents, satisfaction and complaints. One model, compiled from SQL
//! aggregates over that customer's records; rendered as a printable page
//! with SVG charts, a Typst PDF, CSV and JSON. Issued reports are kept in an
//! archive as their JSON, so what a customer received can be shown again
//! exactly; a monthly job issues last month's report of every customer with
//! an agreed SLA and e-mails its contacts when mail is set up.

pub mod api;
pub mod web;

use std::sync::OnceLock;

use askama::Template;
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Visibility};
use steward_store::{
    AuditActor, CustomerMonth, IssuedReport, NewJob, Organisation, ReportedRecord,
};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::period::{months_until, percent, start_ms};
use crate::sla_report::SlaReport;
use crate::views::time;

/// A record the report lists: a major incident or a complaint.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordLine {
    pub number: String,
    pub title: String,
    pub state: String,
    pub priority: String,
    pub service: String,
    pub opened: String,
    /// Empty while unresolved.
    pub resolved: String,
}

impl From<ReportedRecord> for RecordLine {
    fn from(r: ReportedRecord) -> RecordLine {
        RecordLine {
            number: r.number,
            title: r.title,
            state: r.state,
            priority: format!("P{}", r.priority),
            service: r.service.unwrap_or_default(),
            opened: time(r.opened_at),
            resolved: r.resolved_at.map(time).unwrap_or_default(),
        }
    }
}

/// The period's totals. Shares are text (`"93.1%"`, or `"no data"`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub major_incidents: i64,
    pub problems_opened: i64,
    pub complaints_opened: i64,
    pub ratings: i64,
    /// Ratings of 4 or 5 of all ratings.
    pub satisfied: String,
    /// Mean score of 5, one decimal, or "no data".
    pub mean_score: String,
    /// Clocks within target of all clocks stopped, every agreement.
    pub sla_attainment: String,
    pub clocks_stopped: i64,
    pub breaches: i64,
}

/// A customer's service report for a period.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceReport {
    pub customer: String,
    pub org_id: i64,
    /// As asked: `2026-11`, `2026-Q3`, `2026` or `2026-07-01..2026-09-30`.
    pub period: String,
    /// Its first and last day.
    pub from: String,
    pub to: String,
    /// The day its figures are as of (the period's last day, or today).
    pub as_of: String,
    pub generated_at: String,
    /// The services the customer receives.
    pub services: Vec<String>,
    pub totals: Totals,
    /// Per month, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub months: Vec<CustomerMonth>,
    /// Per agreement that applies to the customer: its figures for the
    /// customer's clocks only.
    pub agreements: Vec<SlaReport>,
    pub major_incidents: Vec<RecordLine>,
    /// Raised in the period or still open at its end.
    pub complaints: Vec<RecordLine>,
}

/// The customer `org` of a report: an organisation that receives services.
fn customer(org: &Organisation) -> AppResult<()> {
    if org.kind != "customer" {
        return Err(AppError::field(
            "organisation",
            "must be a customer; service reports are for the customers of the service",
        ));
    }
    Ok(())
}

/// Compiles the report of `org` for `period` from the records as they are
/// now (figures up to the period's end or now, whichever is earlier).
/// Authorisation is the caller's.
pub async fn build(state: &AppState, org: &Organisation, period: &str) -> AppResult<ServiceReport> {
    customer(org)?;
    let (from, to) = steward_domain::review::parse_period("period", period)?;
    if from.saturating_add(jiff::Span::new().months(36)) <= to {
        return Err(AppError::field("period", "must be at most 36 months long"));
    }
    let now = steward_store::now_ms();
    let a = start_ms(from);
    let b = start_ms(to.tomorrow().unwrap_or(to)).min(now).max(a);
    let months = months_until(from, to, b);
    let rows = state.store.customer_months(org.id, &months).await?;
    let mut agreements = Vec::new();
    for ag in state.store.list_agreements().await? {
        let applies = ag.org_id == Some(org.id) || ag.org_id.is_none();
        if ag.kind != "sla" || ag.status == "draft" || !applies {
            continue;
        }
        let own = ag.org_id == Some(org.id);
        let r = crate::sla_report::build_for(state, ag, Some((org.id, &org.name)), &months).await?;
        // An agreement for every customer is listed only where it counted.
        if own || r.months.iter().any(|m| m.stopped > 0) || !r.breaches.is_empty() {
            agreements.push(r);
        }
    }
    let sum = |f: fn(&CustomerMonth) -> i64| rows.iter().map(f).sum::<i64>();
    let (stopped, met) = agreements
        .iter()
        .flat_map(|r| &r.months)
        .fold((0, 0), |(s, m), v| (s + v.stopped, m + v.met));
    let ratings = sum(|m| m.ratings);
    let totals = Totals {
        incidents_opened: sum(|m| m.incidents_opened),
        incidents_resolved: sum(|m| m.incidents_resolved),
        major_incidents: sum(|m| m.major_incidents),
        problems_opened: sum(|m| m.problems_opened),
        complaints_opened: sum(|m| m.complaints_opened),
        ratings,
        satisfied: percent(sum(|m| m.ratings_satisfied), ratings),
        mean_score: if ratings == 0 {
            "no data".into()
        } else {
            format!("{:.1}", sum(|m| m.rating_total) as f64 / ratings as f64)
        },
        sla_attainment: percent(met, stopped),
        clocks_stopped: stopped,
        breaches: agreements.iter().map(|r| r.breaches.len() as i64).sum(),
    };
    let major_incidents = state
        .store
        .customer_major_incidents(org.id, a, b)
        .await?
        .into_iter()
        .map(RecordLine::from)
        .collect();
    let complaints = state
        .store
        .customer_complaints(org.id, a, b)
        .await?
        .into_iter()
        .map(RecordLine::from)
        .collect();
    let services = state
        .store
        .list_services(Visibility::Organisation(org.id))
        .await?
        .into_iter()
        .filter(|s| s.status != "retired")
        .map(|s| s.name)
        .collect();
    Ok(ServiceReport {
        customer: org.name.clone(),
        org_id: org.id,
        period: steward_domain::review::period_label(from, to),
        from: from.to_string(),
        to: to.to_string(),
        as_of: crate::period::day_of(Some(b.max(a + 1) - 1)),
        generated_at: time(now),
        services,
        totals,
        months: rows,
        agreements,
        major_incidents,
        complaints,
    })
}

/// How it was issued, shown on an archived report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedView {
    pub id: i64,
    pub customer: String,
    pub period: String,
    pub from: String,
    pub to: String,
    pub issued_at: String,
    /// Who issued it: a person, "monthly service reports" for the monthly
    /// job, "steward report service" for the command line.
    pub issued_by: String,
    /// SHA-256 of the report's JSON as issued.
    pub sha256: String,
}

impl From<&IssuedReport> for IssuedView {
    fn from(r: &IssuedReport) -> IssuedView {
        IssuedView {
            id: r.id,
            customer: r.org_name.clone(),
            period: r.period.clone(),
            from: r.period_from.clone(),
            to: r.period_to.clone(),
            issued_at: time(r.issued_at),
            issued_by: r.issued_by_name.clone().unwrap_or_else(|| r.issuer.clone()),
            sha256: r.sha256.clone(),
        }
    }
}

/// Compiles the report of a period that has ended and keeps it as issued,
/// with an e-mail to each of the customer's contacts (when mail is set up)
/// queued in the same transaction; Conflict (409) when the customer already
/// has one for the period.
pub async fn issue(
    state: &AppState,
    actor: &AuditActor,
    org: &Organisation,
    period: &str,
) -> AppResult<IssuedReport> {
    let (_, to) = steward_domain::review::parse_period("period", period)?;
    if to >= crate::registers::today() {
        return Err(AppError::field(
            "period",
            "has not ended yet: a report is issued once its period is over (compile it to see it now)",
        ));
    }
    let r = build(state, org, period).await?;
    let body = serde_json::to_string(&r).map_err(AppError::internal)?;
    let contacts = if state.mailer.enabled() {
        let event = steward_domain::notify::Event::ServiceReportIssued;
        state
            .store
            .customer_contacts(org.id)
            .await?
            .into_iter()
            .filter(|u| !u.person().muted.contains(&event))
            .collect()
    } else {
        Vec::new()
    };
    let base = state.config.base_url();
    let max_attempts = state.config.job_max_attempts;
    let issued = state
        .store
        .issue_service_report(
            actor,
            &steward_store::NewServiceReport {
                org_id: org.id,
                org_name: &org.name,
                period: &r.period,
                period_from: &r.from,
                period_to: &r.to,
                body: &body,
            },
            |issued| {
                contacts
                    .iter()
                    .filter_map(|u| {
                        let text = ReportMail {
                            name: &u.name,
                            customer: &r.customer,
                            period: &r.period,
                            totals: &r.totals,
                            link: format!("{base}/service-reports/{}", issued.id),
                            settings: format!("{base}/settings"),
                        }
                        .render()
                        .inspect_err(
                            |e| tracing::warn!(error = %e, "cannot render a service report e-mail"),
                        )
                        .ok()?;
                        crate::mail::Mail {
                            to: u.email.clone(),
                            subject: format!("Service report {} for {}", r.period, r.customer),
                            body: text,
                            message_id: format!("<service-report-{}-{}@steward>", issued.id, u.id),
                        }
                        .job(None, max_attempts)
                        .ok()
                    })
                    .collect()
            },
        )
        .await?;
    Ok(issued)
}

#[derive(Template)]
#[template(path = "mail/service_report.txt")]
struct ReportMail<'a> {
    name: &'a str,
    customer: &'a str,
    period: &'a str,
    totals: &'a Totals,
    link: String,
    settings: String,
}

/// Issues a report for a customer the actor names, as the actor: the API's
/// and the web form's one path.
pub async fn issue_as(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    org_id: i64,
    period: &str,
) -> AppResult<IssuedReport> {
    crate::policy::require(actor, Action::ServiceReportIssue, None)?;
    let org = match state.store.org_by_id(org_id).await {
        Ok(o) => o,
        Err(steward_store::StoreError::NotFound) => {
            return Err(AppError::field(
                "organisation",
                "is not an organisation Steward knows",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    issue(state, &AuditActor::from(actor), &org, period).await
}

/// An issued report the actor may read, with its body (the report's JSON
/// as kept, whose SHA-256 it carries): another organisation's answers 404.
pub async fn issued_body(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    id: i64,
) -> AppResult<(IssuedReport, String)> {
    let Some((r, body)) = state.store.service_report(id).await? else {
        return Err(AppError::NotFound);
    };
    crate::policy::require(actor, Action::ServiceReportRead, Some(r.org_id))?;
    Ok((r, body))
}

/// An issued report the actor may read: another organisation's answers 404.
pub async fn issued(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    id: i64,
) -> AppResult<(IssuedReport, ServiceReport)> {
    let (r, body) = issued_body(state, actor, id).await?;
    let report = serde_json::from_str(&body).map_err(AppError::internal)?;
    Ok((r, report))
}

/// The compiled report of an organisation the actor may read.
pub async fn live(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    org_id: i64,
    period: &str,
) -> AppResult<ServiceReport> {
    crate::policy::require(actor, Action::ServiceReportRead, Some(org_id))?;
    let org = state
        .store
        .org_by_id(org_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    build(state, &org, period).await
}

/// Queues the `service_reports` job of last month when some customer is
/// still owed its report (an agreed SLA of its own in force then, and none
/// issued) and no such job is queued or running; the hourly tick calls it.
/// Returns how many customers are owed one.
pub async fn queue_due(state: &AppState) -> AppResult<usize> {
    let period = steward_domain::review::month_before(crate::registers::today());
    let due = state.store.service_reports_due(&period).await?;
    let payload = serde_json::json!({ "period": period });
    if !due.is_empty()
        && !state
            .store
            .job_pending("service_reports", &payload.to_string())
            .await?
    {
        let mut j = NewJob::new("service_reports", &payload);
        j.max_attempts = state.config.job_max_attempts;
        state.store.enqueue_jobs(&[j]).await?;
    }
    Ok(due.len())
}

#[derive(Deserialize)]
struct JobPayload {
    period: String,
}

/// The `service_reports` job: issues the month's report of every customer
/// still owed one, each with its e-mails in its own transaction, so that a
/// retry after a failure issues only the rest.
pub async fn run_job(state: &AppState, payload: &str) -> Result<Vec<NewJob>, String> {
    let p: JobPayload =
        serde_json::from_str(payload).map_err(|e| format!("not a service reports job: {e}"))?;
    let actor = AuditActor::system("monthly service reports");
    for (org_id, _) in state
        .store
        .service_reports_due(&p.period)
        .await
        .map_err(|e| e.to_string())?
    {
        let org = state
            .store
            .org_by_id(org_id)
            .await
            .map_err(|e| e.to_string())?;
        match issue(state, &actor, &org, &p.period).await {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(format!("{}: {e}", org.name)),
        }
    }
    Ok(Vec::new())
}

/// The report as a self-contained page with its charts.
pub fn html(r: &ServiceReport, issued: Option<&IssuedView>) -> AppResult<String> {
    Printable {
        r,
        issued,
        volume_chart: volume_chart(r),
        agreements: r
            .agreements
            .iter()
            .map(|a| (a, crate::sla_report::chart(a)))
            .collect(),
    }
    .render()
    .map_err(AppError::internal)
}

#[derive(Template)]
#[template(path = "service_report.html")]
struct Printable<'a> {
    r: &'a ServiceReport,
    issued: Option<&'a IssuedView>,
    volume_chart: String,
    /// Each agreement with its chart.
    agreements: Vec<(&'a SlaReport, String)>,
}

/// Incidents opened and resolved per month as bars, in SVG (no script; the
/// only text is numbers and month labels).
pub fn volume_chart(r: &ServiceReport) -> String {
    let (w, h, left, top, bottom) = (640.0, 200.0, 40.0, 10.0, 30.0);
    let n = r.months.len().max(1) as f64;
    let most = r
        .months
        .iter()
        .map(|m| m.incidents_opened.max(m.incidents_resolved))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let bar = (slot / 2.0 - 2.0).clamp(1.0, 30.0);
    let y = |v: f64| top + (1.0 - v / most) * (h - top - bottom);
    let mut svg = format!(
        "<svg class=\"volume-chart\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-label=\"Incidents opened and resolved per month\">\
         <line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\"></line>\
         <text x=\"4\" y=\"{:.1}\">{most}</text><text x=\"4\" y=\"{:.1}\">0</text>",
        w - 10.0,
        y(most) + 4.0,
        y(0.0) + 4.0,
        y0 = y(0.0),
    );
    for (i, m) in r.months.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - 2.0 * bar) / 2.0;
        for (j, (class, v)) in [
            ("opened", m.incidents_opened),
            ("resolved", m.incidents_resolved),
        ]
        .into_iter()
        .enumerate()
        {
            let top_y = y(v as f64);
            svg.push_str(&format!(
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{top_y:.1}\" width=\"{bar:.1}\" \
                 height=\"{:.1}\"><title>{} {class}: {v}</title></rect>",
                x + j as f64 * bar,
                y(0.0) - top_y,
                m.month,
            ));
        }
        if r.months.len() <= 12 || i % 3 == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                left + slot * (i as f64 + 0.5),
                h - 8.0,
                m.month.get(2..).unwrap_or(&m.month)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One row per figure: section, month (empty for the period), measure, value.
pub fn csv(r: &ServiceReport) -> AppResult<Vec<u8>> {
    use crate::report::csv_cell;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |section: &str, month: &str, measure: &str, value: String| {
        w.write_record([
            csv_cell(&r.customer),
            csv_cell(&r.period),
            section.to_owned(),
            month.to_owned(),
            csv_cell(measure),
            csv_cell(&value),
        ])
        .map_err(AppError::internal)
    };
    row("section", "month", "measure", "value".into())?;
    for m in &r.months {
        for (k, v) in [
            ("incidents_opened", m.incidents_opened),
            ("incidents_resolved", m.incidents_resolved),
            ("major_incidents", m.major_incidents),
            ("problems_opened", m.problems_opened),
            ("complaints_opened", m.complaints_opened),
            ("ratings", m.ratings),
            ("ratings_satisfied", m.ratings_satisfied),
        ] {
            row("volumes", &m.month, k, v.to_string())?;
        }
    }
    for a in &r.agreements {
        for m in &a.months {
            let measure = format!("{} {}", a.agreement, m.clock);
            row(
                "sla",
                &m.month,
                &format!("{measure} stopped"),
                m.stopped.to_string(),
            )?;
            row(
                "sla",
                &m.month,
                &format!("{measure} met"),
                m.met.to_string(),
            )?;
            row(
                "sla",
                &m.month,
                &format!("{measure} met_percent"),
                m.met_percent.map(|p| p.to_string()).unwrap_or_default(),
            )?;
        }
    }
    let t = &r.totals;
    for (k, v) in [
        ("incidents_opened", t.incidents_opened.to_string()),
        ("incidents_resolved", t.incidents_resolved.to_string()),
        ("major_incidents", t.major_incidents.to_string()),
        ("problems_opened", t.problems_opened.to_string()),
        ("complaints_opened", t.complaints_opened.to_string()),
        ("ratings", t.ratings.to_string()),
        ("satisfied", t.satisfied.clone()),
        ("mean_score", t.mean_score.clone()),
        ("sla_attainment", t.sla_attainment.clone()),
        ("breaches", t.breaches.to_string()),
    ] {
        row("period", "", k, v)?;
    }
    for i in &r.major_incidents {
        row("major_incident", "", &i.number, i.title.clone())?;
    }
    for c in &r.complaints {
        row(
            "complaint",
            "",
            &c.number,
            format!("{} ({})", c.title, c.state),
        )?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// The Typst source of the PDF; it reads the report from `sys.inputs.data`.
const TYPST: &str = include_str!("../../templates/service_report.typ");

#[derive(Serialize)]
struct PdfData<'a> {
    r: &'a ServiceReport,
    issued: Option<&'a IssuedView>,
}

/// The report as a PDF.
pub async fn pdf(r: &ServiceReport, issued: Option<&IssuedView>) -> AppResult<Vec<u8>> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    crate::report::typst_pdf_of(
        crate::report::typst_engine(&ENGINE, TYPST),
        &PdfData { r, issued },
    )
    .await
}

/// A file name for a download: `service-report-<customer>-<period>.<ext>`,
/// with anything but letters, digits and dashes made a dash.
pub fn file_name(r: &ServiceReport, ext: &str) -> String {
    let clean: String = format!("{}-{}", r.customer, r.period)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("service-report-{clean}.{ext}")
}

/// The report in the format asked: html (default), pdf, csv or json.
pub async fn render(
    r: &ServiceReport,
    issued: Option<&IssuedView>,
    format: Option<&str>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    Ok(match format.map(str::trim) {
        None | Some("" | "html") => crate::web::report_page(html(r, issued)?),
        Some("pdf") => crate::attachments::download_response(
            &file_name(r, "pdf"),
            "application/pdf",
            pdf(r, issued).await?,
        ),
        Some("csv") => crate::attachments::download_response(
            &file_name(r, "csv"),
            "text/csv; charset=utf-8",
            csv(r)?,
        ),
        Some("json") => axum::Json(r).into_response(),
        Some(_) => return Err(AppError::field("format", "must be html, pdf, csv or json")),
    })
}

/// A page of issued reports, newest first.
pub struct IssuedPage {
    pub items: Vec<IssuedReport>,
    pub next: Option<String>,
}

/// The issued reports the actor may read, newest first: customers see their
/// own organisation's only; staff every customer's, or one's (`org`).
pub async fn list(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    org: Option<i64>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<IssuedPage> {
    crate::policy::require(actor, Action::ServiceReportRead, None)?;
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be from 1 to 200"));
    }
    let org = match Visibility::of(actor) {
        Visibility::All => org,
        Visibility::Organisation(own) => Some(own),
    };
    let before = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => {
            let c = crate::paging::decode_cursor(c)?;
            Some((c.opened_at, c.id))
        }
        None => None,
    };
    let mut items = state.store.service_reports(org, before, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| {
            crate::paging::encode_cursor(&steward_store::Cursor {
                priority: 0,
                opened_at: r.issued_at,
                id: r.id,
                sla_due_at: 0,
            })
        })
    } else {
        None
    };
    Ok(IssuedPage { items, next })
}

/// The demo's archive: Acme's reports for the two months before last
/// month, issued by the service manager. Last month's is left to the monthly
/// job, which issues it when the server starts.
pub async fn demo(state: &AppState, manager_email: &str) -> AppResult<()> {
    let manager = crate::complaints::demo::actor(state, manager_email).await?;
    let org = state.store.org_by_name("Acme Manufacturing").await?;
    let mut month = crate::registers::today().first_of_month();
    for _ in 0..3 {
        month = month.yesterday().unwrap_or(month).first_of_month();
    }
    for _ in 0..2 {
        let period = month.strftime("%Y-%m").to_string();
        issue(state, &AuditActor::from(&manager), &org, &period).await?;
        month = month.last_of_month().tomorrow().unwrap_or(month);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_letters_and_digits() {
        let r: ServiceReport = serde_json::from_value(serde_json::json!({
            "customer": "Acme / Ltd", "org_id": 1, "period": "2026-Q3", "from": "2026-07-01",
            "to": "2026-09-30", "as_of": "2026-09-30", "generated_at": "", "services": [],
            "totals": Totals::default(), "months": [], "agreements": [],
            "major_incidents": [], "complaints": []
        }))
        .unwrap();
        assert_eq!(
            file_name(&r, "pdf"),
            "service-report-acme---ltd-2026-q3.pdf"
        );
    }
}
