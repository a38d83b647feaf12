//! The risk register's scale and levels, and what the rules know beyond the
//! input.

use jiff::civil::Date;
use serde::Serialize;

/// What the rules need to know beyond the input.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: Date,
    pub risk_scale: RiskScale,
}

/// The likelihood and impact scale of the risk register: 1 to `size` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskScale {
    pub size: i64,
}

impl Default for RiskScale {
    fn default() -> Self {
        RiskScale { size: 5 }
    }
}

/// How serious a risk's score is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl RiskScale {
    pub const MIN: i64 = 3;
    pub const MAX: i64 = 10;

    pub fn new(size: i64) -> Option<RiskScale> {
        (Self::MIN..=Self::MAX)
            .contains(&size)
            .then_some(RiskScale { size })
    }

    /// The lowest score that is high: 60% of the largest, rounded up
    /// (15 of 25 on the usual 5 x 5 scale).
    pub const fn high_from(self) -> i64 {
        (self.size * self.size * 3 + 4) / 5
    }

    /// The lowest score that is medium: 30% of the largest (8 of 25).
    pub const fn medium_from(self) -> i64 {
        (self.size * self.size * 3 + 9) / 10
    }

    pub fn level(self, likelihood: i64, impact: i64) -> Level {
        let score = likelihood * impact;
        if score >= self.high_from() {
            Level::High
        } else if score >= self.medium_from() {
            Level::Medium
        } else {
            Level::Low
        }
    }
}
