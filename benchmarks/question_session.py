"""The question encoder's onnxruntime session options, A/B in fresh processes (issue 13, round 7).

    python -m aiact.benchmarks.question_session --rounds 3 [--configs t1,t2-spin,t2] [--out DIR]

Each round runs every configuration once, in turn (interleaved), each in a fresh interpreter on
the index of ``AIACT_HOME``: 5 warm-up answers, then ``make bench``'s warm measure (50 questions,
wall p50/p95, CPU p50), the question embedding alone (wall and CPU per question), answers per
second at 1/2/4/16 threads, and whether the 50 question vectors equal the first configuration's
(bit for bit, and the largest difference). The load average is taken before each child.
A configuration is ``t<threads>`` (spinning off) or ``t<threads>-spin``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from aiact.benchmarks.run import child

CHILD = """
import json, os, sys, time
import numpy as np
threads, spinning, vectors_out = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
from aiact.index.bert_numpy import NumpyEmbedder
NumpyEmbedder.question_threads = threads
NumpyEmbedder.question_spinning = spinning
from assistant import Assistant
from aiact.benchmarks.run import bench_warm, bench_threads, questions
from aiact.evals.metrics import percentile
qs = questions(50)
bot = Assistant(build=False, progress=False)
warm = bench_warm(bot.ask, qs)
embedder = bot.embedder if hasattr(bot, "embedder") else None
from aiact.index.embed import _cache
embedder = next(iter(_cache.values()))
for q in qs[:5]:
    embedder.embed_query(q)
walls, cpus, vecs = [], [], []
for q in qs:
    w, c = time.perf_counter(), time.process_time()
    vecs.append(embedder.embed_query(q))
    walls.append((time.perf_counter() - w) * 1000)
    cpus.append((time.process_time() - c) * 1000)
np.save(vectors_out, np.asarray(vecs, dtype=np.float32))
throughput = bench_threads(bot.ask, qs)
print(json.dumps({"warm": warm, "embed_wall_p50_ms": round(percentile(walls, 50), 2),
                  "embed_cpu_p50_ms": round(percentile(cpus, 50), 2), "throughput": throughput}))
"""


def parse(config: str) -> tuple[int, bool]:
    threads, _, spin = config.partition("-")
    if not threads.startswith("t") or not threads[1:].isdigit() or spin not in ("", "spin"):
        raise SystemExit(f"question_session: configuration {config!r} is not t<threads> or t<threads>-spin")
    return int(threads[1:]), spin == "spin"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.question_session")
    ap.add_argument("--configs", default="t1-spin,t1,t2-spin,t2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="bench-results/question_session")
    args = ap.parse_args(argv)
    configs = args.configs.split(",")
    for c in configs:
        parse(c)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AIACT_TODAY": os.environ.get("AIACT_TODAY", "2026-11-24")}
    import numpy as np

    runs = []
    for rnd in range(args.rounds):
        for c in configs:
            threads, spin = parse(c)
            vec = out / f"vectors-{c}.npy"
            load = os.getloadavg()[0]
            res, _ = child(CHILD, env, str(threads), "1" if spin else "0", str(vec))
            ref = np.load(out / f"vectors-{configs[0]}.npy")
            mine = np.load(vec)
            res |= {"config": c, "round": rnd + 1, "load": round(load, 2),
                    "vectors_identical_to_first": bool(np.array_equal(ref, mine)),
                    "vectors_max_abs_diff": float(np.abs(ref - mine).max())}
            runs.append(res)
            print(json.dumps(res), file=sys.stderr, flush=True)
    summary = {}
    for c in configs:
        mine = [r for r in runs if r["config"] == c]
        summary[c] = {
            "warm_p50_ms": statistics.median(r["warm"]["p50_ms"] for r in mine),
            "warm_cpu_p50_ms": statistics.median(r["warm"]["cpu_p50_ms"] for r in mine),
            "warm_p95_ms": statistics.median(r["warm"]["p95_ms"] for r in mine),
            "embed_wall_p50_ms": statistics.median(r["embed_wall_p50_ms"] for r in mine),
            "embed_cpu_p50_ms": statistics.median(r["embed_cpu_p50_ms"] for r in mine),
            "answers_per_s": {n: statistics.median(r["throughput"][n] for r in mine) for n in mine[0]["throughput"]},
            "loads": [r["load"] for r in mine],
            "vectors_identical": all(r["vectors_identical_to_first"] for r in mine),
        }
    result = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": runs, "median": summary}
    (out / "question_session.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
