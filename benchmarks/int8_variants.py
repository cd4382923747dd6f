"""Which weight products of the MiniLM graph can run in int8: cosine of each variant's vectors to
the float32 numpy encoder's, and its embedding CPU time, on a sample of the real index's texts.

    python -m aiact.benchmarks.int8_variants [--every 6] [--out int8-variants.json]

Cheap (a minute or two): run it before building and evaluating a variant; the figures of issue 13
round 3 are in ``benchmarks/results/2026-12-02-issue-13-int8-token.json``. Needs a built index
(``aiact index``) for the texts; the graphs are written to a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

ALL = ("q", "k", "v", "out", "up", "down")
# name -> the products in int8 (see aiact.index.bert_onnx._graph): each in every layer, or
# "l<i>_<product>" for one layer.
VARIANTS: dict[str, tuple[str, ...]] = {
    "float32": (),
    "all": ALL,
    "feed-forward": ("up", "down"),
    "all but q/k/v": ("out", "up", "down"),
    "all but down": ("q", "k", "v", "out", "up"),
    "layers 1-5": tuple(f"l{i}_{p}" for i in range(1, 6) for p in ALL),
    "layers 0-4": tuple(f"l{i}_{p}" for i in range(0, 5) for p in ALL),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="every n-th node text of the index")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    import onnx

    from aiact.benchmarks.index_texts import index_chunks
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.bert_onnx import OnnxBert, _graph

    loaded = index_chunks()
    if loaded is None:
        return 2
    settings, reference, chunks = loaded
    texts = [c.embed_text for c in chunks][::args.every]
    expected = reference.embed_array(texts)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, products in VARIANTS.items():
            path = Path(tmp) / "graph.onnx"
            onnx.save(_graph(reference._bert, frozenset(products)), str(path))
            encoder = NumpyEmbedder(settings.resolved_model())
            encoder._bert = OnnxBert(reference._bert, path)
            encoder.embed_array(texts[:20])  # warm-up: onnxruntime plans on its first runs
            start = time.process_time()
            got = encoder.embed_array(texts)
            cpu = time.process_time() - start
            cos = (got * expected).sum(1)
            rows[name] = {"cos_mean": round(float(cos.mean()), 5), "cos_min": round(float(cos.min()), 5),
                          "cpu_s": round(cpu, 2)}
            print(f"{name:15} cosine mean {cos.mean():.5f}  min {cos.min():.5f}  CPU {cpu:6.2f} s", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"texts": len(texts), "variants": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
