"""The crate the grader compiles for one learner file, composed as src/grader/harness.rs does,
for benchmarks that time plain rustc or cargo on the same sources."""

import os
import re
import tomllib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# rustc's flags for a grade (src/grader/compile.rs), but for the output path and the root.
RUSTC_FLAGS = ["--test", "--edition", "2024", "--crate-name", "backlings_grade",
               "--error-format=json", "--json=diagnostic-rendered-ansi",
               "-C", "debuginfo=0", "-C", "strip=debuginfo"]


def read(rel):
    with open(os.path.join(REPO, rel)) as f:
        return f.read()


def _raw_string(name):
    harness = read("src/grader/harness.rs")
    found = re.search(rf'const {name}: &str = r#"(.*?)"#;', harness, re.S)
    if not found:
        raise SystemExit(f"src/grader/harness.rs no longer defines {name} as a raw string")
    return found.group(1)


def crate_root(name, checks, learner_path):
    """The crate root of a grade of exercise `name` with `checks`, the learner's file at
    `learner_path` (absolute, or relative to the root's own file)."""
    support_path = os.path.join(REPO, "checks", "support.rs")
    support = read("checks/support.rs") if os.path.exists(support_path) else ""
    root = _raw_string("CHECKS_PRELUDE")
    root += f"#[allow(warnings)]\nmod kit {{\n{read('src/grader/checks_kit.rs')}\n}}\n"
    if support:
        root += f"#[allow(warnings)]\nmod support {{\n{support}\n}}\n"
    root += "mod __checks_scope {\n    pub(crate) use crate::kit;\n"
    root += "    pub(crate) use crate::support;\n" if support else ""
    root += "}\n"
    root += (f"#[allow(warnings)]\nmod __hidden_checks {{\nuse crate::__checks_scope::*;\n"
             f"{checks}\n{_raw_string('SENTINEL')}\n}}\n")
    root += f'#[path = "{learner_path}"]\npub mod {name};\n'
    return root


def _exercises():
    with open(os.path.join(REPO, "info.toml"), "rb") as f:
        return tomllib.load(f)["exercises"]


def course_exercises():
    """(name, topic) of every exercise of the built-in course, in info.toml's order."""
    return [(ex["name"], ex["dir"]) for ex in _exercises()]


def time_limits():
    """Each exercise's time limit in seconds, by name: its time_limit_secs, else
    src/course.rs's DEFAULT_TIME_LIMIT."""
    found = re.search(r"const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs\((\d+)\);",
                      read("src/course.rs"))
    if not found:
        raise SystemExit("src/course.rs no longer defines DEFAULT_TIME_LIMIT in whole seconds")
    default = float(found.group(1))
    return {ex["name"]: float(ex.get("time_limit_secs", default)) for ex in _exercises()}
