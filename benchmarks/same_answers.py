"""Whether a speed-up changed what the assistant says: two ``aiact eval`` reports compared record
by record, everything but the timings.

    python -m aiact.benchmarks.same_answers BEFORE/report.json AFTER/report.json

For each configuration present in both reports, every record (matched by case id) must be equal
in every key except the latency ones: the answer text, its citations, what was retrieved and each
metric's verdict. Prints one line per configuration and the first differences; exits 1 when any
record differs (or a case is missing on one side), so a "pure speed-up" is checked, not assumed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Timings move from run to run; everything else is what the answer is.
TIMING_KEYS = frozenset({"latency_ms"})


def _records(path: Path) -> dict[str, list[dict]]:
    if path.is_dir():
        path = path / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        return report["records"]
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"cannot read eval records from {path} ({exc}) — run 'aiact eval --out DIR' first")


def _strip(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in TIMING_KEYS}


def differences(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Per configuration in both reports: a line per case that differs or is missing on one side."""
    out: dict[str, list[str]] = {}
    for config in sorted(before.keys() & after.keys()):
        a = {r["id"]: _strip(r) for r in before[config]}
        b = {r["id"]: _strip(r) for r in after[config]}
        lines = [f"{cid}: only in {'before' if cid in a else 'after'}" for cid in sorted(a.keys() ^ b.keys())]
        for cid in sorted(a.keys() & b.keys()):
            if a[cid] != b[cid]:
                keys = sorted(k for k in a[cid].keys() | b[cid].keys() if a[cid].get(k) != b[cid].get(k))
                lines.append(f"{cid}: {', '.join(keys)} differ")
        out[config] = lines
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.same_answers",
                                 description="Check that two eval reports give the same answers (timings aside).")
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    before, after = _records(args.before), _records(args.after)
    diffs = differences(before, after)
    if not diffs:
        print("no configuration in both reports", file=sys.stderr)
        return 1
    for config, lines in diffs.items():
        n = len(before[config])
        print(f"{config}: {n} records, {'identical' if not lines else f'{len(lines)} differ'}")
        for line in lines[:20]:
            print(f"  {line}")
    return 1 if any(diffs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
