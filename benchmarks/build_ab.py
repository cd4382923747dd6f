"""Fresh full builds, alternating between ways of embedding the passages (issue 13, round 7):
``make bench``'s build child in a temporary home each time, wall, CPU (user + sys), peak memory and
time by stage, with the load average before each.

    python -m aiact.benchmarks.build_ab [--rounds 2] [--sides onnx,fused] [--out FILE]

``numpy``: the passages in numpy's products (before round 7); ``onnx``: the same float32 layers in
the onnxruntime session the questions use, one ONNX operator per numpy step (round 7); ``fused``:
that session with onnxruntime's fused BERT operators (round 8, the default now: no faster for
passages, measured; a little for questions).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from aiact.benchmarks.run import BUILD_CHILD, fresh_build

NUMPY_PASSAGES = """
import aiact.index.bert_numpy as _bn
_bn.NumpyEmbedder.passages_in_session = False
"""
PLAIN_GRAPH = """
import aiact.index.bert_numpy as _bn
_bn.NumpyEmbedder.question_graph = "float32"
"""
SIDES = {"numpy": NUMPY_PASSAGES, "onnx": PLAIN_GRAPH, "fused": ""}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.build_ab")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sides", default="onnx,fused")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    sides = args.sides.split(",")
    env = {**os.environ, "AIACT_TODAY": os.environ.get("AIACT_TODAY", "2026-11-24")}
    runs = []
    for rnd in range(args.rounds):
        for side in sides:
            load = os.getloadavg()
            out, wall = fresh_build(SIDES[side] + BUILD_CHILD, env)
            row = {"side": side, "round": rnd + 1, "load_before": [round(x, 2) for x in load],
                   "build_s": round(out["seconds"], 1), "cpu_s": round(out["cpu_s"], 1),
                   "peak_mb": round(out["max_rss_kb"] / 1024, 1),
                   "stages_s": {k: round(v, 2) for k, v in out["stages"].items()}}
            runs.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    median = {s: {k: statistics.median(r[k] for r in runs if r["side"] == s) for k in ("build_s", "cpu_s", "peak_mb")}
              for s in sides}
    result = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": runs, "median": median}
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(median, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
