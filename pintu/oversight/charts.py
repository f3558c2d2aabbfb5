"""Small bar charts drawn on the server as SVG (the dashboard's).

Hand-written rather than taken from a library: the server-side SVG chart libraries on PyPI
(pygal, leather) write ``<style>`` elements, inline ``style=`` attributes and, for pygal, a
``<script>`` into the SVG, which the strict Content-Security-Policy of every page refuses
(no inline style or script).  A horizontal bar chart is a few rectangles and labels; these carry
CSS classes styled by ``static/pintu.css`` and a ``<title>`` per bar, and each chart has a text
alternative (``role="img"`` with ``aria-label``) and is shown next to the table holding its numbers.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 250
BAR_WIDTH = 360
VALUE_WIDTH = 60


def _clip(text: str, size: int = 34) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def bars(title: str, items: list[tuple], css: str = "bar") -> Markup:
    """A horizontal bar chart of ``(label, value)`` items (``(label, value, css_class)`` to colour
    one bar apart), scaled to the largest value."""
    items = [(item[0], item[1], item[2] if len(item) > 2 else css) for item in items]
    top = max((v for _, v, _ in items), default=0) or 1
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    summary = "; ".join(f"{label}: {value}" for label, value, _ in items) or "tidak ada data"
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}: {escape(summary)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, bar_css) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / top) if value else 0
        text_y = y + BAR_HEIGHT - 4
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end">{escape(_clip(label))}</text>')
        parts.append(f'<rect class="{bar_css}" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{text_y}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
