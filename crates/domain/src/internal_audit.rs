//! The internal audit programme (ISO/IEC 20000-1 9.2): audits and their
//! findings, kinds of the work-record kernel, planned by a programme (a
//! register, [`crate::register::Register::Programmes`]).
//!
//! An audit's scope is a set of clauses of the requirement catalogue (a
//! heading such as `8.6` covers the requirements under it). Its auditors may
//! not audit a process they hold a role in ([`independence`]). Its checklist
//! is the catalogue's requirements in scope; its samples are drawn
//! reproducibly from a stored seed ([`draw`]); its findings name a clause and
//! the evidence.
//!
//! ```text
//! audit:   planned ─start─▶ in progress ─report─▶ reported ─close─▶ closed
//!             └──────cancel──────┴──▶ cancelled
//! finding: open ─close─▶ closed      open ─withdraw─▶ withdrawn
//! ```

use sha2::{Digest, Sha256};

use crate::conformity::catalogue::{Requirement, catalogue, clause_key};
use crate::error::{Problems, ValidationError};
use crate::kind::{StateMachine, StepSpec};
use crate::{RuleError, UtcMillis};

crate::lifecycle! {
    /// Where an audit is.
    pub enum AuditState of "audit" {
        Planned => ("planned", "Planned", "planned", New, ["start", "cancel"]),
        InProgress => ("in_progress", "In progress", "in progress", Active, ["report", "cancel"]),
        Reported => ("reported", "Reported", "reported", Resolved, ["close"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps of an audit as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "start",
        label: "Start the audit",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "report",
        label: "Issue the report",
        text: Some(("conclusion", "Conclusion of the audit")),
        danger: false,
    },
    StepSpec {
        action: "close",
        label: "Close",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel",
        text: Some(("reason", "Why it is cancelled")),
        danger: true,
    },
];

/// The part of an audit its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditLife {
    pub started_at: Option<UtcMillis>,
    pub conclusion: Option<String>,
    pub reported_at: Option<UtcMillis>,
    pub cancelled_reason: Option<String>,
    pub closed_at: Option<UtcMillis>,
}

/// Applies the step `action` (with the text it records) at `now` to an audit
/// in `state`, or says why not. A report waits for the audit's findings to
/// be answered: `open_findings` of them are still open.
pub fn apply(
    state: AuditState,
    life: &AuditLife,
    open_findings: i64,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(AuditState, AuditLife), RuleError> {
    use AuditState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "start" => {
            next.started_at = Some(now);
            InProgress
        }
        "report" => {
            next.conclusion = text;
            next.reported_at = Some(now);
            Reported
        }
        "close" => {
            if open_findings > 0 {
                return Err(ValidationError::single(
                    "findings",
                    format!(
                        "{open_findings} finding(s) of the audit are still open: close or withdraw them first"
                    ),
                )
                .into());
            }
            next.closed_at = Some(now);
            Closed
        }
        "cancel" => {
            next.cancelled_reason = text;
            next.closed_at = Some(now);
            Cancelled
        }
        _ => return Err(state.refuse(action).into()),
    };
    Ok((to, next))
}

/// Whether findings may be recorded on an audit in `state`: only while it
/// is carried out.
pub fn takes_findings(state: AuditState) -> Result<(), ValidationError> {
    if state == AuditState::InProgress {
        Ok(())
    } else {
        Err(ValidationError::single(
            "audit",
            format!(
                "the audit is {}: findings are recorded while it is in progress",
                state.words()
            ),
        ))
    }
}

/// The clauses an audit covers, in catalogue order, each a requirement or a
/// heading of the catalogue; at least one.
pub fn parse_scope(p: &mut Problems, typed: &[String]) -> Vec<String> {
    let cat = catalogue();
    let mut out: Vec<String> = Vec::new();
    for t in typed.iter().flat_map(|t| t.split([',', ' ', '\n'])) {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let known = cat.requirement(t).is_some() || cat.headings.iter().any(|h| h.clause == t);
        if !known {
            p.add(
                "scope",
                format!("{t:?} is not a clause of the catalogue (e.g. 8.6 or 8.6.1)"),
            );
        } else if !out.iter().any(|c| c == t) {
            out.push(t.to_owned());
        }
    }
    if out.is_empty() && p.count() == 0 {
        p.add("scope", "name the clauses the audit covers, e.g. 8.6, 9.1");
    }
    out.sort_by_key(|c| clause_key(c));
    out
}

/// Whether the scope clause `scope` covers the requirement `clause`: the
/// same clause, or one under it.
pub fn covers(scope: &str, clause: &str) -> bool {
    clause == scope
        || clause
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The requirements of the catalogue that `scope` covers, in catalogue order.
pub fn requirements_in(scope: &[String]) -> Vec<&'static Requirement> {
    catalogue()
        .requirements
        .iter()
        .filter(|r| scope.iter().any(|s| covers(s, &r.clause)))
        .collect()
}

/// A role an auditor holds on a process, as the roles register says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub email: String,
    pub role_number: String,
    pub role_title: String,
    /// The process: a clause of the catalogue.
    pub process: String,
    /// R, A, C or I.
    pub letter: String,
}

