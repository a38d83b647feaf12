//! Conformity to ISO/IEC 20000-1: the requirement catalogue, the registry of
//! evidence checks, and the pure rules that turn figures into statuses.
//!
//! One mechanism: each [`Check`] names a [`FigureId`] that the store
//! aggregates in SQL and a [`Rule`] that judges it. The conformity view, the
//! API and the exports read only this registry; a new process adds its checks
//! to [`checks::REGISTRY`] and its figures to the store, nothing else.

pub mod catalogue;
pub mod checks;

pub use catalogue::{Catalogue, Heading, Phase, Requirement, catalogue};
pub use checks::{Check, FigureId, REGISTRY, Rule, check};

use serde::Serialize;

/// What the store measured for one figure: how many records it counted and
/// how many of those were as they should be.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub counted: i64,
    pub good: i64,
}

impl Figure {
    pub fn bad(self) -> i64 {
        self.counted - self.good
    }

    /// The good share in percent, `None` when nothing was counted.
    pub fn percent(self) -> Option<f64> {
        (self.counted > 0).then(|| self.good as f64 * 100.0 / self.counted as f64)
    }
}

/// A check's or a requirement's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NotMet,
    PartlyMet,
    /// The check had nothing to count (no incidents in the window, say).
    NoData,
    /// No check covers the requirement yet: only manual evidence can show it.
    NotAssessed,
    Met,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::PartlyMet => "partly_met",
            Outcome::NotMet => "not_met",
            Outcome::NoData => "no_data",
            Outcome::NotAssessed => "not_assessed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::PartlyMet => "partly met",
            Outcome::NotMet => "not met",
            Outcome::NoData => "no data",
            Outcome::NotAssessed => "not assessed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Met,
            Outcome::PartlyMet,
            Outcome::NotMet,
            Outcome::NoData,
            Outcome::NotAssessed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// How much the outcome counts towards readiness: met 1, partly ½, else 0.
    pub fn weight(self) -> f64 {
        match self {
            Outcome::Met => 1.0,
            Outcome::PartlyMet => 0.5,
            _ => 0.0,
        }
    }
}

/// One check judged against its figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub check: &'static str,
    pub outcome: Outcome,
    pub figure: Figure,
    /// The target in words, e.g. "at least 90% (partly from 75%)".
    pub target: String,
}

/// Judges `figure` by the check's rule.
pub fn evaluate(check: &Check, figure: Figure) -> CheckResult {
    let outcome = if figure.counted <= 0 {
        Outcome::NoData
    } else {
        match check.rule {
            Rule::ShareAtLeast { met, partly } => {
                let share = figure.percent().unwrap_or(0.0);
                if share >= met {
                    Outcome::Met
                } else if share >= partly {
                    Outcome::PartlyMet
                } else {
                    Outcome::NotMet
                }
            }
            Rule::NoneBad { partly } => match figure.bad() {
                0 => Outcome::Met,
                n if n <= partly => Outcome::PartlyMet,
                _ => Outcome::NotMet,
            },
        }
    };
    CheckResult {
        check: check.id,
        outcome,
        figure,
        target: check.rule.describe(),
    }
}

/// A requirement's status from its checks' outcomes: met when every check
/// with data is met, not met when every one is not met, partly met between;
/// no data when none had data, not assessed when it has no checks.
pub fn requirement_outcome(outcomes: &[Outcome]) -> Outcome {
    let judged: Vec<Outcome> = outcomes
        .iter()
        .copied()
        .filter(|o| !matches!(o, Outcome::NoData | Outcome::NotAssessed))
        .collect();
    if outcomes.is_empty() {
        Outcome::NotAssessed
    } else if judged.is_empty() {
        Outcome::NoData
    } else if judged.iter().all(|o| *o == Outcome::Met) {
        Outcome::Met
    } else if judged.iter().all(|o| *o == Outcome::NotMet) {
        Outcome::NotMet
    } else {
        Outcome::PartlyMet
    }
}

/// Readiness in percent: met counts fully, partly met half, the rest nothing.
pub fn readiness(outcomes: impl IntoIterator<Item = Outcome>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for o in outcomes {
        sum += o.weight();
        n += 1;
    }
    (n > 0).then(|| sum * 100.0 / n as f64)
}

/// One requirement with its status and the results of its checks.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementAssessment {
    pub requirement: &'static Requirement,
    pub outcome: Outcome,
    pub checks: Vec<CheckResult>,
}

impl RequirementAssessment {
    pub fn checks_met(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Met)
            .count()
    }
}

/// Readiness of one PDCA phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseAssessment {
    pub phase: Phase,
    pub readiness: Option<f64>,
    pub requirements: usize,
    pub met: usize,
    pub gaps: usize,
}

/// The whole catalogue judged from the checks' results.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// In catalogue order.
    pub requirements: Vec<RequirementAssessment>,
    pub phases: Vec<PhaseAssessment>,
    pub overall: Option<f64>,
}

impl Assessment {
    pub fn requirement(&self, clause: &str) -> Option<&RequirementAssessment> {
        self.requirements
            .iter()
            .find(|r| r.requirement.clause == clause)
    }

