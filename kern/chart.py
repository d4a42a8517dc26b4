"""The digest's chart: signals by theme and status for the period, as a PNG."""

from __future__ import annotations

import io

from signalen.overzicht import Digest


def chart_png(digest: Digest, labels: dict[str, str], title: str) -> bytes:
    """Stacked bars per theme: still open and done, for signals new in the period."""
    # Imported here: matplotlib costs ~40 MB, and a worker draws a chart once a week. The
    # object API (no pyplot state, no tight_layout) is the cheaper way to draw one.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    themes = list(digest.new_by_theme) or ["–"]
    open_counts = [digest.new_by_theme.get(t, {}).get("open", 0) for t in themes]
    done_counts = [digest.new_by_theme.get(t, {}).get("afgehandeld", 0) for t in themes]
    names = [labels.get(t, t) for t in themes]
    figure = Figure(figsize=(7, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    figure.subplots_adjust(left=0.24, right=0.97, top=0.9, bottom=0.26)
    axis.barh(names, done_counts, height=0.6, color="#2e7d32", label="afgehandeld / done")
    axis.barh(names, open_counts, height=0.6, left=done_counts, color="#f9a825", label="open")
    axis.set_title(title, fontsize=11)
    axis.set_xlabel("meldingen / reports")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.invert_yaxis()
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
