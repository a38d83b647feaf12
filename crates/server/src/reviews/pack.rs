//! A management review's input pack (ISO/IEC 20000-1 9.3): compiled from
//! Steward's records over the review's period, as of the review's day (or
//! now, before it), one SQL aggregate per figure; rendered as a printable
//! page (askama), as a PDF (Typst) or as JSON.

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use jiff::civil::Date;
use serde::Serialize;
use steward_domain::register::{Level, Register};
use steward_domain::review::FOR_PEOPLE;
use steward_store::{MonthCount, RegisterChange, ReviewFigures};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::period::{months_until, percent, start_ms};
use crate::views::time;

/// An earlier review's action, as the pack lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CarriedView {
    pub number: String,
    pub title: String,
    pub state: String,
    pub review: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
}

/// An objective with its value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ObjectiveLine {
    pub number: String,
    pub title: String,
    pub target: String,
    pub value: String,
    /// on_target, off_target or unknown.
    pub status: String,
}

/// What the pack counts and lists. Percentages are text (`"93.1%"`, or
/// `"no data"`).
#[derive(Debug, Serialize, utoipa::ToSchema, Template, WebTemplate)]
#[template(path = "review_pack.html")]
pub struct Pack {
    /// The review it is for, if any.
    pub review: Option<String>,
    pub title: String,
    pub from: String,
    pub to: String,
    /// The day its figures are as of.
    pub as_of: String,
    pub generated_at: String,
    #[schema(value_type = Object)]
    pub figures: ReviewFigures,
    pub sla_attainment: String,
    pub satisfied: String,
    /// Scored survey answers of 4 or 5, in percent.
    pub surveys_satisfied: String,
    #[schema(value_type = Vec<Object>)]
    pub trend: Vec<MonthCount>,
    pub carried: Vec<CarriedView>,
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<RegisterChange>,
    pub objectives: Vec<ObjectiveLine>,
    pub risks_open: usize,
    pub risks_high: usize,
    pub risks_untreated: usize,
    /// Inputs Steward cannot know, left for the people to fill.
    pub for_people: Vec<&'static str>,
    pub attendees: String,
    pub minutes: String,
    pub decisions: String,
}

/// What the review adds to its pack.
#[derive(Debug, Default)]
pub struct ReviewText {
    pub number: Option<String>,
    pub attendees: String,
    pub minutes: String,
    pub decisions: String,
}

/// The pack of `[from, to]` as of `as_of` (ms; figures count up to the end
/// of the period or `as_of`, whichever is earlier). Authorisation is the
/// caller's: the CLI needs no sign-in.
pub async fn build(
    state: &AppState,
    from: Date,
    to: Date,
    as_of: i64,
    text: ReviewText,
) -> AppResult<Pack> {
    let a = start_ms(from);
    let b = start_ms(to.tomorrow().unwrap_or(to)).min(as_of);
    let b = b.max(a);
    let figures = state.store.review_figures(a, b).await?;
    let months = months_until(from, to, b);
    let trend = state.store.incident_trend(&months).await?;
    let now = steward_store::now_ms();
    let carried = state
        .store
        .carried_actions(as_of.min(now))
        .await?
        .into_iter()
        .filter(|c| Some(&c.review_number) != text.number.as_ref())
        .map(|c| CarriedView {
            overdue: matches!(c.state_category.as_str(), "new" | "active" | "waiting")
                && c.target_at.is_some_and(|t| t < as_of),
            due: crate::period::day_of(c.target_at),
            owner: c.assignee_name.unwrap_or_default(),
            number: c.number,
            title: c.title,
            state: c.state,
            review: c.review_number,
        })
        .collect();
    let changes = state.store.register_changes(a, b).await?;
    let mut objectives = Vec::new();
    for o in state
        .store
        .sms_records(Register::Objectives, None, 500)
        .await?
        .iter()
        .filter(|o| o.status == "active")
    {
        let value = crate::registers::live_value(state, o).await?;
        let target = match o.value("target") {
            steward_store::FieldValue::Real(t) => Some(*t),
            steward_store::FieldValue::Int(t) => Some(*t as f64),
            _ => None,
        };
        let at_most = o.text("direction") == Some("at_most");
        let status = match (value, target) {
            (Some(v), Some(t)) if (at_most && v <= t) || (!at_most && v >= t) => "on_target",
            (Some(_), Some(_)) => "off_target",
            _ => "unknown",
        };
        let unit = o.text("unit").unwrap_or("");
        let sep = if unit.starts_with(char::is_alphabetic) {
            " "
        } else {
            ""
        };
        let shown = |x: Option<f64>| x.map_or("none".to_owned(), |x| format!("{x:.1}{sep}{unit}"));
        objectives.push(ObjectiveLine {
            number: o.number.clone(),
            title: o.title.clone(),
            target: format!(
                "{} {}",
                if at_most { "at most" } else { "at least" },
                shown(target)
            ),
            value: shown(value),
            status: status.to_owned(),
        });
    }
    let scale = crate::registers::context(state).risk_scale;
    let risks = state.store.sms_records(Register::Risks, None, 500).await?;
    let open: Vec<_> = risks.iter().filter(|r| r.status == "open").collect();
    let score = |r: &steward_store::SmsRecord, f: &str| match r.value(f) {
        steward_store::FieldValue::Int(i) => *i,
        _ => 0,
    };
    let risks_high = open
        .iter()
        .filter(|r| scale.level(score(r, "likelihood"), score(r, "impact")) == Level::High)
        .count();
    let risks_untreated = open
        .iter()
        .filter(|r| matches!(r.text("treatment"), None | Some("none")))
        .count();
    Ok(Pack {
        title: format!("Management review input pack, {from} to {to}"),
        review: text.number,
        from: from.to_string(),
        to: to.to_string(),
        as_of: crate::period::day_of(Some(b.max(a + 1) - 1)),
        generated_at: time(now),
        sla_attainment: percent(figures.clocks_met, figures.clocks_stopped),
        satisfied: percent(figures.ratings_satisfied, figures.ratings),
        surveys_satisfied: percent(figures.survey_satisfied, figures.survey_answers),
        figures,
        trend,
        carried,
        changes,
        objectives,
        risks_open: open.len(),
        risks_high,
        risks_untreated,
        for_people: FOR_PEOPLE.to_vec(),
        attendees: text.attendees,
        minutes: text.minutes,
        decisions: text.decisions,
    })
}

