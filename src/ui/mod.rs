//! Everything the learner sees: styled text, clickable paths, verdicts, lists, JSON and JUnit XML.
//! Nothing here knows how grading works; it only renders what the grader returned.

mod advice;
mod diff;
pub mod json;
pub mod junit;
mod stats;
mod style;
mod verdict;

pub use advice::render_advice;
pub use diff::render_diff;
pub use stats::{Scope, render_stats};
pub use style::{Theme, link};
pub use verdict::{Detail, render_verdict};
