//! The requirement catalogue, shipped as data (`data/iso20000-1-2018.toml`)
//! and parsed once. Titles identify clauses; summaries are Steward's own.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Plan-Do-Check-Act: how the dashboard groups the SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Plan,
    Do,
    Check,
    Act,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Plan, Phase::Do, Phase::Check, Phase::Act];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Plan => "plan",
            Phase::Do => "do",
            Phase::Check => "check",
            Phase::Act => "act",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Plan => "Plan (clauses 4 to 7)",
            Phase::Do => "Do (clause 8)",
            Phase::Check => "Check (clause 9)",
            Phase::Act => "Act (clause 10)",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub clause: String,
    pub title: String,
    pub phase: Phase,
    pub summary: String,
    /// The documented information the clause calls for; empty when none.
    pub documented: String,
    pub clause_2011: Vec<String>,
}

/// A clause that groups requirements (4, 8.2, ...).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Heading {
    pub clause: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub edition: String,
    #[serde(rename = "heading")]
    pub headings: Vec<Heading>,
    #[serde(rename = "requirement")]
    pub requirements: Vec<Requirement>,
}

impl Catalogue {
    pub fn requirement(&self, clause: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.clause == clause)
    }

    /// The heading a requirement sits under: the longest heading clause that
    /// prefixes it (8.2.4 is under 8.2, 4.1 under 4).
    pub fn heading_of(&self, clause: &str) -> Option<&Heading> {
        self.headings
            .iter()
            .filter(|h| clause.starts_with(&format!("{}.", h.clause)))
            .max_by_key(|h| h.clause.len())
    }
}

const ISO_20000_1_2018: &str = include_str!("../../data/iso20000-1-2018.toml");

/// The catalogue of the edition Steward assesses against.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // The file ships inside the binary and a test parses it: this cannot fail at run time.
        toml::from_str(ISO_20000_1_2018).expect("the shipped catalogue parses")
    })
}

/// Orders clause numbers as people read them: 8.2.10 after 8.2.9, 10 after 9.
pub fn clause_key(clause: &str) -> Vec<u32> {
    clause
        .split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_covers_clauses_4_to_10_once_each_in_order() {
        let c = catalogue();
        assert_eq!(c.edition, "ISO/IEC 20000-1:2018");
        assert!(c.requirements.len() >= 50);
        let keys: Vec<_> = c
            .requirements
            .iter()
            .map(|r| clause_key(&r.clause))
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "ordered, no duplicates"
        );
        for r in &c.requirements {
            let top: u32 = r.clause.split('.').next().unwrap().parse().unwrap();
            let phase = match top {
                4..=7 => Phase::Plan,
                8 => Phase::Do,
                9 => Phase::Check,
                10 => Phase::Act,
                _ => panic!("{} outside 4..10", r.clause),
            };
            assert_eq!(r.phase, phase, "{}", r.clause);
            assert!(
                c.heading_of(&r.clause).is_some(),
                "{} has a heading",
                r.clause
            );
            assert!(
                !r.summary.is_empty() && r.summary.len() < 160,
                "{}",
                r.clause
            );
        }
        assert_eq!(c.heading_of("8.2.4").unwrap().clause, "8.2");
        assert_eq!(c.heading_of("10.1").unwrap().clause, "10");
        for clause in ["4.1", "6.2.1", "8.5.1.3", "8.6.1", "8.7.3.3", "9.3", "10.2"] {
            assert!(c.requirement(clause).is_some(), "{clause}");
        }
    }
}