/// An auditor may not audit a process they own or hold a role in: each of
/// `holdings` (of the audit's auditors) on a process the scope touches is a
/// problem of `field`, with the reason.
pub fn independence(p: &mut Problems, field: &str, scope: &[String], holdings: &[Holding]) {
    for h in holdings {
        if scope
            .iter()
            .any(|s| covers(s, &h.process) || covers(&h.process, s))
        {
            let title = catalogue()
                .requirement(&h.process)
                .map(|r| format!(" {}", r.title))
                .unwrap_or_default();
            p.add(
                field,
                format!(
                    "{} holds {} {} ({} on {}{title}): an auditor may not audit a process they own or hold a role in",
                    h.email, h.role_number, h.role_title, h.letter, h.process
                ),
            );
        }
    }
}

/// The sample of at most `size` of `population` (record numbers) that the
/// seed picks: the numbers whose SHA-256 of `seed:number` (hex) is smallest,
/// in that order. Anyone with the seed and the population draws the same
/// sample, with Steward or with `sha256sum`.
pub fn draw(seed: &str, population: &[String], size: usize) -> Vec<String> {
    let mut ranked: Vec<(String, &String)> = population
        .iter()
        .map(|n| (hex::encode(Sha256::digest(format!("{seed}:{n}"))), n))
        .collect();
    if size < ranked.len() {
        ranked.select_nth_unstable(size);
        ranked.truncate(size);
    }
    ranked.sort();
    ranked.into_iter().map(|(_, n)| n.clone()).collect()
}

/// The largest sample drawn at once.
pub const SAMPLE_MAX: i64 = 200;

/// A seed as people type it: 1 to 64 letters, digits, `-` or `_`.
pub fn parse_seed(p: &mut Problems, typed: &str) -> String {
    let s = typed.trim();
    if s.is_empty()
        || s.len() > 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        p.add("seed", "use 1 to 64 letters, digits, - or _");
    }
    s.to_owned()
}

crate::lifecycle! {
    /// Where a finding is.
    pub enum FindingState of "finding" {
        Open => ("open", "Open", "open", New, ["close", "withdraw"]),
        Closed => ("closed", "Closed", "closed", Closed, []),
        Withdrawn => ("withdrawn", "Withdrawn", "withdrawn", Cancelled, []),
    }
}

/// The steps of a finding as people take them.
pub const FINDING_STEPS: &[StepSpec] = &[
    StepSpec {
        action: "close",
        label: "Close",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "withdraw",
        label: "Withdraw",
        text: Some(("reason", "Why it is withdrawn")),
        danger: true,
    },
];

crate::code_enum! {
    /// How serious a finding is.
    pub enum Grade {
        Major => ("major", "Major nonconformity"),
        Minor => ("minor", "Minor nonconformity"),
        Observation => ("observation", "Observation"),
        Opportunity => ("opportunity", "Opportunity for improvement"),
    }
}

impl Grade {
    /// A requirement is not met: a nonconformity must be raised from it.
    pub const fn is_nonconformity(self) -> bool {
        matches!(self, Grade::Major | Grade::Minor)
    }
}

/// The part of a finding its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindingLife {
    pub withdrawn_reason: Option<String>,
    pub closed_at: Option<UtcMillis>,
}

