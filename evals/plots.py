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


def accuracy_per_category(metrics: dict[str, dict], path: Path) -> str:
    """Grouped bars: accuracy of each category, one bar per split."""
    splits = [s for s in metrics if s != "all"] or list(metrics)
    cats = sorted({c for s in splits for c in metrics[s]["by_category"]})
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(splits)
    for i, s in enumerate(splits):
        vals = [(metrics[s]["by_category"].get(c) or {}).get("accuracy") or 0.0 for c in cats]
        ax.bar([x + i * width for x in range(len(cats))], vals, width, label=s)
    ax.set_xticks([x + width * (len(splits) - 1) / 2 for x in range(len(cats))], cats, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy per category (facts / abstention / tier), full pipeline")
    ax.legend()
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
    ax.set_title("Retrieval of the gold provisions")
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
    ax.set_title("Latency per question")
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
    ax.set_title("Risk tiers (scenarios)")
    return _save(fig, path)
