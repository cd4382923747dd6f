"""The timeline chart: one row per dated provision, the Omnibus's moves drawn as arrows, today a line.

Uses ``matplotlib.figure.Figure`` directly, not pyplot: pyplot keeps global state, which is not
safe when several requests draw at once, and needs no display backend this way.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

PAST, UPCOMING, AMENDED, OLD, TODAY = "#94a3b8", "#1d4ed8", "#d97706", "#9ca3af", "#dc2626"


def _label(e: Any, width: int = 56) -> str:
    text = e.reference + (f" — {e.title}" if e.title else "")
    return text if len(text) <= width else text[: width - 1] + "…"


def timeline_figure(entries: Sequence[Any], today: dt.date) -> Figure:
    rows = list(entries)
    fig = Figure(figsize=(11, max(2.6, 0.24 * len(rows) + 1.3)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for y, e in enumerate(rows):
        # colour: past or still to come; shape: a diamond when the Omnibus amended the provision
        colour = PAST if e.date <= today else UPCOMING
        if e.superseded_date:
            ax.annotate("", xy=(e.date, y), xytext=(e.superseded_date, y),
                        arrowprops={"arrowstyle": "->", "color": OLD, "lw": 1.2})
            ax.plot([e.superseded_date], [y], "o", mfc="white", mec=OLD, ms=7)
        if e.amended:
            ax.plot([e.date], [y], "D", color=colour, mec=AMENDED, mew=2, ms=7)
        else:
            ax.plot([e.date], [y], "o", color=colour, ms=8)
    ax.axvline(today, color=TODAY, ls="--", lw=1.3)
    ax.text(today, -0.9, f" today {today.isoformat()}", color=TODAY, fontsize=8, va="bottom")
    ax.set_yticks(range(len(rows)), [_label(e) for e in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5 if rows else 0.5, -1.2)
    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.grid(axis="x", color="#e5e7eb")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[
        Line2D([], [], marker="o", ls="", color=PAST, label="applies (past)"),
        Line2D([], [], marker="o", ls="", color=UPCOMING, label="applies (upcoming)"),
        Line2D([], [], marker="D", ls="", color="white", mec=AMENDED, mew=2, label="provision amended by the Omnibus"),
        Line2D([], [], marker="o", ls="", mfc="white", mec=OLD, label="date before the Omnibus"),
        Line2D([], [], ls="--", color=TODAY, label="today"),
    ], loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=8, frameon=False)
    return fig
