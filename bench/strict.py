#!/usr/bin/env python3
"""What strict grading (`--strict`: `unsafe` forbidden, the checks in bubblewrap's sandbox)
costs against ordinary grading, and what ordinary grading costs now against a backlings from
before strict mode existed (BENCH_BASELINE, a commit), measured in one run on one machine.

    python3 bench/strict.py            # builds both release binaries first; ~5 minutes
    BENCH_REPS=3 BENCH_BASELINE=883970b python3 bench/strict.py

Each mode grades in a workspace of its own (their crate roots differ, so a shared
incremental cache would be rebuilt at every switch). For each core exercise, rotating the
modes within every repetition: `backlings run NAME` after an edit of the solution; then
`backlings check` over the whole course. Prints medians with min/max, the ratios, and the
targets: strict at most 10 % over the default, and the default no slower than before.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from bench import CORE, REPO, Edits, course_exercises, fmt_row, read, timed, write_by_rename

REPS = int(os.environ.get("BENCH_REPS", "7"))
CHECK_REPS = int(os.environ.get("BENCH_CHECK_REPS", "3"))
# The last commit before the runtime sentinel, the symbol check and strict mode.
BASELINE = os.environ.get("BENCH_BASELINE", "883970b")


def build(source_dir, target_dir):
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=source_dir,
                   check=True, env={**os.environ, "CARGO_TARGET_DIR": target_dir})
    return os.path.join(target_dir, "release", "backlings")


def main():
    if shutil.which("bwrap") is None:
        sys.exit("strict grading needs bubblewrap: install it (apt-get install bubblewrap)")
    root = tempfile.mkdtemp(prefix="backlings-bench-strict-")
    try:
        print("building the release binary…", file=sys.stderr)
        binary = build(REPO, os.path.join(REPO, "target"))
        print(f"building the baseline {BASELINE}…", file=sys.stderr)
        old_tree = os.path.join(root, "baseline")
        subprocess.run(["git", "worktree", "add", "-q", "--detach", old_tree, BASELINE],
                       cwd=REPO, check=True)
        try:
            old_binary = build(old_tree, os.path.join(root, "baseline-target"))
            shutil.copy(old_binary, os.path.join(root, "backlings-baseline"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", old_tree], cwd=REPO)
        modes = {
            "before": (os.path.join(root, "backlings-baseline"), []),
            "default": (binary, ["--no-strict"]),
            "strict": (binary, ["--strict"]),
        }
        spaces = {}
        for mode, (program, _) in modes.items():
            spaces[mode] = os.path.join(root, f"ws-{mode}")
            subprocess.run([program, "init", spaces[mode]], check=True, stdout=subprocess.DEVNULL)
        measured = bench_modes(modes, spaces)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report(*measured)


def bench_modes(modes, spaces):
    edits = Edits()

    def edit(mode, topic, name):
        write_by_rename(os.path.join(spaces[mode], f"exercises/{topic}/{name}.rs"),
                        edits(read(f"solutions/{topic}/{name}.rs")))

    def grade(mode, argv):
        program, flags = modes[mode]
        return timed([program, *argv, *flags], spaces[mode])

    names = list(modes)
    runs = {(name, mode): [] for _, name in CORE for mode in modes}
    for topic, name in CORE:  # warm each workspace's incremental cache
        for mode in modes:
            edit(mode, topic, name)
            grade(mode, ["run", name])
    for rep in range(REPS):
        print(f"repetition {rep + 1}/{REPS}…", file=sys.stderr)
        order = names[rep % len(names):] + names[:rep % len(names)]
        for topic, name in CORE:
            for mode in order:
                edit(mode, topic, name)
                runs[(name, mode)].append(grade(mode, ["run", name]))

    print("measuring check over the course…", file=sys.stderr)
    exercises = course_exercises()
    checks = {mode: [] for mode in modes}
    for mode in modes:
        for name, topic in exercises:
            edit(mode, topic, name)
        grade(mode, ["check"])
    for rep in range(CHECK_REPS):
        for mode in names[rep % len(names):] + names[:rep % len(names)]:
            for name, topic in exercises:
                edit(mode, topic, name)
            checks[mode].append(grade(mode, ["check"]))
    return modes, runs, checks, len(exercises)


def report(modes, runs, checks, n_course):
    med = statistics.median
    print(f"strict grading benchmark: {os.cpu_count()} cores, {REPS} repetitions, "
          f"baseline {BASELINE}")
    strict_ratios, default_ratios = [], []
    for _, name in CORE:
        print(f"\n{name}")
        for mode in modes:
            print(fmt_row(f"run {mode}", runs[(name, mode)]))
        strict = med(runs[(name, "strict")]) / med(runs[(name, "default")])
        default = med(runs[(name, "default")]) / med(runs[(name, "before")])
        strict_ratios.append(strict)
        default_ratios.append(default)
        print(f"  ratios: strict/default {strict:.2f}, default/before {default:.2f}")
    print(f"\ncheck over the course ({n_course} exercises)")
    for mode in modes:
        print(fmt_row(f"check {mode}", checks[mode]))
    check_strict = med(checks["strict"]) / med(checks["default"])
    check_default = med(checks["default"]) / med(checks["before"])
    print(f"  ratios: strict/default {check_strict:.2f}, default/before {check_default:.2f}")

    # "No slower" allows the 5 % that medians of a handful of runs wander on a shared machine.
    print("\ntargets (ratios are of medians from this run)")
    for label, value, limit in [
        ("run --strict <= 1.10x run", max(strict_ratios), 1.10),
        ("check --strict <= 1.10x check", check_strict, 1.10),
        ("run no slower than before (<= 1.05x)", max(default_ratios), 1.05),
        ("check no slower than before (<= 1.05x)", check_default, 1.05),
    ]:
        print(f"  {'met   ' if value <= limit else 'MISSED'}  {label}: {value:.2f}x")


if __name__ == "__main__":
    main()
