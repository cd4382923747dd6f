"""``make bench``: how fast the assistant is on this machine (reported, never asserted).

    python -m aiact.benchmarks.run --out bench-results [--skip-build] [--questions 50]

- index build: a fresh build of the real corpus into a temporary AIACT_HOME (a subprocess):
  wall time, size on disk, peak memory;
- cold first answer: a new process imports the package, opens the index and answers one
  question (wall time including interpreter start-up; three runs);
- warm ``ask``: p50/p95 over ~50 eval questions after a warm-up, in this process;
- throughput: answers per second with 1, 4 and 16 threads sharing one Assistant.

Peak memory is ``ru_maxrss`` as each subprocess reports it for itself. Targets: warm p50 ≤ 30 ms,
cold ≤ 5 s. Writes ``bench.json`` into ``--out`` and prints a table with the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"warm_ask_p50_ms": 30.0, "cold_first_answer_s": 5.0}
COLD_QUESTION = "When do the prohibitions apply?"

BUILD_CHILD = """
import json, resource, time
from assistant.settings import Settings
from aiact.index.build import build_index
from aiact.index.embed import load_embedder
s = Settings.from_env()
start = time.perf_counter()
r = build_index(s, load_embedder(s.resolved_model(), s.embed_batch_size), rebuild=True, progress=False)
print(json.dumps({"seconds": time.perf_counter() - start, "size_bytes": r.size_bytes,
                  "provisions": r.provisions, "nodes": r.nodes,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
COLD_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from assistant import Assistant
t1 = time.perf_counter()
bot = Assistant(build=False, progress=False)
t2 = time.perf_counter()
answer = bot.ask(sys.argv[1])
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "first_ask_s": t3 - t2, "abstained": answer.abstained,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "ram_gb": round(ram / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def child(code: str, env: dict, *args: str) -> tuple[dict, float]:
    """Run a Python snippet in a fresh interpreter; its last stdout line is JSON."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def bench_build(env: dict) -> dict:
    home = Path(tempfile.mkdtemp(prefix="aiact-bench-"))
    try:
        out, wall = child(BUILD_CHILD, {**env, "AIACT_HOME": str(home)})
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {"wall_s": round(wall, 1), "build_s": round(out["seconds"], 1),
            "size_mb": round(out["size_bytes"] / 1e6, 1), "provisions": out["provisions"], "nodes": out["nodes"],
            "peak_rss_mb": round(out["max_rss_kb"] / 1024, 1)}


def bench_cold(env: dict, runs: int = 3) -> dict:
    results = []
    for _ in range(runs):
        out, wall = child(COLD_CHILD, env, COLD_QUESTION)
        results.append({"wall_s": round(wall, 2), "import_s": round(out["import_s"], 2),
                        "open_s": round(out["open_s"], 2), "first_ask_s": round(out["first_ask_s"], 3),
                        "peak_rss_mb": round(out["max_rss_kb"] / 1024, 1)})
    return {"runs": results, "median_wall_s": statistics.median(r["wall_s"] for r in results),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}


def questions(n: int) -> list[str]:
    from aiact.evals.cases import load_cases

    qs = [c.text for c in load_cases("all") if not c.scenario]
    step = max(1, len(qs) // n)
    return qs[::step][:n]


def percentile(values: list[float], q: float) -> float:
    from aiact.evals.metrics import percentile as p

    return p(values, q)


def bench_warm(bot, qs: list[str]) -> dict:
    for q in qs[:5]:
        bot.ask(q)  # warm-up: first calls load lazily built parts
    times = []
    for q in qs:
        start = time.perf_counter()
        bot.ask(q)
        times.append((time.perf_counter() - start) * 1000)
    return {"questions": len(qs), "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1), "mean_ms": round(statistics.fmean(times), 1)}


def bench_threads(bot, qs: list[str], threads: tuple[int, ...] = (1, 4, 16), rounds: int = 2) -> dict:
    work = qs * rounds
    out = {}
    for n in threads:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            list(pool.map(bot.ask, work))
        out[str(n)] = round(len(work) / (time.perf_counter() - start), 1)
    return out


def table(result: dict) -> str:
    m, rows = result["machine"], []
    rows.append(("machine", f"{m['cpus']} CPUs, {m['cpu_model']}, {m['ram_gb']} GiB RAM, Python {m['python']}"))
    if result.get("build"):
        b = result["build"]
        rows.append(("index build", f"{b['build_s']} s ({b['wall_s']} s wall), {b['size_mb']} MB, "
                                    f"{b['provisions']} provisions / {b['nodes']} nodes, peak {b['peak_rss_mb']} MB"))
    c = result["cold"]
    rows.append(("cold first answer", f"{c['median_wall_s']} s median wall (import {c['runs'][0]['import_s']} s, "
                                      f"open {c['runs'][0]['open_s']} s, ask {c['runs'][0]['first_ask_s']} s), "
                                      f"peak {c['peak_rss_mb']} MB"))
    w = result["warm"]
    rows.append(("warm ask", f"p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms over {w['questions']} questions"))
    rows.append(("answers/s", ", ".join(f"{k} thread{'s' if k != '1' else ''}: {v}"
                                        for k, v in result["throughput"].items())))
    rows.append(("peak memory (this process)", f"{result['peak_rss_mb']} MB"))
    for name, ok in result["targets_met"].items():
        rows.append((f"target {name} ≤ {TARGETS[name]}", "met" if ok else "MISSED"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.run", description="Benchmark the assistant.")
    ap.add_argument("--out", default="bench-results")
    ap.add_argument("--skip-build", action="store_true", help="do not time a fresh index build")
    ap.add_argument("--questions", type=int, default=50)
    args = ap.parse_args(argv)

    from assistant import Assistant
    from assistant.settings import set_offline_env

    set_offline_env()
    env = {**os.environ, "AIACT_TODAY": os.environ.get("AIACT_TODAY", "2026-11-24")}
    os.environ["AIACT_TODAY"] = env["AIACT_TODAY"]
    result: dict = {"machine": machine(), "targets": TARGETS,
                    "generated": time.strftime("%Y-%m-%dT%H:%M:%S")}
    bot = Assistant(progress=True)  # builds the default index first if it is missing
    result["index"] = str(bot.store.directory)
    if not args.skip_build:
        print("timing a fresh index build (minutes)…", file=sys.stderr)
        result["build"] = bench_build(env)
    print("cold starts…", file=sys.stderr)
    result["cold"] = bench_cold(env)
    qs = questions(args.questions)
    result["warm"] = bench_warm(bot, qs)
    result["throughput"] = bench_threads(bot, qs)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["targets_met"] = {"warm_ask_p50_ms": result["warm"]["p50_ms"] <= TARGETS["warm_ask_p50_ms"],
                             "cold_first_answer_s": result["cold"]["median_wall_s"] <= TARGETS["cold_first_answer_s"]}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(table(result))
    print(f"\nResults: {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
