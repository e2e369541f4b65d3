//! `dev check --mutate`: the wrong solutions nobody wrote. cargo-mutants mutates each
//! reference solution, compiled with its checks as a grade composes them, and runs the checks
//! against every mutant. A mutant they do not catch is either recorded in the course as
//! equivalent (it behaves exactly like the solution), with the reason, or reported with its
//! diff: the checks miss a wrong solution.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::course::{Course, Exercise};
use crate::files::write_new;
use crate::grader::{CHECKS_KIT, editor_crate_root};
use crate::temp::TempDir;
use crate::ui::{Theme, outln};

/// The file beside an exercise's hand-written mutants that explains its equivalent ones.
pub const EQUIVALENT_FILE: &str = "equivalent.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Equivalents {
    #[serde(default)]
    equivalent: Vec<Equivalent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Equivalent {
    /// cargo-mutants' name of the mutant without its file and position, e.g.
    /// `replace > with >= in MedianFinder::insert`: edits elsewhere do not move it.
    mutant: String,
    why: String,
}

/// What cargo-mutants made of one reference solution.
#[derive(Default)]
struct Tally {
    caught: usize,
    unviable: usize,
    timeouts: usize,
    /// Survivors the course explains, by name.
    explained: usize,
    /// Survivors nobody explained: (name, diff).
    unexplained: Vec<(String, String)>,
    /// Recorded equivalents no survivor matched any more.
    stale: Vec<String>,
}

