//! Impact, urgency and the priority matrix that turns them into a priority.
//!
//! The matrix is configuration (`priority_matrix` in `steward.toml`); the
//! default is the common ITIL 3x3 grid.

use serde::{Deserialize, Serialize};

/// Impact or urgency level: 1 high, 2 medium, 3 low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Level(u8);

impl Level {
    pub const HIGH: Level = Level(1);
    pub const MEDIUM: Level = Level(2);
    pub const LOW: Level = Level(3);

    pub fn new(value: i64) -> Option<Level> {
        (1..=3).contains(&value).then_some(Level(value as u8))
    }

    pub const fn get(self) -> u8 {
        self.0
    }

    pub const fn label(self) -> &'static str {
        match self.0 {
            1 => "1 - High",
            2 => "2 - Medium",
            _ => "3 - Low",
        }
    }
}

impl TryFrom<i64> for Level {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        Level::new(v).ok_or_else(|| "must be 1 (high), 2 (medium) or 3 (low)".to_owned())
    }
}

impl From<Level> for i64 {
    fn from(l: Level) -> i64 {
        l.0 as i64
    }
}

/// Priority P1 (most urgent) to P5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Priority(u8);

impl Priority {
    pub fn new(n: u8) -> Option<Priority> {
        (1..=5).contains(&n).then_some(Priority(n))
    }

    pub const fn get(self) -> u8 {
        self.0
    }

    pub fn parse(s: &str) -> Option<Priority> {
        let s = s.trim();
        let digits = s.strip_prefix(['P', 'p']).unwrap_or(s);
        digits.parse::<u8>().ok().and_then(Priority::new)
    }

    pub fn code(self) -> String {
        format!("P{}", self.0)
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P{}", self.0)
    }
}

impl TryFrom<String> for Priority {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Priority::parse(&s).ok_or_else(|| "must be one of P1, P2, P3, P4, P5".to_owned())
    }
}

impl From<Priority> for String {
    fn from(p: Priority) -> String {
        p.code()
    }
}

/// Maps impact x urgency to a priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityMatrix {
    /// `cells[impact-1][urgency-1]`
    cells: [[Priority; 3]; 3],
}

impl Default for PriorityMatrix {
    fn default() -> Self {
        let p = |n| Priority(n);
        PriorityMatrix {
            cells: [[p(1), p(2), p(3)], [p(2), p(3), p(4)], [p(3), p(4), p(5)]],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        self.cells[impact.0 as usize - 1][urgency.0 as usize - 1]
    }

    /// Parses three rows, one per impact (high first), each naming the
    /// priority for urgency high, medium, low: `["P1 P2 P3", "P2 P3 P4", "P3 P4 P5"]`.
    ///
    /// A priority may not be more urgent than one with both a higher impact and
    /// a higher urgency (the matrix must be monotonic), so that raising impact or
    /// urgency never lowers priority.
    pub fn from_rows(rows: &[String]) -> Result<PriorityMatrix, String> {
        if rows.len() != 3 {
            return Err("the priority matrix needs 3 rows (impact high, medium, low)".into());
        }
        let mut cells = [[Priority(1); 3]; 3];
        for (i, row) in rows.iter().enumerate() {
            let cols: Vec<&str> = row.split_whitespace().collect();
            if cols.len() != 3 {
                return Err(format!(
                    "priority matrix row {} needs 3 priorities (urgency high, medium, low), got {:?}",
                    i + 1,
                    row
                ));
            }
            for (j, c) in cols.iter().enumerate() {
                cells[i][j] = Priority::parse(c).ok_or_else(|| {
                    format!("priority matrix row {}: {c:?} is not one of P1..P5", i + 1)
                })?;
            }
        }
        for i in 0..3 {
            for j in 0..3 {
                if (i > 0 && cells[i][j] < cells[i - 1][j])
                    || (j > 0 && cells[i][j] < cells[i][j - 1])
                {
                    return Err(
                        "the priority matrix must not rank a lower impact or urgency above a higher one"
                            .into(),
                    );
                }
            }
        }
        Ok(PriorityMatrix { cells })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_grid() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Level::HIGH, Level::HIGH).code(), "P1");
        assert_eq!(m.priority(Level::LOW, Level::LOW).code(), "P5");
        assert_eq!(m.priority(Level::HIGH, Level::LOW).code(), "P3");
    }

    #[test]
    fn parses_rows_and_rejects_bad_ones() {
        let rows = |r: [&str; 3]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = PriorityMatrix::from_rows(&rows(["P1 P1 P2", "P2 P2 P3", "P3 P4 P5"])).unwrap();
        assert_eq!(m.priority(Level::HIGH, Level::MEDIUM).code(), "P1");
        assert!(PriorityMatrix::from_rows(&rows(["P1 P2", "P2 P3 P4", "P3 P4 P5"])).is_err());
        assert!(PriorityMatrix::from_rows(&rows(["P1 P2 P9", "P2 P3 P4", "P3 P4 P5"])).is_err());
        assert!(PriorityMatrix::from_rows(&rows(["P5 P2 P3", "P2 P3 P4", "P3 P4 P5"])).is_err());
    }

    #[test]
    fn levels_and_priorities_parse() {
        assert!(Level::new(0).is_none() && Level::new(4).is_none());
        assert_eq!(Priority::parse("p2").map(|p| p.get()), Some(2));
        assert_eq!(Priority::parse("3").map(|p| p.get()), Some(3));
        assert!(Priority::parse("P6").is_none() && Priority::parse("").is_none());
    }

    proptest! {
        /// Raising impact or urgency never lowers the priority.
        #[test]
        fn default_matrix_is_monotonic(i in 1i64..=3, u in 1i64..=3) {
            let m = PriorityMatrix::default();
            let p = m.priority(Level::new(i).unwrap(), Level::new(u).unwrap());
            if i > 1 {
                prop_assert!(m.priority(Level::new(i - 1).unwrap(), Level::new(u).unwrap()) <= p);
            }
            if u > 1 {
                prop_assert!(m.priority(Level::new(i).unwrap(), Level::new(u - 1).unwrap()) <= p);
            }
        }
    }
}
