//! The store's methods for improvements: each calls the same query on
//! whichever backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    improvements,
    Improvement,
    ImprovementFields,
    create_improvement,
    improvement,
    list_improvements,
    update_improvement
);
