//! Customer satisfaction surveys (ISO/IEC 20000-1 8.3.2, 9.1): a
//! questionnaire sent to the contacts of one customer organisation or of
//! every customer, in rounds (by hand, or every few months by Steward), and
//! answered in Steward. Each round invites the organisations' contacts once;
//! a contact answers once per round. Results per customer, service and month.

use serde::{Deserialize, Serialize};

use crate::error::{Problems, ValidationError};
use crate::text::{LINE_MAX, optional_body, required_line};

/// The longest introduction.
pub const INTRO_MAX: usize = 2_000;
/// The longest question.
pub const QUESTION_MAX: usize = 300;
/// The most questions in a survey.
pub const QUESTIONS_MAX: usize = 20;
/// The longest written answer.
pub const ANSWER_MAX: usize = 2_000;
/// How often Steward may send a new round, in months (0: only by hand).
pub const EVERY_MONTHS: [i64; 5] = [0, 1, 3, 6, 12];
/// In the web form, a question written after this asks for a written answer.
pub const TEXT_PREFIX: &str = "text:";

crate::code_enum! {
    /// What a question asks for.
    pub enum QuestionKind {
        Score => ("score", "A score from 1 to 5"),
        Text => ("text", "A written answer"),
    }
}

crate::code_enum! {
    /// Where a survey is: drafted, sent (answers accepted from the contacts
    /// of its last round), or closed.
    pub enum SurveyState {
        Draft => ("draft", "Draft"),
        Open => ("open", "Open"),
        Closed => ("closed", "Closed"),
    }
}

impl SurveyState {
    /// Its questions and audience may change: nobody was asked yet.
    pub const fn editable(self) -> bool {
        matches!(self, SurveyState::Draft)
    }

    /// A (new) round may be sent.
    pub const fn sendable(self) -> bool {
        !matches!(self, SurveyState::Closed)
    }
}

/// A question of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    pub text: String,
    pub kind: QuestionKind,
}

/// A survey as written, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyDraft {
    pub title: String,
    pub intro: Option<String>,
    pub questions: Vec<Question>,
    pub every_months: i64,
}

impl SurveyDraft {
    /// `questions` are (text, kind) as given; the kind is `score` when empty.
    pub fn parse(
        title: &str,
        intro: Option<&str>,
        questions: &[(String, Option<String>)],
        every_months: Option<i64>,
    ) -> Result<SurveyDraft, ValidationError> {
        let mut p = Problems::default();
        let title = required_line(&mut p, "title", title, LINE_MAX);
        let intro = optional_body(&mut p, "intro", intro.unwrap_or_default(), INTRO_MAX);
        let mut parsed = Vec::new();
        for (n, (text, kind)) in questions.iter().enumerate() {
            let field = format!("questions[{n}]");
            let text = required_line(&mut p, &field, text, QUESTION_MAX);
            let kind = match kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
                None => QuestionKind::Score,
                Some(k) => QuestionKind::parse(k).unwrap_or_else(|| {
                    p.add(&field, format!("kind must be {}", QuestionKind::codes()));
                    QuestionKind::Score
                }),
            };
            parsed.push(Question { text, kind });
        }
        if parsed.is_empty() {
            p.add("questions", "ask at least one question");
        } else if parsed.len() > QUESTIONS_MAX {
            p.add(
                "questions",
                format!("at most {QUESTIONS_MAX} questions: a long survey goes unanswered"),
            );
        } else if !parsed.iter().any(|q| q.kind == QuestionKind::Score) {
            p.add(
                "questions",
                "ask at least one question scored 1 to 5: written answers alone cannot be measured",
            );
        }
        let every_months = every_months.unwrap_or(0);
        if !EVERY_MONTHS.contains(&every_months) {
            p.add(
                "every_months",
                "must be 0 (only when sent by hand), 1, 3, 6 or 12",
            );
        }
        p.finish(SurveyDraft {
            title,
            intro: Some(intro).filter(|i| !i.is_empty()),
            questions: parsed,
            every_months,
        })
    }
}

/// The questions typed one per line in the web form (blank lines skipped):
/// (text, kind) for [`SurveyDraft::parse`].
pub fn questions_from_lines(typed: &str) -> Vec<(String, Option<String>)> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix(TEXT_PREFIX) {
            Some(rest) => (rest.trim().to_owned(), Some("text".to_owned())),
            None => (l.to_owned(), None),
        })
        .collect()
}

