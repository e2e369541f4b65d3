#!/usr/bin/env python3
"""How fast backlings grades, against the bare-rustc floor and the cargo path.

    python3 bench/bench.py            # builds the release binary first; ~5 minutes
    BENCH_REPS=3 BENCH_IDLE_SECS=10 python3 bench/bench.py   # quicker, noisier

For each core exercise, alternating the variants within every repetition:
  watch pass / fail / error   watch mode in a real pty, on a file failing one check's worth
                              (a mutant): saving the solution / another mutant / a file
                              with a type error, until the new verdict is drawn
  run                         `backlings run NAME` after an edit
  floor                       plain `rustc --test` (default flags) of the same learner file
                              and checks, then running the test binary
  cargo                       the same sources as a crate: `cargo test` after an edit
Then: the idle watcher's CPU and RSS, `backlings check` over the whole course against the
sum of single grades divided by the cores, and `backlings list` / `--help` start-up.
Prints medians with min/max, the ratios, and each target from issue 5 as met or missed.
"""

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

from graded_crate import REPO, course_exercises, crate_root, read
CORE = [
    ("parsing", "query_string"),
    ("streams", "abuse_detector"),
    ("caching", "lru_cache"),
    ("streams", "stream_median"),
]
REPS = int(os.environ.get("BENCH_REPS", "5"))
IDLE_SECS = float(os.environ.get("BENCH_IDLE_SECS", "30"))
CHECK_REPS = int(os.environ.get("BENCH_CHECK_REPS", "3"))
CLEAR = b"\x1b[2J"
# Appended to a learner file so every write is an edit (a new hash, new incremental input).
BROKEN = '\npub fn __bench_broken() -> u32 { "not a number" }\n'


def write_by_rename(path, text):
    """Saves the way most editors do: write a temp file, rename it over the old one."""
    tmp = path + ".bench-tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def timed(argv, cwd, env=None):
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


class Edits:
    """Numbers each write so no two contents are the same."""

    def __init__(self):
        self.n = 0

    def __call__(self, text):
        self.n += 1
        return f"{text}\n// bench edit {self.n}\n"


class Watcher:
    """`backlings` in a pseudo-terminal; frames are split at the clear-screen sequence."""

    def __init__(self, binary, ws):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(ws)
            os.environ["NO_COLOR"] = "1"
            os.environ["COLUMNS"], os.environ["LINES"] = "120", "50"
            os.execv(binary, [binary])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        self.buf = b""

    def wait_frame(self, needle, timeout=60.0, while_grading=False):
        """Waits for a frame holding `needle` and, unless `while_grading`, not drawn while a
        grade runs (that frame still shows the previous verdict); returns when it came."""
        deadline = time.perf_counter() + timeout
        wanted = needle.encode()
        busy = "grading…".encode()

        def shows(frame):
            return wanted in frame and (while_grading or busy not in frame)

        while True:
            frames = self.buf.split(CLEAR)
            # The last frame may still be arriving; complete frames are all but the last.
            for i, frame in enumerate(frames[:-1]):
                if shows(frame):
                    self.buf = CLEAR.join(frames[i + 1:])
                    return time.perf_counter()
            last = frames[-1]
            if shows(last) and self.settled():
                self.buf = b""
                return time.perf_counter()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no frame with {needle!r}; last: {last[-2000:]!r}")
            self.pump(min(remaining, 0.05))

    def settled(self):
        """True when nothing more arrives for a moment (the frame is complete)."""
        return not select.select([self.fd], [], [], 0.002)[0]

    def pump(self, timeout):
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                self.buf += os.read(self.fd, 1 << 16)
            except OSError:
                pass

    def drop_output(self):
        while select.select([self.fd], [], [], 0)[0]:
            try:
                os.read(self.fd, 1 << 16)
            except OSError:
                break
        self.buf = b""

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def set_current(ws, name):
    path = os.path.join(ws, ".backlings", "state.toml")
    with open(path) as f:
        text = f.read()
    text = re.sub(r'(?m)^current = ".*"$', f'current = "{name}"', text)
    with open(path, "w") as f:
        f.write(text)


