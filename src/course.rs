//! The course: `info.toml` plus the stub, solution, checks and mutants of every exercise.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use toml::Spanned;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_course.rs"));
}

/// The `info.toml` format this tool reads.
pub const FORMAT_VERSION: u32 = 1;
/// Helpers shared by every checks file of a course, compiled beside each exercise's checks as
/// their module `support`; optional.
pub const CHECKS_SUPPORT: &str = "checks/support.rs";
/// Time a hidden-check run may take when `info.toml` does not say.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Where a course's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into this binary.
    Builtin,
    /// A course directory on disk with the same layout as the built-in one.
    Dir(PathBuf),
}

#[derive(Debug)]
pub struct Course {
    pub origin: Origin,
    /// The course directory as it was named (`course`, `..`, empty for `.`), so that paths
    /// in messages read from where the author is; `None` for the built-in course.
    shown_dir: Option<PathBuf>,
    pub welcome_message: String,
    pub final_message: String,
    pub exercises: Vec<Exercise>,
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub name: String,
    /// The topic directory: files live at `exercises/<topic>/<name>.rs`.
    pub topic: String,
    pub summary: String,
    pub hints: Vec<String>,
    pub time_limit: Duration,
    /// `file:line:col` of its entry in `info.toml`, for errors about it.
    pub defined_at: String,
}

impl Exercise {
    /// Path of the learner's file, relative to the workspace (and of the stub, relative to the course).
    pub fn rel_path(&self) -> String {
        format!("exercises/{}/{}.rs", self.topic, self.name)
    }
    pub fn solution_rel_path(&self) -> String {
        format!("solutions/{}/{}.rs", self.topic, self.name)
    }
    pub fn checks_rel_path(&self) -> String {
        format!("checks/{}/{}.rs", self.topic, self.name)
    }
    /// What an interviewer asks once the code works: shown after a pass; optional.
    pub fn debrief_rel_path(&self) -> String {
        format!("debriefs/{}/{}.md", self.topic, self.name)
    }
    pub fn mutants_rel_dir(&self) -> String {
        format!("mutants/{}/{}", self.topic, self.name)
    }
    /// The learner's file as a learner reads paths on this OS: `exercises\parsing\query_string.rs`
    /// on Windows.
    pub fn shown_path(&self) -> String {
        shown(&self.rel_path())
    }
}

/// A course path (always written with `/`, as in `info.toml` and the embedded course) as a
/// path of this OS, so joined and shown paths never mix separators.
pub fn native(rel: &str) -> PathBuf {
    rel.split('/').collect()
}

