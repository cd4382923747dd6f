"""How the index's passages are best embedded: the numpy encoder against the same float32 layers
in onnxruntime, by worker threads × session threads and batch size, and int8 mixes; each against
the numpy vectors of the same texts (largest difference, cosine) with its CPU and wall time.

    python -m aiact.benchmarks.build_embed [--every 4] [--configs ...] [--out FILE]

A configuration is ``numpy`` or ``onnx:<workers>x<session threads>:<batch tokens>[:<int8 products>]``
(products joined by ``+``, e.g. ``onnx:2x1:2048:up+down``). Sessions never spin (see
``aiact.index.bert_onnx.session_options``). Needs a built index (its texts are the sample).
"""
from __future__ import annotations

import argparse
import collections
import json
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT = ("numpy,onnx:2x1:512,onnx:1x2:512,onnx:2x1:2048,onnx:1x2:2048,onnx:2x1:8192,"
           "onnx:2x1:2048:up+down,onnx:2x1:2048:l0_up+l0_down+l1_up+l1_down+l2_up+l2_down+l3_up+l3_down+l4_up+l4_down")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.build_embed")
    ap.add_argument("--every", type=int, default=4, help="every n-th node text of the index")
    ap.add_argument("--configs", default=DEFAULT)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    import onnx

    from aiact.benchmarks.index_texts import index_chunks
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.bert_onnx import OnnxBert, _graph

    loaded = index_chunks()
    if loaded is None:
        return 2
    settings, reference, chunks = loaded
    every = [c.embed_text for c in chunks]
    dupes = collections.Counter(every)
    texts = every[::args.every]
    result: dict = {"nodes": len(every), "distinct_embed_texts": len(dupes),
                    "duplicate_embed_texts": sum(n - 1 for n in dupes.values() if n > 1),
                    "sample": len(texts), "configs": {}}
    print(f"{len(every)} nodes, {len(dupes)} distinct texts; sample {len(texts)}", flush=True)
    expected = None
    with tempfile.TemporaryDirectory() as tmp:
        for config in args.configs.split(","):
            parts = config.split(":")
            encoder = NumpyEmbedder(settings.resolved_model())
            if parts[0] == "onnx":
                workers, threads = (int(x) for x in parts[1].split("x"))
                encoder.batch_tokens = int(parts[2])
                encoder.threads = workers
                products = frozenset(parts[3].split("+")) if len(parts) > 3 else frozenset()
                path = Path(tmp) / f"graph-{len(result['configs'])}.onnx"
                onnx.save(_graph(reference._bert, products), str(path))
                encoder._bert = OnnxBert(reference._bert, path, threads=threads)
            encoder.embed_array(texts[:40])  # warm-up: the first runs plan and allocate
            wall, cpu = time.perf_counter(), time.process_time()
            got = encoder.embed_array(texts)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if expected is None:
                expected = got
            cos = (got * expected).sum(1)
            row = {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                   "cpu_s_full_build_estimate": round(cpu * len(every) / len(texts), 1),
                   "max_abs_diff": float(np.abs(got - expected).max()),
                   "cos_min": round(float(cos.min()), 6), "cos_mean": round(float(cos.mean()), 6)}
            result["configs"][config] = row
            print(f"{config:40} {json.dumps(row)}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