/// Applies the step `action` to a finding of `grade` in `state` that has
/// `nonconformities` raised from it (linked), or says why not: a finding
/// that is a nonconformity closes once one has been raised.
pub fn apply_finding(
    state: FindingState,
    life: &FindingLife,
    grade: Grade,
    nonconformities: i64,
    action: &'static str,
    text: Option<String>,
    now: UtcMillis,
) -> Result<(FindingState, FindingLife), RuleError> {
    use FindingState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "close" => {
            if grade.is_nonconformity() && nonconformities == 0 {
                return Err(ValidationError::single(
                    "nonconformity",
                    format!(
                        "a {} is closed once a nonconformity is raised from it",
                        grade.label().to_lowercase()
                    ),
                )
                .into());
            }
            Closed
        }
        "withdraw" => {
            next.withdrawn_reason = text;
            Withdrawn
        }
        _ => return Err(state.refuse(action).into()),
    };
    next.closed_at = Some(now);
    Ok((to, next))
}

/// How well a programme's cycle covers the catalogue: per requirement, the
/// audits (not cancelled) whose scope covers it, and the attention it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub clause: String,
    pub title: String,
    /// Numbers of the audits covering it, with whether each is reported.
    pub audits: Vec<(String, bool)>,
    /// Findings and nonconformities on the clause in the year before the cycle.
    pub attention: i64,
}

impl Coverage {
    /// Audits the cycle should hold on it: one, two where past findings show
    /// a weakness.
    pub fn wanted(&self) -> usize {
        if self.attention > 0 { 2 } else { 1 }
    }

    pub fn is_covered(&self) -> bool {
        self.audits.len() >= self.wanted()
    }
}

