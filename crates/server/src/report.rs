//! The conformity report: one model, three renderings (a self-contained HTML
//! page, a PDF made in process by Typst, and CSV with one row per
//! requirement). The web UI, the API and `steward conformity report` all
//! call [`build`] and then one of the renderers.

use std::sync::OnceLock;

use askama::Template;
use jiff::civil::Date;
use serde::Serialize;
use steward_domain::conformity::{Outcome, catalogue};
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};

use crate::AppState;
use crate::conformity;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize)]
pub struct ReportCheck {
    pub title: &'static str,
    pub status: &'static str,
    pub label: &'static str,
    pub figure: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub clause: String,
    pub title: String,
    pub phase: &'static str,
    pub status: &'static str,
    pub label: &'static str,
    pub checks_met: usize,
    pub checks_total: usize,
    pub evidence: i64,
    pub owner: String,
    pub checks: Vec<ReportCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportPhase {
    pub label: &'static str,
    pub readiness: String,
    pub met: usize,
    pub requirements: usize,
}

/// The conformity report as of a moment.
#[derive(Debug, Clone, Serialize, Template)]
#[template(path = "report.html")]
pub struct Report {
    pub edition: String,
    pub provider: String,
    /// "now (2026-11-25 14:00 UTC)" or "as recorded on 2026-11-01".
    pub as_of: String,
    pub generated_at: String,
    pub overall: String,
    pub met: usize,
    pub total: usize,
    pub phases: Vec<ReportPhase>,
    pub rows: Vec<ReportRow>,
}

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into())
}

