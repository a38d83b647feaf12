//! The store's methods for management reviews and their input pack: each
//! calls the same query on whichever backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    reviews,
    Review,
    ReviewFields,
    create_review,
    review,
    list_reviews,
    update_review
);

impl Store {
    /// Where the daily counts (`record_counts`, `clock_counts`) differ from
    /// the records and clocks: empty when they agree.
    pub async fn verify_rollups(&self) -> Result<Vec<String>> {
        dispatch!(self, rollups::verify())
    }

    /// Folds the daily counts' pending rows into one row per day.
    pub async fn compact_rollups(&self) -> Result<u64> {
        dispatch!(self, rollups::compact())
    }

    /// What a review's pack counts over `[from, to)` (ms).
    pub async fn review_figures(&self, from: i64, to: i64) -> Result<ReviewFigures> {
        dispatch!(self, reviews::figures(from, to))
    }

    /// Incidents opened and resolved per month (`YYYY-MM`, from, to ms).
    pub async fn incident_trend(&self, months: &[(String, i64, i64)]) -> Result<Vec<MonthCount>> {
        dispatch!(self, reviews::trend(months))
    }

    /// Earlier reviews' actions still open at `before` (ms).
    pub async fn carried_actions(&self, before: i64) -> Result<Vec<CarriedAction>> {
        dispatch!(self, reviews::carried_actions(before))
    }

    /// Context issues and interested parties changed in `[from, to)`.
    pub async fn register_changes(&self, from: i64, to: i64) -> Result<Vec<RegisterChange>> {
        dispatch!(self, reviews::register_changes(from, to))
    }
}
