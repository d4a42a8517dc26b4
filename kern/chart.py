"""The digest's chart: per theme, the reports new in the period and those closed in it.

Both bars count what the digest's text counts ("Nieuw" and "Afgehandeld"), so the totals of
the chart and the numbers in the text are the same. A quiet period (nothing new, nothing
closed) gets no chart at all.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signalen.overzicht import Digest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NEW_COLOUR = "#1f6fb2"  # blue: came in during the period
CLOSED_COLOUR = "#2e7d32"  # green: closed during the period
_STEPS = (1, 2, 5)
_MAX_TICKS = 6


@dataclass(frozen=True)
class ChartWords:
    """The chart's words in the digest's language (from kern/teksten/overzicht.j2)."""

    new: str
    closed: str
    axis: str


def count_ticks(largest: int) -> list[int]:
    """Whole-number ticks from 0 that cover `largest`, at most six: 0 1 2 3, 0 2 4 6 8, ..."""
    largest = max(largest, 1)
    scale = 1
    while True:
        for step in (s * scale for s in _STEPS):
            if math.ceil(largest / step) + 1 <= _MAX_TICKS:
                return list(range(0, math.ceil(largest / step) * step + 1, step))
        scale *= 10


def digest_figure(
    digest: Digest, labels: dict[str, str], title: str, words: ChartWords
) -> Figure | None:
    """Grouped bars per theme, new and closed in the period; None when there is nothing."""
    counts = digest.chart_counts()
    if not counts:
        return None
    # Imported here: matplotlib costs ~40 MB, and a worker draws a chart once a week. The
    # object API (no pyplot state, no tight_layout) is the cheaper way to draw one.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator

    themes = sorted(counts, key=lambda t: (-sum(counts[t]), labels.get(t, t)))
    new = [counts[t][0] for t in themes]
    closed = [counts[t][1] for t in themes]
    lines = title.count("\n") + 1
    top_in = 0.35 + 0.22 * lines
    height_in = 1.35 + top_in + 0.62 * len(themes)
    figure = Figure(figsize=(7.5, height_in), dpi=100)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    figure.subplots_adjust(
        left=0.31, right=0.95, top=1 - top_in / height_in, bottom=1.0 / height_in
    )
    # The title at the figure's left edge, so a long one never runs off the picture.
    figure.suptitle(title, x=0.02, y=1 - 0.12 / height_in, ha="left", va="top", fontsize=11)
    rows = list(range(len(themes)))
    bar = 0.38
    new_bars = axis.barh(
        [r - bar / 2 for r in rows], new, height=bar, color=NEW_COLOUR, label=words.new
    )
    closed_bars = axis.barh(
        [r + bar / 2 for r in rows], closed, height=bar, color=CLOSED_COLOUR, label=words.closed
    )
    for bars in (new_bars, closed_bars):
        axis.bar_label(bars, padding=3, fontsize=8)
    axis.set_yticks(rows, [labels.get(t, t) for t in themes], fontsize=9)
    axis.invert_yaxis()  # the theme with the most reports on top
    ticks = count_ticks(max(new + closed))
    axis.xaxis.set_major_locator(FixedLocator(ticks))
    axis.set_xlim(0, ticks[-1] * 1.08)  # a little room for the number after the longest bar
    axis.set_xlabel(words.axis, fontsize=9)
    axis.grid(axis="x", color="#dddddd", linewidth=0.8)
    axis.set_axisbelow(True)
    axis.spines[["top", "right"]].set_visible(False)
    axis.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.55 / (height_in - top_in - 1.0)),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    return figure


def chart_png(
    digest: Digest, labels: dict[str, str], title: str, words: ChartWords
) -> bytes | None:
    """The chart as a PNG, or None for a quiet period."""
    figure = digest_figure(digest, labels, title, words)
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