/// A course path as the learner reads paths on this OS.
pub fn shown(rel: &str) -> String {
    native(rel).display().to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoFile {
    format_version: Spanned<u32>,
    welcome_message: String,
    final_message: String,
    #[serde(default)]
    exercises: Vec<ExerciseEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseEntry {
    name: Spanned<String>,
    dir: Spanned<String>,
    summary: String,
    hints: Vec<String>,
    time_limit_secs: Option<Spanned<f64>>,
}

impl Course {
    pub fn builtin() -> Result<Course> {
        let info = read_embedded("info.toml").context("the built-in course has no info.toml")?;
        Course::parse(Origin::Builtin, None, info)
    }

    pub fn from_dir(dir: &Path) -> Result<Course> {
        let path = dir.join("info.toml");
        let text = fs::read_to_string(&path)
            .with_context(|| format!("reading the course description {}", path.display()))?;
        let dir = crate::platform::canonicalize(dir)
            .with_context(|| format!("resolving {}", dir.display()))?;
        let shown = path.strip_prefix(".").unwrap_or(&path);
        let shown_dir = shown.parent().map(Path::to_path_buf).unwrap_or_default();
        Course::parse(Origin::Dir(dir), Some(shown_dir), &text)
    }

    pub fn load(origin: &Origin) -> Result<Course> {
        match origin {
            Origin::Builtin => Course::builtin(),
            Origin::Dir(dir) => Course::from_dir(dir),
        }
    }

    /// Parses `info.toml`; `file` names it in error messages, which carry line and column.
    fn parse(origin: Origin, shown_dir: Option<PathBuf>, text: &str) -> Result<Course> {
        let file = match &shown_dir {
            Some(dir) => dir.join("info.toml").display().to_string(),
            None => "info.toml (built in)".to_string(),
        };
        let at = |span: std::ops::Range<usize>| {
            let (line, col) = line_col(text, span.start);
            format!("{file}:{line}:{col}")
        };
        let info: InfoFile = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => anyhow::anyhow!("{}: {}", at(span), e.message().trim_end()),
            None => anyhow::anyhow!("{file}: {e}"),
        })?;
        if *info.format_version.get_ref() != FORMAT_VERSION {
            bail!(
                "{}: format_version {} is not supported by this backlings (it reads version {FORMAT_VERSION}); \
                 upgrade backlings with `cargo install backlings` or use a course written for version {FORMAT_VERSION}",
                at(info.format_version.span()),
                info.format_version.get_ref()
            );
        }
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut exercises = Vec::with_capacity(info.exercises.len());
        for entry in info.exercises {
            let name = entry.name.get_ref().clone();
            let here = at(entry.name.span());
            if !is_identifier(&name) {
                bail!(
                    "{here}: exercise name {name:?} must be a lowercase Rust identifier that is not a keyword (letters, digits, `_`)"
                );
            }
            if RESERVED_NAMES.contains(&name.as_str()) {
                bail!("{here}: exercise name {name:?} is taken: {RESERVED_WHY}");
            }
            if !is_identifier(entry.dir.get_ref()) {
                bail!(
                    "{}: dir {:?} must be a lowercase identifier (it becomes a directory name)",
                    at(entry.dir.span()),
                    entry.dir.get_ref()
                );
            }
            if let Some(first) = seen.insert(name.clone(), here.clone()) {
                bail!("{here}: duplicate exercise name {name:?} (first defined at {first})");
            }
            let time_limit = match entry.time_limit_secs {
                None => DEFAULT_TIME_LIMIT,
                Some(secs) => {
                    let value = *secs.get_ref();
                    if !(value > 0.0 && value <= 600.0) {
                        bail!(
                            "{}: time_limit_secs must be between 0 and 600 seconds, found {value}",
                            at(secs.span())
                        );
                    }
                    Duration::from_secs_f64(value)
                }
            };
            exercises.push(Exercise {
                name,
                topic: entry.dir.into_inner(),
                summary: entry.summary,
                hints: entry.hints,
                time_limit,
                defined_at: here,
            });
        }
        Ok(Course {
            origin,
            shown_dir,
            welcome_message: info.welcome_message,
            final_message: info.final_message,
            exercises,
        })
    }

    /// A course file (`rel`, `/`-separated) as the author reads its path: from where the
    /// course was named, like each exercise's `defined_at` (`course/checks/t/a.rs`,
    /// `../checks/t/a.rs`).
    pub fn shown_file(&self, rel: &str) -> String {
        match &self.shown_dir {
            Some(dir) => dir.join(native(rel)).display().to_string(),
            None => shown(rel),
        }
    }

    pub fn find(&self, name: &str) -> Result<&Exercise> {
        if let Some(ex) = self.exercises.iter().find(|e| e.name == name) {
            return Ok(ex);
        }
        let quoted: Vec<String> = self
            .suggestions(name)
            .iter()
            .map(|n| format!("{n:?}"))
            .collect();
        match quoted.as_slice() {
            [] => bail!("no exercise named {name:?}; `backlings list` shows them all"),
            [one] => bail!("no exercise named {name:?}; did you mean {one}?"),
            many => bail!(
                "no exercise named {name:?}; did you mean one of {}?",
                many.join(", ")
            ),
        }
    }

    /// The exercises a learner most likely meant by `typed`: the same name in another case or
    /// with `-` for `_`; else those it begins (`lru`), or begins a word of (`limiter` names
    /// every rate limiter); else the closest by edit distance.
    fn suggestions(&self, typed: &str) -> Vec<&str> {
        const MOST: usize = 6;
        let wanted = typed.to_lowercase().replace('-', "_");
        let names = || self.exercises.iter().map(|e| e.name.as_str());
        if let Some(same) = names().find(|n| *n == wanted) {
            return vec![same];
        }
        if wanted.is_empty() {
            return Vec::new();
        }
        let prefixed: Vec<&str> = names().filter(|n| n.starts_with(&wanted)).collect();
        if !prefixed.is_empty() {
            return prefixed.into_iter().take(MOST).collect();
        }
        let by_word: Vec<&str> = names()
            .filter(|n| n.split('_').any(|word| word.starts_with(&wanted)))
            .collect();
        if !by_word.is_empty() {
            return by_word.into_iter().take(MOST).collect();
        }
        names()
            .map(|n| (edit_distance(&wanted, n), n))
            .min()
            .filter(|(d, _)| *d <= wanted.len().max(3) / 2)
            .map(|(_, n)| n)
            .into_iter()
            .collect()
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.exercises.iter().position(|e| e.name == name)
    }

    /// Reads a course file by its path relative to the course root.
    pub fn read(&self, rel: &str) -> Result<Cow<'static, str>> {
        match &self.origin {
            Origin::Builtin => read_embedded(rel)
                .map(Cow::Borrowed)
                .with_context(|| format!("the built-in course has no file {rel}")),
            Origin::Dir(dir) => {
                let path = dir.join(native(rel));
                fs::read_to_string(&path)
                    .map(Cow::Owned)
                    .with_context(|| format!("reading course file {}", path.display()))
            }
        }
    }

    pub fn stub(&self, ex: &Exercise) -> Result<Cow<'static, str>> {
        self.read_for(ex, &ex.rel_path())
    }
    pub fn solution(&self, ex: &Exercise) -> Result<Cow<'static, str>> {
        self.read_for(ex, &ex.solution_rel_path())
    }
    pub fn checks(&self, ex: &Exercise) -> Result<Cow<'static, str>> {
        self.read_for(ex, &ex.checks_rel_path())
    }

    /// The debrief of `ex`, if the course has one.
    pub fn debrief(&self, ex: &Exercise) -> Result<Option<Cow<'static, str>>> {
        self.read_optional(&ex.debrief_rel_path())
    }

    /// Whether the course has a debrief for `ex`, without reading it.
    pub fn has_debrief(&self, ex: &Exercise) -> bool {
        let rel = ex.debrief_rel_path();
        match &self.origin {
            Origin::Builtin => read_embedded(&rel).is_some(),
            Origin::Dir(dir) => dir.join(native(&rel)).is_file(),
        }
    }

    /// The course's shared checks helpers (`checks/support.rs`), or nothing if it has none.
    pub fn checks_support(&self) -> Result<Cow<'static, str>> {
        Ok(self
            .read_optional(CHECKS_SUPPORT)?
            .unwrap_or(Cow::Borrowed("")))
    }

    /// A course file that may be missing: `None` then.
    pub fn read_optional(&self, rel: &str) -> Result<Option<Cow<'static, str>>> {
        match &self.origin {
            Origin::Builtin => Ok(read_embedded(rel).map(Cow::Borrowed)),
            Origin::Dir(dir) => {
                let path = dir.join(native(rel));
                match fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(Cow::Owned(text))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => {
                        Err(e).with_context(|| format!("reading course file {}", path.display()))
                    }
                }
            }
        }
    }

    /// Reads one of `ex`'s own files; an error names the `info.toml` entry that needs it.
    fn read_for(&self, ex: &Exercise, rel: &str) -> Result<Cow<'static, str>> {
        self.read(rel).with_context(|| {
            format!(
                "{}: exercise {:?} needs the file {rel}",
                ex.defined_at, ex.name
            )
        })
    }

    /// Every mutant of an exercise as `(slug, source)`, sorted by slug.
    pub fn mutants(&self, ex: &Exercise) -> Result<Vec<(String, Cow<'static, str>)>> {
        let dir = ex.mutants_rel_dir();
        let mut slugs: Vec<String> = self
            .list_files()?
            .into_iter()
            .filter_map(|rel| {
                let rest = rel.strip_prefix(&dir)?.strip_prefix('/')?;
                rest.strip_suffix(".rs").map(str::to_string)
            })
            .collect();
        slugs.sort();
        slugs
            .into_iter()
            .map(|slug| {
                let src = self.read(&format!("{dir}/{slug}.rs"))?;
                Ok((slug, src))
            })
            .collect()
    }

    /// Every file of the course (relative, `/`-separated) under its directories.
    pub fn list_files(&self) -> Result<Vec<String>> {
        match &self.origin {
            Origin::Builtin => Ok(embedded::FILES
                .iter()
                .map(|(p, _)| p.to_string())
                .filter(|p| p != "info.toml")
                .collect()),
            Origin::Dir(dir) => {
                let mut out = Vec::new();
                for top in COURSE_DIRS {
                    walk(dir, Path::new(top), &mut out)?;
                }
                Ok(out)
            }
        }
    }
}