/// The report as of `as_of` (a past day, from its snapshot) or now. Who may
/// read it is decided by the caller ([`download`]; the CLI is the operator).
pub async fn build(state: &AppState, as_of: Option<Date>) -> AppResult<Report> {
    let (a, taken) = conformity::judged_as_of(state, as_of).await?;
    let evidence = state.store.evidence_counts().await?;
    let notes = state.store.requirement_notes().await?;
    let now = jiff::Timestamp::now();
    let as_of = match (as_of, taken) {
        (None, _) => format!("now ({})", now.strftime("%Y-%m-%d %H:%M UTC")),
        (Some(asked), Some(day)) => format!("{asked}, as recorded on {day}"),
        (Some(asked), None) => format!("{asked}: no snapshot was taken on or before that day"),
    };
    let rows = a
        .requirements
        .iter()
        .map(|r| ReportRow {
            clause: r.requirement.clause.clone(),
            title: r.requirement.title.clone(),
            phase: r.requirement.phase.as_str(),
            status: r.outcome.as_str(),
            label: r.outcome.label(),
            checks_met: r.checks_met(),
            checks_total: r.checks.len(),
            evidence: evidence
                .iter()
                .find(|(c, _)| *c == r.requirement.clause)
                .map_or(0, |(_, n)| *n),
            owner: notes
                .iter()
                .find(|n| n.clause == r.requirement.clause)
                .and_then(|n| n.owner_name.clone())
                .unwrap_or_default(),
            checks: r
                .checks
                .iter()
                .filter_map(|c| {
                    let check = steward_domain::conformity::check(c.check)?;
                    Some(ReportCheck {
                        title: check.title,
                        status: c.outcome.as_str(),
                        label: c.outcome.label(),
                        figure: match c.figure.percent() {
                            Some(p) => {
                                format!("{} of {} ({p:.1}%)", c.figure.good, c.figure.counted)
                            }
                            None => "nothing to count".into(),
                        },
                        target: c.target.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Report {
        edition: catalogue().edition.clone(),
        provider: state
            .store
            .provider_org()
            .await?
            .map(|o| o.name)
            .unwrap_or_default(),
        as_of,
        generated_at: now.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        overall: percent(a.overall),
        met: a
            .requirements
            .iter()
            .filter(|r| r.outcome == Outcome::Met)
            .count(),
        total: a.requirements.len(),
        phases: a
            .phases
            .iter()
            .map(|p| ReportPhase {
                label: p.phase.label(),
                readiness: percent(p.readiness),
                met: p.met,
                requirements: p.requirements,
            })
            .collect(),
        rows,
    })
}

/// A self-contained HTML page: styles inline, no scripts, no links out.
pub fn html(r: &Report) -> AppResult<String> {
    r.render().map_err(AppError::internal)
}

/// One row per requirement: clause, title, phase, status, checks met and
/// total, evidence count, owner.
pub fn csv(r: &Report) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "clause",
        "title",
        "phase",
        "status",
        "checks_met",
        "checks_total",
        "evidence",
        "owner",
    ])
    .map_err(AppError::internal)?;
    let cell = csv_cell;
    for row in &r.rows {
        w.write_record([
            row.clause.as_str(),
            &cell(&row.title),
            row.phase,
            row.status,
            &row.checks_met.to_string(),
            &row.checks_total.to_string(),
            &row.evidence.to_string(),
            &cell(&row.owner),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// A CSV cell that a spreadsheet would run as a formula is written as text.
pub fn csv_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The Typst source of the PDF: it reads the report from `sys.inputs.data`
/// (JSON), so no text of ours is ever parsed as markup.
const TYPST: &str = include_str!("../templates/report.typ");

fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    typst_engine(&ENGINE, TYPST)
}

fn typst_error(e: TypstAsLibError) -> AppError {
    match e {
        TypstAsLibError::TypstSource(d) => AppError::internal(
            d.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => AppError::internal(other.to_string()),
    }
}

/// The report as a PDF, laid out in process (no external program).
pub async fn pdf(r: &Report) -> AppResult<Vec<u8>> {
    typst_pdf_of(engine(), r).await
}

/// A Typst engine for the template `source`, built once in `cell`; its
/// template reads its data from `sys.inputs.data` (JSON).
pub fn typst_engine(
    cell: &'static OnceLock<TypstEngine<TypstTemplateMainFile>>,
    source: &'static str,
) -> &'static TypstEngine<TypstTemplateMainFile> {
    cell.get_or_init(|| {
        TypstEngine::builder()
            .main_file(source)
            .fonts(typst_assets::fonts())
            .build()
    })
}

/// `data` laid out as a PDF by `engine` (no external program): passed as
/// JSON, so no text of ours is ever parsed as markup.
pub async fn typst_pdf_of<T: serde::Serialize>(
    engine: &'static TypstEngine<TypstTemplateMainFile>,
    data: &T,
) -> AppResult<Vec<u8>> {
    let json = serde_json::to_string(data).map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let mut inputs = typst::foundations::Dict::new();
        inputs.insert("data".into(), typst::foundations::Value::Str(json.into()));
        let warned = engine.compile_with_input::<_, typst_layout::PagedDocument>(inputs);
        let doc = warned.output.map_err(typst_error)?;
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|d| {
            AppError::internal(
                d.iter()
                    .map(|d| d.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    })
    .await
    .map_err(AppError::internal)?
}

/// A report format named by people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        }
    }
}

/// The report rendered in `format`.
pub async fn render(r: &Report, format: Format) -> AppResult<Vec<u8>> {
    match format {
        Format::Html => Ok(html(r)?.into_bytes()),
        Format::Csv => csv(r),
        Format::Pdf => pdf(r).await,
    }
}

/// The report as a download: `conformity-report-<day>.<ext>`.
pub async fn download(
    state: &AppState,
    actor: &steward_domain::access::Actor,
    format: Option<&str>,
    as_of: Option<&str>,
) -> AppResult<axum::response::Response> {
    crate::policy::require(actor, steward_domain::access::Action::ConformityRead, None)?;
    let format = match format.filter(|f| !f.trim().is_empty()) {
        None => Format::Html,
        Some(f) => {
            Format::parse(f).ok_or_else(|| AppError::field("format", "must be html, pdf or csv"))?
        }
    };
    let as_of = conformity::parse_as_of(as_of)?;
    let r = build(state, as_of).await?;
    let bytes = render(&r, format).await?;
    let day = as_of.unwrap_or_else(crate::registers::today);
    Ok(crate::attachments::download_response(
        &format!("conformity-report-{day}.{}", format.extension()),
        format.content_type(),
        bytes,
    ))
}
