//! A compact diff of the learner's file against the reference solution, code only: the
//! statement both start with would only add noise.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use super::Theme;

/// Lines of context around each change.
const CONTEXT: usize = 2;

/// The diff of `mine` against `reference`, `-` lines only in the learner's file and `+` lines
/// only in the reference, in hunks headed by their line numbers.
pub fn render_diff(mine: &str, reference: &str, theme: &Theme) -> String {
    let (mine_code, mine_offset) = without_statement(mine);
    let (reference_code, reference_offset) = without_statement(reference);
    let diff = TextDiff::from_lines(mine_code, reference_code);
    let mut out = String::new();
    let (mut removed, mut added) = (0, 0);
    for group in diff.grouped_ops(CONTEXT) {
        let Some(first) = group.first() else {
            continue;
        };
        let (old, new) = (first.old_range().start, first.new_range().start);
        let _ = writeln!(
            out,
            "{}",
            theme.key.apply_to(format!(
                "@@ yours line {}, reference line {} @@",
                old + mine_offset + 1,
                new + reference_offset + 1
            ))
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let line = change.value().trim_end_matches('\n');
                let _ = match change.tag() {
                    ChangeTag::Delete => {
                        removed += 1;
                        writeln!(out, "{}", theme.bad.apply_to(format!("- {line}")))
                    }
                    ChangeTag::Insert => {
                        added += 1;
                        writeln!(out, "{}", theme.good.apply_to(format!("+ {line}")))
                    }
                    ChangeTag::Equal => {
                        writeln!(out, "{}", theme.dim.apply_to(format!("  {line}")))
                    }
                };
            }
        }
    }
    if removed + added == 0 {
        return "Your code matches the reference solution line for line.\n".to_string();
    }
    let _ = writeln!(
        out,
        "\n{} line{} only in yours (-), {} only in the reference (+); the statement comments are left out.",
        removed,
        if removed == 1 { "" } else { "s" },
        added
    );
    out
}

/// `source` without its leading `//!` block and the blank lines after it, and how many lines
/// were cut, so line numbers still match the file.
fn without_statement(source: &str) -> (&str, usize) {
    let mut cut = 0;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("//!") || trimmed.is_empty() {
            cut += line.len();
            offset += 1;
        } else {
            break;
        }
    }
    (&source[cut..], offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_name_line_numbers_of_both_files_after_the_statement() {
        let mine = "//! statement\n//! more\n\nfn a() {\n    1\n}\n";
        let reference = "//! solution notes\n\nfn a() {\n    2\n}\n";
        let out = render_diff(mine, reference, &Theme::plain());
        assert_eq!(
            out,
            "@@ yours line 4, reference line 3 @@\n  fn a() {\n-     1\n+     2\n  }\n\n\
             1 line only in yours (-), 1 only in the reference (+); the statement comments are left out.\n"
        );
    }

    #[test]
    fn identical_code_says_so() {
        let out = render_diff(
            "//! a\nfn x() {}\n",
            "//! b\n\nfn x() {}\n",
            &Theme::plain(),
        );
        assert_eq!(
            out,
            "Your code matches the reference solution line for line.\n"
        );
    }
}