pub fn mutate(course: &Course, selected: &[&Exercise]) -> Result<ExitCode> {
    require_cargo_mutants()?;
    let theme = Theme::stdout();
    let mut unexplained = 0;
    let mut warnings = Vec::new();
    outln!("exercise                  mutants  caught  timeout  unviable  equivalent  missed")?;
    for ex in selected {
        let equivalents = equivalents(course, ex)?;
        let tally = mutate_one(course, ex, &equivalents)
            .with_context(|| format!("mutating the reference solution of {}", ex.name))?;
        let total = tally.caught
            + tally.timeouts
            + tally.unviable
            + tally.explained
            + tally.unexplained.len();
        outln!(
            "{:<24} {total:>8} {:>7} {:>8} {:>9} {:>11} {:>7}",
            ex.name,
            tally.caught,
            tally.timeouts,
            tally.unviable,
            tally.explained,
            tally.unexplained.len()
        )?;
        for (name, diff) in &tally.unexplained {
            outln!(
                "{} {} mutant `{name}` survives every check:\n{}",
                theme.bad.apply_to("problem:"),
                ex.name,
                indent(diff)
            )?;
        }
        unexplained += tally.unexplained.len();
        let file = course.shown_file(&format!("{}/{EQUIVALENT_FILE}", ex.mutants_rel_dir()));
        warnings.extend(tally.stale.iter().map(|name| {
            format!("{file}: `{name}` is no longer a surviving mutant; remove its entry")
        }));
    }
    for warning in &warnings {
        outln!("{} {warning}", theme.warn.apply_to("warning:"))?;
    }
    if unexplained == 0 {
        outln!(
            "\n{} every surviving mutant is explained as equivalent",
            theme.good.apply_to("ok:")
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "\n{unexplained} unexplained surviving mutant(s): add a check that catches each, or, if it \
         behaves exactly like the solution, record it with the reason in the exercise's \
         mutants/TOPIC/NAME/{EQUIVALENT_FILE}:\n\n[[equivalent]]\nmutant = \"replace > with >= in Type::method\"\n\
         why = \"equal values may go to either heap: the rebalancing after it is the same\""
    )?;
    Ok(ExitCode::FAILURE)
}

fn require_cargo_mutants() -> Result<()> {
    let found = Command::new("cargo")
        .args(["mutants", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        bail!(
            "--mutate needs cargo-mutants, which is not installed: `cargo install --locked cargo-mutants` \
             (https://mutants.rs)"
        );
    }
    Ok(())
}

/// The recorded equivalent mutants of `ex`, by name.
fn equivalents(course: &Course, ex: &Exercise) -> Result<BTreeMap<String, String>> {
    let rel = format!("{}/{EQUIVALENT_FILE}", ex.mutants_rel_dir());
    let Some(text) = course.read_optional(&rel)? else {
        return Ok(BTreeMap::new());
    };
    let parsed: Equivalents =
        toml::from_str(&text).with_context(|| course.shown_file(&rel).to_string())?;
    Ok(parsed
        .equivalent
        .into_iter()
        .map(|e| (e.mutant, e.why))
        .collect())
}

/// Builds `ex` as a small package (solution and checks, as a grade composes them), runs
/// cargo-mutants on the solution file and sorts its survivors.
fn mutate_one(
    course: &Course,
    ex: &Exercise,
    equivalents: &BTreeMap<String, String>,
) -> Result<Tally> {
    let package = TempDir::new("backlings-mutate-").context("creating a scratch directory")?;
    let dir = package.path();
    let solution_file = format!("src/{}.rs", ex.name);
    let support = course.checks_support()?;
    let root = editor_crate_root(
        &ex.name,
        "kit.rs",
        (!support.is_empty()).then_some("support.rs"),
        "checks.rs",
        &format!("{}.rs", ex.name),
    );
    let manifest = format!(
        "[package]\nname = \"mutate-{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\npath = \"src/lib.rs\"\n\n[workspace]\n",
        ex.name.replace('_', "-")
    );
    for (rel, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("src/lib.rs", &root),
        ("src/kit.rs", CHECKS_KIT),
        ("src/checks.rs", &course.checks(ex)?),
        (solution_file.as_str(), &course.solution(ex)?),
    ] {
        write_new(&dir.join(rel), text.as_bytes())?;
    }
    if !support.is_empty() {
        write_new(&dir.join("src").join("support.rs"), support.as_bytes())?;
    }
    let output = dir.join("out");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The checks run one at a time, as a grade runs them: complexity checks compare timings.
    let ran = Command::new("cargo")
        .args(["mutants", "--no-shuffle", "--colors=never", "--file"])
        .arg(&solution_file)
        .arg("--jobs")
        .arg(jobs.to_string())
        .arg("--output")
        .arg(&output)
        .args(["--cargo-test-arg=--", "--cargo-test-arg=--test-threads=1"])
        // Each parallel job builds its own copy of the package: one shared target directory
        // would let one mutant's test binary replace another's.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .current_dir(dir)
        .stdout(Stdio::null())
        .output()
        .context("running cargo mutants")?;
    let outcomes = output.join("mutants.out");
    let text = fs::read_to_string(outcomes.join("outcomes.json")).with_context(|| {
        format!(
            "cargo mutants wrote no outcomes (exit {}): {}",
            ran.status,
            String::from_utf8_lossy(&ran.stderr).trim()
        )
    })?;
    tally(&text, &outcomes, &solution_file, equivalents)
}

#[derive(Deserialize)]
struct Outcomes {
    outcomes: Vec<OutcomeEntry>,
}

#[derive(Deserialize)]
struct OutcomeEntry {
    scenario: serde_json::Value,
    summary: String,
    diff_path: Option<String>,
}

/// Sorts cargo-mutants' outcomes: caught, timed out, unviable, and survivors explained by
/// `equivalents` or not.
fn tally(
    outcomes_json: &str,
    out_dir: &Path,
    solution_file: &str,
    equivalents: &BTreeMap<String, String>,
) -> Result<Tally> {
    let parsed: Outcomes = serde_json::from_str(outcomes_json).context("reading outcomes.json")?;
    let mut tally = Tally::default();
    let mut matched = Vec::new();
    for entry in parsed.outcomes {
        let Some(name) = entry.scenario["Mutant"]["name"].as_str() else {
            if entry.summary != "Success" {
                bail!(
                    "the reference solution fails its own checks in cargo's build ({})",
                    entry.summary
                );
            }
            continue;
        };
        match entry.summary.as_str() {
            "CaughtMutant" => tally.caught += 1,
            "Timeout" => tally.timeouts += 1,
            "Unviable" => tally.unviable += 1,
            _ => {
                let short = without_position(name, solution_file);
                if equivalents.contains_key(short) {
                    tally.explained += 1;
                    matched.push(short.to_string());
                } else {
                    let diff = entry
                        .diff_path
                        .and_then(|p| fs::read_to_string(out_dir.join(p)).ok())
                        .unwrap_or_default();
                    tally.unexplained.push((short.to_string(), diff));
                }
            }
        }
    }
    tally.stale = equivalents
        .keys()
        .filter(|name| !matched.contains(name))
        .cloned()
        .collect();
    Ok(tally)
}

/// `src/x.rs:36:33: replace > with >= in F` without its file and position.
fn without_position<'a>(name: &'a str, file: &str) -> &'a str {
    name.strip_prefix(file)
        .and_then(|rest| rest.splitn(4, ':').nth(3))
        .map_or(name, str::trim_start)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutant_is_named_without_its_position() {
        assert_eq!(
            without_position(
                "src/m.rs:36:33: replace > with >= in MedianFinder::insert",
                "src/m.rs"
            ),
            "replace > with >= in MedianFinder::insert"
        );
        assert_eq!(without_position("other", "src/m.rs"), "other");
    }

    #[test]
    fn survivors_are_explained_or_reported_and_stale_records_are_named() {
        let json = r#"{"outcomes": [
            {"scenario": "Baseline", "summary": "Success"},
            {"scenario": {"Mutant": {"name": "src/m.rs:1:2: replace a with b in f"}}, "summary": "CaughtMutant"},
            {"scenario": {"Mutant": {"name": "src/m.rs:3:4: replace > with >= in f"}}, "summary": "MissedMutant"},
            {"scenario": {"Mutant": {"name": "src/m.rs:5:6: replace f -> bool with true"}}, "summary": "MissedMutant"},
            {"scenario": {"Mutant": {"name": "src/m.rs:7:8: delete ! in g"}}, "summary": "Timeout"},
            {"scenario": {"Mutant": {"name": "src/m.rs:9:9: replace g -> X with Default::default()"}}, "summary": "Unviable"}
        ]}"#;
        let equivalents = BTreeMap::from([
            ("replace > with >= in f".to_string(), "ties".to_string()),
            ("replace < with <= in h".to_string(), "gone".to_string()),
        ]);
        let tally = tally(json, Path::new("/nowhere"), "src/m.rs", &equivalents).unwrap();
        assert_eq!(
            (
                tally.caught,
                tally.timeouts,
                tally.unviable,
                tally.explained
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(
            tally.unexplained,
            [("replace f -> bool with true".to_string(), String::new())]
        );
        assert_eq!(tally.stale, ["replace < with <= in h"]);
    }
}