/// The pack of a review: its period, as of its day (or now, before it).
pub async fn of_review(state: &AppState, r: &steward_store::Review) -> AppResult<Pack> {
    let parse = |s: &str| s.parse::<Date>().map_err(AppError::internal);
    let as_of = r.target_at.unwrap_or(i64::MAX).min(steward_store::now_ms());
    build(
        state,
        parse(&r.period_from)?,
        parse(&r.period_to)?,
        as_of,
        ReviewText {
            number: Some(r.number.clone()),
            attendees: r.attendees.clone().unwrap_or_default(),
            minutes: r.minutes.clone().unwrap_or_default(),
            decisions: r.decisions.clone().unwrap_or_default(),
        },
    )
    .await
}

/// The pack as a self-contained page.
pub fn html(p: &Pack) -> AppResult<String> {
    p.render().map_err(AppError::internal)
}

/// The Typst source of the PDF; it reads the pack from `sys.inputs.data`.
const TYPST: &str = include_str!("../../templates/review_pack.typ");

/// The pack as a PDF.
pub async fn pdf(p: &Pack) -> AppResult<Vec<u8>> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    crate::report::typst_pdf_of(crate::report::typst_engine(&ENGINE, TYPST), p).await
}

#[cfg(test)]
mod pdf_tests {
    use super::*;

    #[tokio::test]
    async fn the_pack_lays_out_as_a_pdf_whatever_its_text() {
        let text = "#set page(width: 1pt) ] [ \\ $ * _ < > @";
        let p = Pack {
            review: Some("REV-0001".into()),
            title: text.into(),
            from: "2026-07-01".into(),
            to: "2026-09-30".into(),
            as_of: "2026-09-30".into(),
            generated_at: "2026-10-02T09:00:00Z".into(),
            figures: ReviewFigures {
                incidents_opened: 12,
                ..Default::default()
            },
            sla_attainment: "no data".into(),
            satisfied: "90.0%".into(),
            surveys_satisfied: "no data".into(),
            trend: vec![MonthCount {
                month: "2026-07".into(),
                opened: 12,
                resolved: 10,
            }],
            carried: vec![CarriedView {
                number: "ACT-0001".into(),
                title: text.into(),
                state: "planned".into(),
                review: "REV-0000".into(),
                owner: text.into(),
                due: "2026-08-01".into(),
                overdue: true,
            }],
            changes: vec![RegisterChange {
                number: "CTX-0001".into(),
                title: text.into(),
                kind: "context".into(),
                status: "active".into(),
                updated_at: 0,
            }],
            objectives: vec![ObjectiveLine {
                number: "OBJ-0001".into(),
                title: text.into(),
                target: "at least 90.0%".into(),
                value: "none".into(),
                status: "unknown".into(),
            }],
            risks_open: 3,
            risks_high: 1,
            risks_untreated: 0,
            for_people: FOR_PEOPLE.to_vec(),
            attendees: text.into(),
            minutes: text.into(),
            decisions: text.into(),
        };
        let pdf = pdf(&p).await.unwrap();
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        assert!(html(&p).unwrap().contains("ACT-0001"));
    }
}
