"""Charts as SVG, drawn on the server with pygal.

Pages embed them as `<img src="data:image/svg+xml;base64,…">`: an SVG shown as
an image runs no script and loads nothing, so the page's strict CSP holds
(pygal's own `<style>` lives inside the image document). pygal's JavaScript is
switched off (`js=[]`). PDFs embed the same images; DOCX documents get tables
of the same figures instead (no SVG-to-PNG converter is installed).

A chart is a pure function of its title, labels, counts and width, so each
process keeps the last CHARTS_KEPT it drew: pygal takes about 12 ms a chart and a
dashboard draws six, while its figures change only when an appeal arrives.
"""

import base64
from collections.abc import Sequence
from functools import lru_cache

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from reports.selectors import small_count

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b2430",
    foreground_strong="#1b2430",
    foreground_subtle="#5b6675",
    colors=("#1d5c8c", "#8fb3cf", "#c9d8e5", "#b3261e", "#1e6b3a", "#8a5a00"),
    font_family="'Noto Sans', 'DejaVu Sans', sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    tooltip_font_size=12,
)

# Older periods pale, this quarter strong.
TREND_STYLE = Style(**{**STYLE.__dict__, "colors": ("#c9d8e5", "#8fb3cf", "#1d5c8c")})

COMMON = {
    "style": STYLE,
    "disable_xml_declaration": True,
    "js": [],
    "show_legend": False,
    "print_values": True,
    "print_zeroes": False,
    "explicit_size": True,
    "margin": 8,
}


def _ticks(values) -> list[int]:
    """Whole-number axis marks, at most about eight: counts have no fractions."""
    top = max([v for v in values if isinstance(v, int | float)] or [0])
    step = max(1, -(-int(top) // 8))
    return list(range(0, int(top) + step + 1, step))


def _render(chart: pygal.graph.graph.Graph) -> str:
    return chart.render(is_unicode=True)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


CHARTS_KEPT = 256  # SVGs of 5-30 KB: a few MB a process


def bars(title: str, labels: Sequence[str], values: Sequence[int], *, width: int = 560) -> str:
    """Horizontal bars, one per label (the first at the top), with the count printed on each."""
    return _bars(str(title), tuple(map(str, labels)), tuple(values), width)


@lru_cache(maxsize=CHARTS_KEPT)
def _bars(title: str, labels: tuple[str, ...], values: tuple[int, ...], width: int) -> str:
    chart = pygal.HorizontalBar(
        width=width, height=40 + 30 * max(len(labels), 1), truncate_label=-1, y_labels=_ticks(values), **COMMON
    )
    chart.x_labels = list(reversed(labels))
    chart.add(title, list(reversed(values)))
    return _render(chart)


def suppressed_bars(title: str, labels: Sequence[str], values: Sequence[int], *, width: int = 560) -> str:
    """Like `bars`, but counts from 1 to SMALL_COUNT-1 are not drawn, so no small group shows."""
    limit = small_count()
    fewer = _("fewer than %(n)s") % {"n": limit}
    return _suppressed(str(title), tuple(map(str, labels)), tuple(values), width, limit, fewer)


@lru_cache(maxsize=CHARTS_KEPT)
def _suppressed(
    title: str, labels: tuple[str, ...], values: tuple[int, ...], width: int, limit: int, fewer: str
) -> str:
    shown = [{"value": None if 0 < v < limit else v} for v in values]
    names = [f"{label} ({fewer})" if 0 < v < limit else label for label, v in zip(labels, values, strict=True)]
    if not any(item["value"] for item in shown):
        return ""  # every group is small: a chart would show nothing
    chart = pygal.HorizontalBar(
        width=width,
        height=40 + 30 * max(len(labels), 1),
        truncate_label=-1,
        y_labels=_ticks([item["value"] for item in shown]),
        **COMMON,
    )
    chart.x_labels = list(reversed(names))
    chart.add(title, list(reversed(shown)))
    return _render(chart)


def compare(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, width: int = 560) -> str:
    """Grouped bars for the trend: the same labels in several periods, with a legend."""
    kept = tuple((str(name), tuple(values)) for name, values in series)
    return _compare(str(title), tuple(map(str, labels)), kept, width)


@lru_cache(maxsize=CHARTS_KEPT)
def _compare(title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple[int, ...]], ...], width: int) -> str:
    height = 110 + 16 * len(series) * max(len(labels), 1)
    options = {
        **COMMON,
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "print_values": False,
        "style": TREND_STYLE,
    }
    ticks = _ticks([v for _name, values in series for v in values])
    chart = pygal.HorizontalBar(title=title, width=width, height=height, truncate_label=-1, y_labels=ticks, **options)
    chart.x_labels = list(reversed(labels))
    for name, values in series:
        chart.add(name, list(reversed(values)))
    return _render(chart)
