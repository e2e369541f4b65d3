//! `dev new`: scaffolds an exercise (stub, solution, checks, one mutant) from a template with
//! the course's conventions filled in, and adds its entry to `info.toml` beside its topic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::TEMPLATE_MARKER;
use super::editor::{self, Project};
use crate::course::{self, Course, Exercise, is_identifier};
use crate::files::{write_atomically, write_new};
use crate::ui::{Theme, link, outln};

const STUB: &str = include_str!("template/stub.rs");
const SOLUTION: &str = include_str!("template/solution.rs");
const CHECKS: &str = include_str!("template/checks.rs");
const MUTANT: &str = include_str!("template/mutant.rs");
const MUTANT_SLUG: &str = "strictly_greater";
const NEW_COURSE: &str = include_str!("template/info.toml");
const HEADER: &str = "[[exercises]]";

pub fn new(name: &str, topic: &str, course_dir: Option<PathBuf>) -> Result<ExitCode> {
    for (what, value) in [("exercise name", name), ("topic", topic)] {
        if !is_identifier(value) {
            bail!(
                "{what} {value:?} must be a lowercase Rust identifier that is not a keyword \
                 (letters, digits and `_`, starting with a letter): it names a module and a directory"
            );
        }
    }
    if course::RESERVED_NAMES.contains(&name) {
        bail!("exercise name {name:?} is taken: {}", course::RESERVED_WHY);
    }
    let Some(root) = super::course_dir(course_dir) else {
        bail!(
            "no info.toml here or in a directory above: run `backlings dev new` inside a course directory, \
             or pass --course DIR to add the exercise to (or start a course in) DIR"
        );
    };
    if root.join(".backlings").join("state.toml").exists() {
        bail!(
            "{} is a learner's workspace, not a course; pass --course DIR to pick a course directory",
            root.display()
        );
    }
    let info_path = root.join("info.toml");
    let (info_text, exercises, created_course) = if info_path.is_file() {
        let text = fs::read_to_string(&info_path)
            .with_context(|| format!("reading {}", info_path.display()))?;
        (text, Course::from_dir(&root)?.exercises, false)
    } else {
        (NEW_COURSE.to_string(), Vec::new(), true)
    };
    if let Some(existing) = exercises.iter().find(|e| e.name == name) {
        bail!(
            "{}: the course already has an exercise named {name:?} (nothing was changed)",
            existing.defined_at
        );
    }
    let info_text = insert_entry(&info_text, &exercises, topic, &entry(name, topic))
        .with_context(|| format!("adding {name:?} to {}", info_path.display()))?;

    let ex = Exercise {
        name: name.to_string(),
        topic: topic.to_string(),
        summary: String::new(),
        hints: Vec::new(),
        time_limit: crate::course::DEFAULT_TIME_LIMIT,
        defined_at: String::new(),
    };
    let files = [
        (ex.rel_path(), STUB),
        (ex.solution_rel_path(), SOLUTION),
        (ex.checks_rel_path(), CHECKS),
        (format!("{}/{MUTANT_SLUG}.rs", ex.mutants_rel_dir()), MUTANT),
    ];
    let taken: Vec<String> = files
        .iter()
        .filter(|(rel, _)| root.join(course::native(rel)).exists())
        .map(|(rel, _)| course::shown(rel))
        .collect();
    if !taken.is_empty() {
        bail!(
            "{} already exist{} in {}; move {} away or choose another name (nothing was changed)",
            taken.join(", "),
            if taken.len() == 1 { "s" } else { "" },
            root.display(),
            if taken.len() == 1 { "it" } else { "them" }
        );
    }

    write_all_or_nothing(&root, &files, name, &info_path, &info_text)?;
    let course = Course::from_dir(&root)?;
    let project = editor::write_project(&root, &course)
        .with_context(|| format!("writing the editor project of {}", root.display()))?;
    print_added(&root, &files, name, topic, created_course)?;
    print_project(&root, &project)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the exercise's `files` (templates, `__NAME__` replaced by `name`) into `root`, then
/// `info_text` over `info_path`; on any failure, removes what it wrote.
fn write_all_or_nothing(
    root: &Path,
    files: &[(String, &str)],
    name: &str,
    info_path: &Path,
    info_text: &str,
) -> Result<()> {
    let mut written: Vec<PathBuf> = Vec::new();
    let result = files.iter().try_for_each(|(rel, template)| {
        let path = root.join(course::native(rel));
        write_new(&path, template.replace("__NAME__", name).as_bytes())?;
        written.push(path);
        Ok(())
    });
    let result = result.and_then(|()| write_atomically(info_path, info_text.as_bytes()));
    if let Err(err) = result {
        // Leave the course as it was: no half-added exercise.
        for path in &written {
            let _ = fs::remove_file(path);
        }
        return Err(err.context("nothing was changed"));
    }
    Ok(())
}

/// Says what was added, and what to do next.
fn print_added(
    root: &Path,
    files: &[(String, &str)],
    name: &str,
    topic: &str,
    created_course: bool,
) -> Result<()> {
    let theme = Theme::stdout();
    if created_course {
        outln!(
            "{} a course at {}",
            theme.good.apply_to("Created"),
            link(&root.display().to_string(), root)
        )?;
    }
    outln!(
        "{} exercise {name} in topic {topic}:",
        theme.good.apply_to("Added")
    )?;
    let shown = |rel: &str| link(&course::shown(rel), &root.join(course::native(rel)));
    for (rel, _) in files {
        outln!("    {}", shown(rel))?;
    }
    outln!("    {} (the new entry)", shown("info.toml"))?;
    outln!(
        "\nThe scaffold is a small working exercise. Replace every {TEMPLATE_MARKER} with your own problem, \
         add a mutant per likely mistake,\nthen prove it sound with:\n    backlings dev check {name}{}",
        if root == Path::new(".") {
            String::new()
        } else {
            format!(" --course {}", root.display())
        }
    )?;
    Ok(())
}

/// Says what the editor project is for, or why there is none.
fn print_project(root: &Path, project: &Project) -> Result<()> {
    match project {
        Project::Written => outln!(
            "\nEditors understand the course through {} (rust-analyzer: open the course directory),\n\
             and `cargo test` there runs every exercise's checks against its reference solution.",
            link("Cargo.toml", &root.join("Cargo.toml"))
        )?,
        Project::ForeignManifest => outln!(
            "\n{} is not backlings', so no editor project was written: rust-analyzer will not know the\n\
             course files unless that package lists them.",
            link("Cargo.toml", &root.join("Cargo.toml"))
        )?,
    }
    Ok(())
}

fn entry(name: &str, topic: &str) -> String {
    format!(
        "{HEADER}\nname = \"{name}\"\ndir = \"{topic}\"\n\
         summary = \"{TEMPLATE_MARKER}: one line for the exercise list\"\n\
         hints = [\n    \"{TEMPLATE_MARKER}: a nudge toward the idea, without the method\",\n    \
         \"{TEMPLATE_MARKER}: the method, naming the std types and functions to use\",\n    \
         \"{TEMPLATE_MARKER}: all but the code\",\n]\n"
    )
}

/// `info` with `entry` inserted after the last exercise of `topic`, or at the end when the
/// topic is new, so that each topic's exercises stay together and in order. Comments just
/// above the following entry stay with it.
fn insert_entry(info: &str, exercises: &[Exercise], topic: &str, entry: &str) -> Result<String> {
    let headers: Vec<usize> = line_starts(info)
        .filter(|&start| info[start..].lines().next().unwrap_or("").trim() == HEADER)
        .collect();
    if headers.len() != exercises.len() {
        bail!(
            "info.toml does not write each exercise as a `{HEADER}` table, so the entry cannot be placed; add it by hand:\n\n{entry}"
        );
    }
    let after_last_of_topic = exercises
        .iter()
        .rposition(|e| e.topic == topic)
        .map(|i| i + 1)
        .filter(|&next| next < headers.len());
    let Some(next) = after_last_of_topic else {
        let mut out = info.trim_end().to_string();
        out.push_str("\n\n");
        out.push_str(entry);
        return Ok(out);
    };
    let mut at = headers[next];
    // Move above the comment lines that introduce the next entry.
    while let Some(prev) = line_starts(&info[..at]).last().filter(|&p| p < at) {
        if info[prev..at].trim_start().starts_with('#') {
            at = prev;
        } else {
            break;
        }
    }
    Ok(format!("{}{entry}\n{}", &info[..at], &info[at..]))
}

/// Byte offsets where each line of `text` starts.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        text.match_indices('\n')
            .map(|(i, _)| i + 1)
            .filter(move |&i| i < text.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(name: &str, topic: &str) -> Exercise {
        Exercise {
            name: name.into(),
            topic: topic.into(),
            summary: String::new(),
            hints: Vec::new(),
            time_limit: crate::course::DEFAULT_TIME_LIMIT,
            defined_at: String::new(),
        }
    }

    const INFO: &str = "format_version = 1\n\n[[exercises]]\nname = \"a\"\ndir = \"x\"\n\n\
                        # The y topic.\n[[exercises]]\nname = \"b\"\ndir = \"y\"\n";

    #[test]
    fn a_known_topic_gains_the_entry_after_its_last_exercise_and_before_the_next_comment() {
        let exercises = [exercise("a", "x"), exercise("b", "y")];
        let out = insert_entry(INFO, &exercises, "x", "[[exercises]]\nname = \"new\"\n").unwrap();
        assert_eq!(
            out,
            "format_version = 1\n\n[[exercises]]\nname = \"a\"\ndir = \"x\"\n\n\
             [[exercises]]\nname = \"new\"\n\n# The y topic.\n[[exercises]]\nname = \"b\"\ndir = \"y\"\n"
        );
    }

    #[test]
    fn a_new_topic_goes_at_the_end() {
        let exercises = [exercise("a", "x"), exercise("b", "y")];
        let out = insert_entry(INFO, &exercises, "z", "[[exercises]]\nname = \"new\"\n").unwrap();
        assert!(
            out.ends_with("dir = \"y\"\n\n[[exercises]]\nname = \"new\"\n"),
            "{out}"
        );
        let out = insert_entry(INFO, &exercises, "y", "[[exercises]]\nname = \"new\"\n").unwrap();
        assert!(
            out.ends_with("dir = \"y\"\n\n[[exercises]]\nname = \"new\"\n"),
            "{out}"
        );
    }

    #[test]
    fn inline_tables_are_refused_with_the_entry_to_paste() {
        let info = "format_version = 1\nexercises = [{ name = \"a\", dir = \"x\" }]\n";
        let err = insert_entry(info, &[exercise("a", "x")], "x", "ENTRY").unwrap_err();
        assert!(
            err.to_string().ends_with("add it by hand:\n\nENTRY"),
            "{err}"
        );
    }
}