/// The questions as the web form shows them, one per line.
pub fn questions_to_lines(questions: &[Question]) -> String {
    questions
        .iter()
        .map(|q| match q.kind {
            QuestionKind::Score => q.text.clone(),
            QuestionKind::Text => format!("{TEXT_PREFIX} {}", q.text),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a periodic survey whose last round was sent at `sent_at` is due
/// a new round on `day`: `every_months` months later (UTC days), never when
/// it is sent by hand only (0).
pub fn round_due(sent_at: crate::UtcMillis, every_months: i64, day: jiff::civil::Date) -> bool {
    if every_months <= 0 {
        return false;
    }
    let Ok(sent) = jiff::Timestamp::from_millisecond(sent_at) else {
        return false;
    };
    jiff::tz::TimeZone::UTC
        .to_datetime(sent)
        .date()
        .checked_add(jiff::Span::new().months(every_months))
        .is_ok_and(|next| next <= day)
}

/// One answer, to the question at `question` (from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub question: i64,
    pub score: Option<i64>,
    pub text: Option<String>,
}

/// The answers given to `questions`, in their order: every scored question
/// needs a score from 1 to 5; written answers are optional.
pub fn parse_answers(
    questions: &[Question],
    given: &[(Option<i64>, Option<String>)],
) -> Result<Vec<Answer>, ValidationError> {
    let mut p = Problems::default();
    if given.len() != questions.len() {
        p.add(
            "answers",
            format!(
                "answer each of the {} questions, in their order (empty for a written answer left out)",
                questions.len()
            ),
        );
        return p.finish(Vec::new());
    }
    let mut out = Vec::new();
    for (n, (q, (score, text))) in questions.iter().zip(given).enumerate() {
        let field = format!("answers[{n}]");
        match q.kind {
            QuestionKind::Score => {
                match score {
                    Some(s @ 1..=5) => out.push(Answer {
                        question: n as i64,
                        score: Some(*s),
                        text: None,
                    }),
                    Some(_) => p.add(
                        &field,
                        "must be 1 (very dissatisfied) to 5 (very satisfied)",
                    ),
                    None => p.add(&field, "choose a score from 1 to 5"),
                }
                if text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                    p.add(&field, "this question asks for a score, not a text");
                }
            }
            QuestionKind::Text => {
                if score.is_some() {
                    p.add(
                        &field,
                        "this question asks for a written answer, not a score",
                    );
                }
                let t = optional_body(
                    &mut p,
                    &field,
                    text.as_deref().unwrap_or_default(),
                    ANSWER_MAX,
                );
                if !t.is_empty() {
                    out.push(Answer {
                        question: n as i64,
                        score: None,
                        text: Some(t),
                    });
                }
            }
        }
    }
    p.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(lines: &str) -> Vec<(String, Option<String>)> {
        questions_from_lines(lines)
    }

    #[test]
    fn a_survey_asks_scored_questions_and_may_ask_for_text() {
        let d = SurveyDraft::parse(
            " Quarterly survey ",
            Some(" "),
            &q("How satisfied are you?\n\n text: What should we improve? \n"),
            Some(3),
        )
        .unwrap();
        assert_eq!(d.title, "Quarterly survey");
        assert_eq!(d.intro, None);
        assert_eq!(d.every_months, 3);
        assert_eq!(
            d.questions,
            vec![
                Question {
                    text: "How satisfied are you?".into(),
                    kind: QuestionKind::Score
                },
                Question {
                    text: "What should we improve?".into(),
                    kind: QuestionKind::Text
                },
            ]
        );
        assert_eq!(
            questions_to_lines(&d.questions),
            "How satisfied are you?\ntext: What should we improve?"
        );
        assert_eq!(
            questions_from_lines(&questions_to_lines(&d.questions)),
            q("How satisfied are you?\ntext: What should we improve?")
        );
    }

    #[test]
    fn bad_surveys_are_refused_with_the_field() {
        let err = |title: &str, qs: &str, every: Option<i64>| {
            SurveyDraft::parse(title, None, &q(qs), every)
                .unwrap_err()
                .to_string()
        };
        assert!(err("", "Q?", None).contains("title"));
        assert!(err("S", "", None).contains("at least one question"));
        assert!(err("S", "text: Why?", None).contains("scored 1 to 5"));
        assert!(err("S", "Q?", Some(2)).contains("every_months"));
        let many = vec!["Q?"; QUESTIONS_MAX + 1].join("\n");
        assert!(err("S", &many, None).contains("at most"));
        let long = "x".repeat(QUESTION_MAX + 1);
        assert!(err("S", &long, None).contains("questions[0]"));
        let bad_kind = SurveyDraft::parse("S", None, &[("Q?".into(), Some("yes/no".into()))], None)
            .unwrap_err()
            .to_string();
        assert!(bad_kind.contains("score or text"), "{bad_kind}");
    }

    #[test]
    fn a_periodic_round_is_due_its_months_later() {
        // 2026-01-31T12:00:00Z
        let sent = 1_769_860_800_000;
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert!(!round_due(sent, 1, day("2026-02-27")));
        assert!(
            round_due(sent, 1, day("2026-02-28")),
            "clamped to the month's end"
        );
        assert!(!round_due(sent, 3, day("2026-04-29")));
        assert!(round_due(sent, 3, day("2026-04-30")));
        assert!(!round_due(sent, 0, day("2030-01-01")), "by hand only");
    }

    #[test]
    fn every_scored_question_needs_a_score_and_text_is_optional() {
        let d = SurveyDraft::parse("S", None, &q("A?\ntext: B?\nC?"), None).unwrap();
        let ok = parse_answers(
            &d.questions,
            &[(Some(5), None), (None, Some(" ".into())), (Some(2), None)],
        )
        .unwrap();
        assert_eq!(ok.len(), 2, "the empty written answer is left out");
        assert_eq!((ok[1].question, ok[1].score), (2, Some(2)));
        for bad in [
            vec![(Some(5), None)],
            vec![(None, None), (None, None), (Some(2), None)],
            vec![(Some(6), None), (None, None), (Some(2), None)],
            vec![(Some(5), None), (Some(3), None), (Some(2), None)],
            vec![(Some(5), Some("x".into())), (None, None), (Some(2), None)],
        ] {
            assert!(parse_answers(&d.questions, &bad).is_err(), "{bad:?}");
        }
        assert!(SurveyState::Draft.editable() && !SurveyState::Open.editable());
        assert!(SurveyState::Open.sendable() && !SurveyState::Closed.sendable());
    }
}