/// The coverage of every requirement of the catalogue by `audits` (number,
/// reported, scope), with `attention` per clause.
pub fn coverage(
    audits: &[(String, bool, Vec<String>)],
    attention: &std::collections::HashMap<String, i64>,
) -> Vec<Coverage> {
    catalogue()
        .requirements
        .iter()
        .map(|r| Coverage {
            clause: r.clause.clone(),
            title: r.title.clone(),
            audits: audits
                .iter()
                .filter(|(_, _, scope)| scope.iter().any(|s| covers(s, &r.clause)))
                .map(|(n, done, _)| (n.clone(), *done))
                .collect(),
            attention: attention.get(&r.clause).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::parse_step;

    #[test]
    fn a_scope_takes_headings_and_requirements_in_catalogue_order() {
        let mut p = Problems::default();
        let s = parse_scope(&mut p, &["9.1, 8.6".into(), "8.6".into()]);
        assert!(p.count() == 0);
        assert_eq!(s, ["8.6", "9.1"]);
        let reqs: Vec<&str> = requirements_in(&s)
            .iter()
            .map(|r| r.clause.as_str())
            .collect();
        assert!(reqs.contains(&"8.6.1") && reqs.contains(&"9.1"), "{reqs:?}");
        assert!(!reqs.contains(&"8.5.1.1"));
        parse_scope(&mut p, &["8.99".into()]);
        assert_eq!(p.count(), 1);
        let mut p = Problems::default();
        parse_scope(&mut p, &[]);
        assert_eq!(p.count(), 1);
        assert!(covers("8", "8.6.1") && !covers("8.6", "8.61") && covers("9.1", "9.1"));
    }

    #[test]
    fn an_auditor_holding_a_role_on_a_process_in_scope_is_refused_with_the_reason() {
        let h = |process: &str| Holding {
            email: "kim@example.com".into(),
            role_number: "ROL-0003".into(),
            role_title: "Incident manager".into(),
            process: process.into(),
            letter: "A".into(),
        };
        let scope = vec!["8.6".to_owned()];
        let mut p = Problems::default();
        independence(&mut p, "lead_auditor", &scope, &[h("8.5.1.1")]);
        assert!(p.count() == 0);
        independence(&mut p, "lead_auditor", &scope, &[h("8.6.1")]);
        let e = p.finish(()).unwrap_err().to_string();
        assert!(
            e.contains("kim@example.com holds ROL-0003 Incident manager (A on 8.6.1"),
            "{e}"
        );
        // A role on a whole clause touches a scope under it.
        let mut p = Problems::default();
        independence(&mut p, "team", &["8.6.1".to_owned()], &[h("8")]);
        assert_eq!(p.count(), 1);
    }

    #[test]
    fn a_sample_is_the_same_for_the_same_seed_and_population_whatever_their_order() {
        let pop: Vec<String> = (1..=500).map(|n| format!("INC-{n:06}")).collect();
        let a = draw("q3-audit", &pop, 10);
        let mut shuffled = pop.clone();
        shuffled.reverse();
        assert_eq!(a, draw("q3-audit", &shuffled, 10));
        assert_eq!(a.len(), 10);
        assert_ne!(a, draw("another", &pop, 10));
        assert_eq!(draw("s", &pop[..3], 10).len(), 3);
        // The rule is sha256("seed:number"), so that anyone can check it.
        let first = hex::encode(Sha256::digest(format!("q3-audit:{}", a[0])));
        assert!(
            pop.iter()
                .all(|n| hex::encode(Sha256::digest(format!("q3-audit:{n}"))) >= first)
        );
        let mut p = Problems::default();
        parse_seed(&mut p, "ok_seed-1");
        assert!(p.count() == 0);
        parse_seed(&mut p, "no spaces");
        parse_seed(&mut p, "");
        assert_eq!(p.count(), 2);
    }

    #[test]
    fn an_audit_is_started_reported_and_closed_once_its_findings_are_answered() {
        use AuditState::*;
        let take = |s: AuditState, open: i64, action: &str, text: Option<&str>| {
            let (spec, text) = parse_step(STEPS, action, text).map_err(|e| e.to_string())?;
            apply(s, &AuditLife::default(), open, spec.action, text, 5).map_err(|e| e.to_string())
        };
        let (s, life) = take(Planned, 0, "start", None).unwrap();
        assert_eq!((s, life.started_at), (InProgress, Some(5)));
        assert!(take(InProgress, 0, "report", None).is_err());
        let (s, life) = take(InProgress, 0, "report", Some("Conforms, one minor")).unwrap();
        assert_eq!(
            (s, life.conclusion.as_deref()),
            (Reported, Some("Conforms, one minor"))
        );
        let e = take(Reported, 2, "close", None).unwrap_err();
        assert!(e.contains("2 finding(s)"), "{e}");
        assert_eq!(take(Reported, 0, "close", None).unwrap().0, Closed);
        let e = take(Planned, 0, "report", Some("x")).unwrap_err();
        assert!(e.contains("cannot report an audit that is planned"), "{e}");
        assert!(takes_findings(Planned).is_err() && takes_findings(InProgress).is_ok());
    }

    #[test]
    fn a_nonconformity_finding_closes_once_a_nonconformity_is_raised_from_it() {
        use FindingState::*;
        let close = |g: Grade, ncs: i64| {
            apply_finding(Open, &FindingLife::default(), g, ncs, "close", None, 1)
                .map(|(s, _)| s)
                .map_err(|e| e.to_string())
        };
        let e = close(Grade::Minor, 0).unwrap_err();
        assert!(e.contains("nonconformity is raised"), "{e}");
        assert_eq!(close(Grade::Minor, 1).unwrap(), Closed);
        assert_eq!(close(Grade::Observation, 0).unwrap(), Closed);
        let (s, l) = apply_finding(
            Open,
            &FindingLife::default(),
            Grade::Major,
            0,
            "withdraw",
            Some("Evidence found later".into()),
            2,
        )
        .unwrap();
        assert_eq!((s, l.closed_at), (Withdrawn, Some(2)));
    }

    #[test]
    fn coverage_wants_a_second_audit_where_past_findings_show_a_weakness() {
        let audits = vec![
            ("AUD-0001".to_owned(), true, vec!["8.6".to_owned()]),
            ("AUD-0002".to_owned(), false, vec!["8.6.1".to_owned()]),
        ];
        let attention = [("8.6.1".to_owned(), 1), ("8.6.2".to_owned(), 2)].into();
        let c = coverage(&audits, &attention);
        let get = |clause: &str| c.iter().find(|x| x.clause == clause).unwrap();
        assert!(get("8.6.1").is_covered());
        assert_eq!(get("8.6.1").audits.len(), 2);
        assert!(!get("8.6.2").is_covered());
        assert!(!get("4.1").is_covered());
        assert_eq!(c.len(), catalogue().requirements.len());
    }
}
