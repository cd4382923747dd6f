"""The report's PNG plots (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from aiact.evals.metrics import TIERS  # noqa: E402


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion k/n: honest for small n (a category of 2 cases
    at 100 % is 0.34–1.0), unlike the normal approximation."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def accuracy_per_category(metrics: dict[str, dict], path: Path) -> str:
    """Grouped bars: accuracy of each category, one bar per split, with the number of cases over
    each bar and its 95 % Wilson interval as an error bar."""
    splits = [s for s in metrics if s != "all"] or list(metrics)
    cats = sorted({c for s in splits for c in metrics[s]["by_category"]})
    fig, ax = plt.subplots(figsize=(max(10, 0.7 * len(cats) * len(splits)), 4.6))
    width = 0.8 / len(splits)
    for i, s in enumerate(splits):
        xs, vals, lows, highs, ns = [], [], [], [], []
        for x, c in enumerate(cats):
            cell = metrics[s]["by_category"].get(c) or {}
            n, acc = int(cell.get("n") or 0), cell.get("accuracy")
            if not n or acc is None:
                continue
            lo, hi = wilson(acc * n, n)
            xs.append(x + i * width), vals.append(acc), ns.append(n)
            lows.append(max(0.0, acc - lo)), highs.append(max(0.0, hi - acc))
        ax.bar(xs, vals, width, label=s, yerr=[lows, highs], capsize=2, error_kw={"lw": 0.8, "ecolor": "#334155"})
        for x, v, n in zip(xs, vals, ns):
            ax.text(x, 1.07, f"n={n}", ha="center", va="bottom", fontsize=7.5, color="#334155")
    ax.set_xticks([x + width * (len(splits) - 1) / 2 for x in range(len(cats))], cats, rotation=30, ha="right")
    ax.set_ylim(0, 1.16)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy per category, full pipeline (number of cases above each bar; 95 % Wilson intervals)",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def recall_at_k(per_config: dict[str, dict], path: Path) -> str:
    """Recall@1/5/10 and MRR per configuration (one split)."""
    keys = ["recall@1", "recall@5", "recall@10", "mrr"]
    names = list(per_config)
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        vals = [per_config[name].get(k) or 0.0 for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], vals, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(keys))], keys)
    ax.set_ylim(0, 1.05)
    n = next((m.get("questions") for m in per_config.values() if m.get("questions")), None)
    ax.set_title("Retrieval of the gold provisions" + (f" (n = {n} questions)" if n else ""))
    ax.legend(fontsize=8)
    return _save(fig, path)


def latency_histogram(latencies: dict[str, list[float]], path: Path) -> str:
    """Distribution of the time per question, per configuration (log-scaled bins)."""
    import numpy as np

    values = [v for vs in latencies.values() for v in vs if v > 0]
    fig, ax = plt.subplots(figsize=(8, 4))
    if values:
        bins = np.logspace(np.log10(min(values)), np.log10(max(values)) + 1e-9, 30)
        for name, vs in latencies.items():
            ax.hist(vs, bins=bins, alpha=0.5, label=name)
        ax.set_xscale("log")
    ax.set_xlabel("ms per question")
    ax.set_ylabel("questions")
    n = max((len(vs) for vs in latencies.values()), default=0)
    ax.set_title(f"Latency per question (n = {n} per configuration)")
    ax.legend(fontsize=8)
    return _save(fig, path)


def tier_confusion(confusion: dict[str, dict[str, int]], path: Path) -> str:
    """Rows: gold tier; columns: predicted tier."""
    grid = [[confusion.get(g, {}).get(p, 0) for p in TIERS] for g in TIERS]
    fig, ax = plt.subplots(figsize=(5, 4.2))
    ax.imshow(grid, cmap="Blues")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", color="black" if v < max(map(max, grid)) / 2 else "white")
    ax.set_xticks(range(len(TIERS)), TIERS, rotation=20)
    ax.set_yticks(range(len(TIERS)), TIERS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"Risk tiers (n = {sum(map(sum, grid))} scenarios)")
    return _save(fig, path)


def compare_metrics(rows: list[dict], a: dict, b: dict, path: Path) -> str:
    """A against B: each proportion metric per split, with 95 % Wilson intervals (n from the split)."""
    import numpy as np

    keep = [r for r in rows if r["a"] is not None and r["b"] is not None and not r["metric"].endswith("_ms")
            and 0 <= r["a"] <= 1 and 0 <= r["b"] <= 1]
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * len(keep) + 2), 4.6))
    xs = np.arange(len(keep))
    for offset, side, report in ((-0.2, "a", a), (0.2, "b", b)):
        vals, err = [], [[], []]
        for r in keep:
            m = report["configs"]["hybrid+structure"]["metrics"].get(r["split"], {})
            n = int(m.get("scenarios" if r["metric"].startswith(("tier", "deciding")) else "questions") or 0)
            lo, hi = wilson(r[side] * n, n) if n else (r[side], r[side])
            vals.append(r[side]), err[0].append(max(0.0, r[side] - lo)), err[1].append(max(0.0, hi - r[side]))
        ax.bar(xs + offset, vals, 0.4, yerr=err, capsize=2, label=side.upper(), error_kw={"lw": 0.8})
    ax.set_xticks(xs, [f"{r['label']} ({r['split']})" for r in keep], rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title("A vs B, full pipeline (95 % Wilson intervals)")
    ax.legend()
    return _save(fig, path)