    /// A phase's requirements, gaps first (not met, partly met, no data, not
    /// assessed, met), then in clause order.
    pub fn gaps_first(&self, phase: Phase) -> Vec<&RequirementAssessment> {
        let mut list: Vec<_> = self
            .requirements
            .iter()
            .filter(|r| r.requirement.phase == phase)
            .collect();
        list.sort_by_key(|r| (r.outcome, catalogue::clause_key(&r.requirement.clause)));
        list
    }
}

/// Judges every requirement of the catalogue from the check results given
/// (one per check of the registry; a check without a result is left out).
pub fn assess(results: &[CheckResult]) -> Assessment {
    let requirements: Vec<RequirementAssessment> = catalogue()
        .requirements
        .iter()
        .map(|r| {
            let checks: Vec<CheckResult> = results
                .iter()
                .filter(|res| {
                    check(res.check).is_some_and(|c| c.requirements.contains(&r.clause.as_str()))
                })
                .cloned()
                .collect();
            let outcomes: Vec<Outcome> = checks.iter().map(|c| c.outcome).collect();
            RequirementAssessment {
                requirement: r,
                outcome: requirement_outcome(&outcomes),
                checks,
            }
        })
        .collect();
    let phases = Phase::ALL
        .into_iter()
        .map(|phase| {
            let of_phase: Vec<&RequirementAssessment> = requirements
                .iter()
                .filter(|r| r.requirement.phase == phase)
                .collect();
            PhaseAssessment {
                phase,
                readiness: readiness(of_phase.iter().map(|r| r.outcome)),
                requirements: of_phase.len(),
                met: of_phase
                    .iter()
                    .filter(|r| r.outcome == Outcome::Met)
                    .count(),
                gaps: of_phase
                    .iter()
                    .filter(|r| matches!(r.outcome, Outcome::NotMet | Outcome::PartlyMet))
                    .count(),
            }
        })
        .collect();
    let overall = readiness(requirements.iter().map(|r| r.outcome));
    Assessment {
        requirements,
        phases,
        overall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(counted: i64, good: i64) -> Figure {
        Figure { counted, good }
    }

    #[test]
    fn rules_judge_figures() {
        let share = check("incidents-resolved-in-time").unwrap();
        assert_eq!(evaluate(share, f(0, 0)).outcome, Outcome::NoData);
        assert_eq!(evaluate(share, f(100, 95)).outcome, Outcome::Met);
        assert_eq!(evaluate(share, f(100, 80)).outcome, Outcome::PartlyMet);
        assert_eq!(evaluate(share, f(100, 10)).outcome, Outcome::NotMet);
        let none = check("live-services-have-an-owner").unwrap();
        assert_eq!(evaluate(none, f(5, 5)).outcome, Outcome::Met);
        assert_eq!(evaluate(none, f(5, 4)).outcome, Outcome::NotMet);
    }

    #[test]
    fn requirement_status_combines_checks() {
        use Outcome::*;
        assert_eq!(requirement_outcome(&[]), NotAssessed);
        assert_eq!(requirement_outcome(&[NoData, NoData]), NoData);
        assert_eq!(requirement_outcome(&[Met, NoData]), Met);
        assert_eq!(requirement_outcome(&[Met, NotMet]), PartlyMet);
        assert_eq!(requirement_outcome(&[NotMet, NotMet]), NotMet);
        assert_eq!(readiness([Met, PartlyMet, NotMet, NotAssessed]), Some(37.5));
        assert_eq!(readiness([]), None);
    }

    #[test]
    fn assessment_groups_by_phase_and_lists_gaps_first() {
        let results: Vec<CheckResult> = REGISTRY
            .iter()
            .map(|c| {
                let figure = if c.id == "incidents-resolved-in-time" {
                    f(10, 1)
                } else {
                    f(10, 10)
                };
                evaluate(c, figure)
            })
            .collect();
        let a = assess(&results);
        assert_eq!(a.requirements.len(), catalogue().requirements.len());
        let incident = a.requirement("8.6.1").unwrap();
        assert_eq!(incident.outcome, Outcome::PartlyMet);
        assert_eq!(incident.checks.len(), checks::checks_for("8.6.1").count());
        assert_eq!(a.requirement("8.2.4").unwrap().outcome, Outcome::Met);
        assert_eq!(
            a.requirement("8.7.1").unwrap().outcome,
            Outcome::NotAssessed
        );
        let doing = a.gaps_first(Phase::Do);
        assert_eq!(doing[0].outcome, Outcome::PartlyMet, "gaps come first");
        assert_eq!(doing[0].requirement.clause, "8.3.3", "then clause order");
        assert_eq!(doing.last().unwrap().outcome, Outcome::Met);
        let total: usize = a.phases.iter().map(|p| p.requirements).sum();
        assert_eq!(total, a.requirements.len());
        assert!(a.overall.unwrap() > 0.0 && a.overall.unwrap() < 100.0);
    }

    proptest! {
        #[test]
        fn more_good_records_never_make_a_check_worse(counted in 1i64..10_000, a in 0i64..10_000, b in 0i64..10_000) {
            let (lo, hi) = (a.min(b).min(counted), a.max(b).min(counted));
            for c in REGISTRY {
                let worse = evaluate(c, f(counted, lo)).outcome;
                let better = evaluate(c, f(counted, hi)).outcome;
                prop_assert!(better >= worse, "{}: {lo} -> {worse:?}, {hi} -> {better:?}", c.id);
            }
        }
    }
}
