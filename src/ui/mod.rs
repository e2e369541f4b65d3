//! Everything the learner sees: styled text, clickable paths, verdicts, lists and JSON.
//! Nothing here knows how grading works; it only renders what the grader returned.

pub mod json;
mod style;
mod verdict;

pub use style::{Theme, link};
pub use verdict::{Detail, render_verdict};
