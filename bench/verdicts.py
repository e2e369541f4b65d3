#!/usr/bin/env python3
"""Every verdict of the built-in course, to prove a refactor changed none of them.

    python3 bench/verdicts.py BINARY OUT.jsonl     # ~2 minutes on 2 cores
    python3 bench/verdicts.py --compare BEFORE1.jsonl,BEFORE2.jsonl AFTER1.jsonl,AFTER2.jsonl

Grades, with `BINARY run NAME --json`, every exercise's stub, reference solution and each
hand-written mutant, in a workspace of its own per exercise (so each build reuses its
incremental cache), and writes one JSON line per file: exercise, variant, exit status and
the JSON document. `--compare` prints every difference and exits 1 if there is one.
Measured times are allowed to differ: the `compile_ms` and `run_ms` fields are left out,
and digits next to `x`, `ms` or `s` inside messages ("took 3.1x as long") are masked; so
are positions in the graded crate (`panicked at <anon>:720:22`), which shift whenever
code in the checks or their helpers moves.
Some mutants fail differently from run to run (a race that a hammer catches in one check
or another, a random seed drawn per run, hash order): a file whose document differs
between two recordings of the same binary must keep only its exit status; every other
file must keep its whole document. Record each side twice (or more) to tell them apart.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from bench import REPO, course_exercises, read, write_by_rename

MEASURED = re.compile(r"\d+(\.\d+)?(?=\s*(x|×|ms|µs|ns|s)\b)")
# Where in the graded crate a check panicked: moving code in the checks shifts it.
CRATE_POSITION = re.compile(r"<anon>:\d+:\d+")


def variants(name, topic):
    yield "stub", read(f"exercises/{topic}/{name}.rs")
    yield "solution", read(f"solutions/{topic}/{name}.rs")
    mutants = os.path.join(REPO, "mutants", topic, name)
    for mutant in sorted(os.listdir(mutants)) if os.path.isdir(mutants) else []:
        if mutant.endswith(".rs"):
            yield f"mutant {mutant}", read(f"mutants/{topic}/{name}/{mutant}")


def grade_exercise(binary, root, name, topic):
    ws = os.path.join(root, name)
    subprocess.run([binary, "init", ws], check=True, stdout=subprocess.DEVNULL)
    lines = []
    for variant, text in variants(name, topic):
        write_by_rename(os.path.join(ws, f"exercises/{topic}/{name}.rs"), text)
        ran = subprocess.run([binary, "run", name, "--json"], cwd=ws, capture_output=True,
                             text=True, env={**os.environ, "NO_COLOR": "1"})
        try:
            document = json.loads(ran.stdout)
        except json.JSONDecodeError:
            document = {"unparsed stdout": ran.stdout, "stderr": ran.stderr}
        lines.append({"exercise": name, "variant": variant, "status": ran.returncode,
                      "json": document})
    return lines


def record(binary, out):
    with tempfile.TemporaryDirectory(prefix="backlings-verdicts-") as root:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = pool.map(lambda ex: grade_exercise(binary, root, *ex),
                               course_exercises())
            with open(out, "w") as f:
                for lines in results:
                    for line in lines:
                        f.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
                        print(f"{line['exercise']:<24} {line['variant']:<60} {line['status']}")


def masked(line):
    return CRATE_POSITION.sub("<anon>:L:C", MEASURED.sub("N", line))


def untimed(document):
    if isinstance(document, dict):
        return {k: untimed(v) for k, v in document.items() if k not in ("compile_ms", "run_ms")}
    if isinstance(document, list):
        return [untimed(v) for v in document]
    return document


def compare(befores, afters):
    def load(path):
        with open(path) as f:
            return {(d["exercise"], d["variant"]): d for d in map(json.loads, f)}

    def shown(document):
        return masked(json.dumps(untimed(document), sort_keys=True, ensure_ascii=False,
                                 indent=1))

    runs = {"before": [load(p) for p in befores], "after": [load(p) for p in afters]}
    keys = sorted(set().union(*(run.keys() for side in runs.values() for run in side)))
    differences = varying = 0
    for key in keys:
        documents = {side: [shown(run.get(key)) for run in recorded]
                     for side, recorded in runs.items()}
        statuses = {(run.get(key) or {}).get("status")
                    for recorded in runs.values() for run in recorded}
        varies = any(len(set(docs)) > 1 for docs in documents.values())
        varying += varies
        if len(statuses) > 1 or (not varies and documents["before"][0] != documents["after"][0]):
            differences += 1
            print(f"--- {key[0]}: {key[1]}\nbefore: {documents['before'][0]}\n"
                  f"after:  {documents['after'][0]}\n")
    print(f"{len(keys)} files, {varying} of them vary from run to run (status compared), "
          f"{differences} differ")
    return 1 if differences else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        sys.exit(compare(sys.argv[2].split(","), sys.argv[3].split(",")))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    record(os.path.abspath(sys.argv[1]), sys.argv[2])


if __name__ == "__main__":
    main()