class Exercise:
    def __init__(self, binary, root, topic, name):
        self.binary, self.topic, self.name = binary, topic, name
        self.rel = f"exercises/{topic}/{name}.rs"
        self.stub = read(self.rel)
        self.solution = read(f"solutions/{topic}/{name}.rs")
        checks = read(f"checks/{topic}/{name}.rs")
        self.ws = os.path.join(root, "ws")
        self.file = os.path.join(self.ws, self.rel)

        # The floor: the same crate root backlings builds, in a file, for plain rustc.
        self.floor_dir = os.path.join(root, "floor", name)
        os.makedirs(self.floor_dir)
        self.floor_file = os.path.join(self.floor_dir, f"{name}.rs")
        with open(os.path.join(self.floor_dir, "root.rs"), "w") as f:
            f.write(crate_root(name, checks, f"{name}.rs"))

        # The cargo path: the same sources as a library crate with the checks as unit tests.
        self.cargo_dir = os.path.join(root, "cargo", name)
        os.makedirs(os.path.join(self.cargo_dir, "src"))
        with open(os.path.join(self.cargo_dir, "Cargo.toml"), "w") as f:
            f.write(f'[package]\nname = "bench_{name}"\nversion = "0.0.0"\nedition = "2024"\n'
                    '[lints.rust]\ndead_code = "allow"\n[workspace]\n')
        with open(os.path.join(self.cargo_dir, "src", "lib.rs"), "w") as f:
            f.write(crate_root(name, checks, f"{name}.rs"))
        self.cargo_file = os.path.join(self.cargo_dir, "src", f"{name}.rs")

        # A learner's save is a small edit: each watch variant starts from a failing mutant
        # (one bug away from the solution) and saves another near-solution file.
        (self.start, _), (self.failing, self.fail_needle) = self.failing_mutants()

    def failing_mutants(self):
        """The two mutants whose checks fail quickest (not all failing, not timing out),
        each with the headline that reports it."""
        found = []
        mdir = os.path.join(REPO, "mutants", self.topic, self.name)
        for slug in sorted(os.listdir(mdir)):
            text = read(f"mutants/{self.topic}/{self.name}/{slug}")
            write_by_rename(self.file, text)
            out = subprocess.run([self.binary, "run", self.name, "--json"], cwd=self.ws,
                                 capture_output=True, text=True).stdout
            result = json.loads(out)
            failed = sum(t["status"] == "fail" for t in result["tests"])
            total = len(result["tests"])
            if result["status"] == "fail" and failed < total:
                found.append((result["run_ms"], text, f"{failed} of {total} checks failed"))
        if len(found) < 2:
            raise SystemExit(f"{self.name}: fewer than two mutants fail only some checks")
        found.sort(key=lambda f: f[0])
        return [(text, needle) for _, text, needle in found[:2]]

    def watch(self, content, needle, edits, while_grading=False):
        set_current(self.ws, self.name)
        write_by_rename(self.file, edits(self.start))
        w = Watcher(self.binary, self.ws)
        try:
            w.wait_frame("checks failed")
            w.drop_output()
            write_by_rename(self.file, edits(content))
            start = time.perf_counter()
            return w.wait_frame(needle, while_grading=while_grading) - start
        finally:
            w.stop()

    def run(self, edits):
        write_by_rename(self.file, edits(self.solution))
        return timed([self.binary, "run", self.name], self.ws)

    def floor(self, edits):
        with open(self.floor_file, "w") as f:
            f.write(edits(self.solution))
        start = time.perf_counter()
        subprocess.run(["rustc", "--test", "--edition", "2024", "root.rs", "-o", "checks"],
                       cwd=self.floor_dir, check=True, stderr=subprocess.DEVNULL)
        subprocess.run(["./checks"], cwd=self.floor_dir, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    def cargo(self, edits):
        with open(self.cargo_file, "w") as f:
            f.write(edits(self.solution))
        return timed(["cargo", "test", "--offline", "-q"], self.cargo_dir)


def summary(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt_row(label, xs):
    med, lo, hi = summary(xs)
    return f"  {label:<14} {med * 1000:7.0f} ms   (min {lo * 1000:.0f}, max {hi * 1000:.0f}, n={len(xs)})"


def idle_watcher(binary, ws, name):
    set_current(ws, name)
    w = Watcher(binary, ws)
    try:
        w.wait_frame("checks failed")
        time.sleep(1)
        tick = os.sysconf("SC_CLK_TCK")

        def cpu():
            with open(f"/proc/{w.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        before, start = cpu(), time.perf_counter()
        end = start + IDLE_SECS
        while time.perf_counter() < end:
            w.pump(0.5)
            w.buf = b""
        used, elapsed = cpu() - before, time.perf_counter() - start
        with open(f"/proc/{w.pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
        return used / elapsed * 100, rss
    finally:
        w.stop()


def check_vs_singles(binary, root, edits):
    """`check` wall time against the sum of single `run`s divided by the cores."""
    ws = os.path.join(root, "check-ws")
    subprocess.run([binary, "init", ws], check=True, stdout=subprocess.DEVNULL)
    exercises = course_exercises()

    def edit_all():
        for name, topic in exercises:
            write_by_rename(os.path.join(ws, f"exercises/{topic}/{name}.rs"),
                            edits(read(f"solutions/{topic}/{name}.rs")))

    edit_all()
    subprocess.run([binary, "check"], cwd=ws, stdout=subprocess.DEVNULL)  # warm the caches
    sums, checks = [], []
    for _ in range(CHECK_REPS):
        edit_all()
        sums.append(sum(timed([binary, "run", name], ws) for name, _ in exercises))
        edit_all()
        checks.append(timed([binary, "check"], ws))
    return len(exercises), sums, checks


def startup(binary, ws):
    out = {}
    for label, argv in [("list", [binary, "list"]), ("--help", [binary, "--help"])]:
        timed(argv, ws)
        out[label] = [timed(argv, ws) for _ in range(20)]
    return out


def main():
    print("building the release binary…", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=REPO, check=True)
    binary = os.path.join(REPO, "target", "release", "backlings")
    cores = os.cpu_count()
    root = tempfile.mkdtemp(prefix="backlings-bench-")
    try:
        ws = os.path.join(root, "ws")
        subprocess.run([binary, "init", ws], check=True, stdout=subprocess.DEVNULL)
        edits = Edits()
        exercises = [Exercise(binary, root, t, n) for t, n in CORE]
        variants = ["watch pass", "watch fail", "watch error", "run", "floor", "cargo"]
        samples = {(e.name, v): [] for e in exercises for v in variants}
        for ex in exercises:  # warm every path once: incremental caches, cargo's deps
            ex.run(edits), ex.floor(edits), ex.cargo(edits)
        for rep in range(REPS):
            print(f"repetition {rep + 1}/{REPS}…", file=sys.stderr)
            for ex in exercises:
                # Rotate the order each repetition, so no variant always runs first.
                order = variants[rep % len(variants):] + variants[:rep % len(variants)]
                for v in order:
                    if v == "watch pass":
                        # The pass banner shares its frame with the next exercise's grade.
                        t = ex.watch(ex.solution, f"✓ {ex.name} passed", edits, True)
                    elif v == "watch fail":
                        t = ex.watch(ex.failing, ex.fail_needle, edits)
                    elif v == "watch error":
                        t = ex.watch(ex.solution + BROKEN, "does not compile", edits)
                    else:
                        t = getattr(ex, v)(edits)
                    samples[(ex.name, v)].append(t)

        print("measuring the idle watcher…", file=sys.stderr)
        idle_cpu, idle_rss = idle_watcher(binary, ws, exercises[0].name)
        print("measuring check against single runs…", file=sys.stderr)
        n_course, sums, checks = check_vs_singles(binary, root, edits)
        starts = startup(binary, ws)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"backlings benchmark: {cores} cores, {REPS} repetitions, "
          f"{subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()}")
    targets = []
    for ex in exercises:
        print(f"\n{ex.name}")
        for v in variants:
            print(fmt_row(v, samples[(ex.name, v)]))
        floor, cargo = med[(ex.name, "floor")], med[(ex.name, "cargo")]
        r = {v: med[(ex.name, v)] for v in variants}
        print(f"  ratios: watch pass/floor {r['watch pass'] / floor:.2f}, "
              f"watch fail/floor {r['watch fail'] / floor:.2f}, "
              f"run/floor {r['run'] / floor:.2f}, "
              f"watch pass/cargo {r['watch pass'] / cargo:.2f}, "
              f"watch fail/cargo {r['watch fail'] / cargo:.2f}, "
              f"watch error/floor {r['watch error'] / floor:.2f}")
        save = max(r["watch pass"], r["watch fail"])
        targets += [
            (f"{ex.name}: watch save -> verdict <= 1.0x floor", save / floor, 1.0, "x"),
            (f"{ex.name}: watch save -> verdict <= 0.4x cargo", save / cargo, 0.4, "x"),
            (f"{ex.name}: compile error shown <= 0.5x floor", r["watch error"] / floor, 0.5, "x"),
        ]

    print(f"\nidle watcher over {IDLE_SECS:.0f} s: {idle_cpu:.3f} % of one core, RSS {idle_rss:.1f} MiB")
    check_med, sum_med = statistics.median(checks), statistics.median(sums)
    ideal = sum_med / cores
    print(f"check over the course ({n_course} exercises): {check_med:.2f} s "
          f"(min {min(checks):.2f}, max {max(checks):.2f}); single runs sum to {sum_med:.2f} s, "
          f"/ {cores} cores = {ideal:.2f} s; ratio {check_med / ideal:.2f}")
    for label, xs in starts.items():
        print(fmt_row(f"backlings {label}", xs).strip())
    targets += [
        ("idle watcher CPU < 0.1 % of a core", idle_cpu, 0.1, " %"),
        ("idle watcher RSS < 20 MiB", idle_rss, 20, " MiB"),
        ("check <= 1.2x (sum of single grades / cores)", check_med / ideal, 1.2, "x"),
    ] + [(f"backlings {label} < 20 ms", statistics.median(xs) * 1000, 20, " ms")
         for label, xs in starts.items()]

    print("\ntargets (ratios are of medians from this run)")
    for label, value, limit, unit in targets:
        print(f"  {'met   ' if value <= limit else 'MISSED'}  {label}: {value:.2f}{unit}")


if __name__ == "__main__":
    main()