fn read_embedded(rel: &str) -> Option<&'static str> {
    embedded::FILES
        .iter()
        .find(|(p, _)| *p == rel)
        .map(|(_, text)| *text)
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<String>) -> Result<()> {
    let abs = root.join(rel);
    if !abs.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(&abs).with_context(|| format!("listing {}", abs.display()))? {
        let entry = entry?;
        let child = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            walk(root, &child, out)?;
        } else {
            out.push(child.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The directories of a course beside `info.toml`, as build.rs embeds them.
pub const COURSE_DIRS: [&str; 5] = ["exercises", "solutions", "checks", "mutants", "debriefs"];

/// Module names the graded crate keeps for its own: the checks kit and the course's support.
pub const RESERVED_NAMES: &[&str] = &["kit", "support"];
pub const RESERVED_WHY: &str =
    "the checks' helpers are the modules `kit` and `support` of the crate each grade compiles";

/// Whether `s` can name an exercise: a lowercase identifier that is also a valid module name.
pub fn is_identifier(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "try", "type", "unsafe", "use", "where", "while", "yield", "abstract", "become",
        "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
    ];
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && s != "_"
        && !KEYWORDS.contains(&s)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "format_version = 1\nwelcome_message = \"hi\"\nfinal_message = \"bye\"\n";

    #[test]
    fn duplicate_names_point_at_the_second_definition() {
        let text = format!(
            "{MINIMAL}[[exercises]]\nname = \"a\"\ndir = \"t\"\nsummary = \"s\"\nhints = []\n\
             [[exercises]]\nname = \"a\"\ndir = \"t\"\nsummary = \"s\"\nhints = []\n"
        );
        let err = Course::parse(Origin::Builtin, Some(PathBuf::new()), &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "info.toml:10:8: duplicate exercise name \"a\" (first defined at info.toml:5:8)"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_location() {
        let text = format!(
            "{MINIMAL}[[exercises]]\nname = \"a\"\ndir = \"t\"\nsummary = \"s\"\nhints = []\nhint = 1\n"
        );
        let err = Course::parse(Origin::Builtin, Some(PathBuf::new()), &text).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("info.toml:9:1: unknown field `hint`"),
            "{msg}"
        );
    }

    #[test]
    fn unsupported_format_version_is_named() {
        let text = MINIMAL.replace("= 1", "= 7");
        let err = Course::parse(Origin::Builtin, Some(PathBuf::new()), &text).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("info.toml:1:18: format_version 7 is not supported"),
            "{err}"
        );
    }

    #[test]
    fn suggestions_find_a_case_a_prefix_a_word_or_a_typo() {
        let course = Course::builtin().unwrap();
        assert_eq!(course.suggestions("LRU_CACHE"), ["lru_cache"]);
        assert_eq!(course.suggestions("lru-cache"), ["lru_cache"]);
        assert_eq!(course.suggestions("lru"), ["lru_cache"]);
        assert_eq!(course.suggestions("TTL"), ["ttl_cache"]);
        assert_eq!(course.suggestions("lru_cahce"), ["lru_cache"]);
        let limiters = course.suggestions("limiter");
        assert!(limiters.len() >= 3, "{limiters:?}");
        assert!(
            limiters.iter().all(|n| n.contains("limiter")),
            "{limiters:?}"
        );
        assert!(course.suggestions("zzzzzzzz").is_empty());
        assert!(course.suggestions("").is_empty());
    }

    #[test]
    fn suggestions_use_edit_distance() {
        assert_eq!(edit_distance("lru_cahce", "lru_cache"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("lru_cache2"));
        assert!(!is_identifier("2lru"));
        assert!(!is_identifier("Lru"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier("_"));
        assert!(!is_identifier("type"));
    }

    #[test]
    fn paths_are_shown_and_joined_with_the_os_separator() {
        let course = Course::builtin().unwrap();
        let ex = &course.exercises[course.index_of("query_string").unwrap()];
        let expected = if cfg!(windows) {
            r"exercises\parsing\query_string.rs"
        } else {
            "exercises/parsing/query_string.rs"
        };
        assert_eq!(ex.shown_path(), expected);
        let joined = Path::new("ws").join(native(&ex.rel_path()));
        assert_eq!(
            joined.display().to_string(),
            format!("ws{}{expected}", std::path::MAIN_SEPARATOR)
        );
    }
}
