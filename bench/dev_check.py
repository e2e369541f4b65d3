#!/usr/bin/env python3
"""How long `backlings dev check` takes to prove the built-in course, against the way it
proved it before it kept build caches and stopped mutants at their first failed check.

    python3 bench/dev_check.py                 # builds the release binary first; ~15 minutes
    BENCH_REPS=1 python3 bench/dev_check.py    # quicker, noisier

Each repetition runs both, in alternating order:
  former   what dev check did then, replayed on today's course: every stub, solution and
           mutant compiled from scratch (rustc with the grader's flags, on the crate the grader
           composes), its tests listed, then every check run with the sentinel's number on
           stdin and stopped at the exercise's time limit, one job per core at a time. It
           leaves out the grader's own bookkeeping, so it is, if anything, a little faster
           than the former dev check was.
  now      `backlings dev check`, which must find the course sound.
Prints medians with min/max and the ratio now/former, against issue 18's target of 0.5.
"""

import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import time

from graded_crate import REPO, RUSTC_FLAGS, course_exercises, crate_root, read, time_limits

REPS = int(os.environ.get("BENCH_REPS", "3"))
TARGET = 0.5


def jobs():
    """(exercise, checks, source, time limit) of every grade dev check makes: stub, solution,
    mutants."""
    out = []
    limits = time_limits()
    for name, topic in course_exercises():
        checks = read(f"checks/{topic}/{name}.rs")
        mutants = os.path.join(REPO, "mutants", topic, name)
        files = [f"exercises/{topic}/{name}.rs", f"solutions/{topic}/{name}.rs"]
        files += [f"mutants/{topic}/{name}/{m}" for m in sorted(os.listdir(mutants))
                  if m.endswith(".rs")]
        out += [(name, checks, read(f), limits[name]) for f in files]
    return out


def former_grade(job):
    name, checks, source, time_limit = job
    with tempfile.TemporaryDirectory(prefix="backlings-bench-former-") as scratch:
        learner = os.path.join(scratch, f"{name}.rs")
        with open(learner, "w") as f:
            f.write(source)
        binary = os.path.join(scratch, "checks")
        subprocess.run(["rustc", *RUSTC_FLAGS, "-o", binary, "-"],
                       input=crate_root(name, checks, learner).encode(), capture_output=True)
        if not os.path.exists(binary):
            raise SystemExit(f"{name}: a file of the course does not compile")
        workdir = os.path.join(scratch, "run")
        os.mkdir(workdir)
        subprocess.run([binary, "--list", "--format", "terse"], cwd=workdir,
                       capture_output=True)
        try:
            subprocess.run([binary, "--test-threads=1", "--logfile",
                            os.path.join(scratch, "results.log")],
                           input=b"0123456789abcdef\n", cwd=workdir, capture_output=True,
                           timeout=time_limit)
        except subprocess.TimeoutExpired:
            pass  # the former dev check, too, killed a run at the time limit: a failure


def former(all_jobs):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(former_grade, all_jobs))
    return time.perf_counter() - start


def now(binary):
    start = time.perf_counter()
    done = subprocess.run([binary, "dev", "check"], cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"backlings dev check failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main():
    print("building the release binary…", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    binary = os.path.join(target, "release", "backlings")
    all_jobs = jobs()
    samples = {"former": [], "now": []}
    for rep in range(REPS):
        order = ["former", "now"] if rep % 2 == 0 else ["now", "former"]
        for variant in order:
            print(f"repetition {rep + 1}/{REPS}: {variant}…", file=sys.stderr)
            samples[variant].append(former(all_jobs) if variant == "former" else now(binary))

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout
    print(f"dev check of the built-in course ({len(course_exercises())} exercises, "
          f"{len(all_jobs)} grades): {os.cpu_count()} cores, {REPS} repetitions, {rustc.strip()}")
    for variant, xs in samples.items():
        print(f"  {variant:7} median {statistics.median(xs):7.1f} s  "
              f"(min {min(xs):.1f}, max {max(xs):.1f})")
    ratio = statistics.median(samples["now"]) / statistics.median(samples["former"])
    print(f"\ntarget (a ratio of medians from this run)\n"
          f"  {'met   ' if ratio <= TARGET else 'MISSED'}  now / former <= {TARGET}: {ratio:.2f}")


if __name__ == "__main__":
    main()
