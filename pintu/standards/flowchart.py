"""The procedure of a service drawn as a flowchart, built on the server from its workflow steps.

One box per step with its actor (the applicant, the role, the unit, or the outside party), in the
order of the declaration; arrows for the ways an application leaves a step: ``forward`` to the next
step (or to its ``target``, drawn in a lane on the right), ``finish`` to the end, ``return`` to the
applicant for correction (a pill on the left) and ``refuse`` (a pill on the right).  A conditional
step is drawn dashed ("jika berlaku").

:func:`layout` places the shapes once; :func:`svg` renders them as inline SVG for the pages (styled
by the classes in ``static/pintu.css``; no client library) and :func:`draw_pdf` draws the same
shapes into an fpdf2 document (the printed Standar Pelayanan).

Hand-written rather than Graphviz: a column of boxes needs no layout engine, and the app must not
depend on a system binary to show a public page.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from pintu.contract.services import DISPOSE, EXTERNAL, FINISH, FORWARD, REFUSE, RETURN, ROLES, Service, Step

WIDTH = 760
BOX_W = 340
BOX_X = (WIDTH - BOX_W) // 2
LINE = 16
GAP = 34
PILL_W = 112


@dataclass
class Shape:
    """A box (``rx`` rounding) with centred lines ``(text, class)``, or an arrow along ``points``."""

    kind: str  # "box" or "arrow"
    cls: str
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    rx: float = 6
    lines: list = field(default_factory=list)
    points: list = field(default_factory=list)
    label: str = ""


def actor_label(step: Step, unit_names: dict[str, str]) -> str:
    """Who acts at ``step``: "Pemohon", the outside party, the unit, or the role."""
    if step.for_applicant:
        return "Pemohon"
    if step.role == EXTERNAL and step.party is not None:
        return step.party.label
    if step.unit_for is not None:
        names = [unit_names.get(u, u) for u in step.units]
        return " / ".join(names) if names else "Unit sesuai permohonan"
    if step.unit:
        return unit_names.get(step.unit, step.unit)
    return ROLES.get(step.role, step.role)


def _box(y: float, title: str, actor: str, cls: str) -> Shape:
    lines = [(t, "fc-title") for t in textwrap.wrap(title, 38) or [""]]
    lines += [(t, "fc-actor") for t in textwrap.wrap(actor, 40)]
    return Shape("box", f"fc-box {cls}", BOX_X, y, BOX_W, 14 + LINE * len(lines) + 6, lines=lines)


def _pill(x: float, y: float, text: str, cls: str) -> Shape:
    return Shape("box", f"fc-pill {cls}", x, y - 13, PILL_W, 26, rx=13, lines=[(text, "fc-pill-text")])


def layout(service: Service, unit_names: dict[str, str]) -> tuple[float, list[Shape]]:
    """(height, shapes) of the flowchart of ``service`` in a ``WIDTH``-wide canvas."""
    shapes: list[Shape] = []
    y = 10.0
    cx = WIDTH / 2
    start = _box(y, "Pemohon mengajukan permohonan", "Pemohon (daring di PINTU atau di loket)", "fc-start")
    shapes.append(start)
    y += start.h + GAP
    steps = list(service.steps)
    boxes = []
    for step in steps:
        cls = "fc-applicant" if step.for_applicant else ("fc-external" if step.external else "fc-staff")
        if step.condition is not None:
            cls += " fc-conditional"
        title = step.title + (" (jika berlaku)" if step.condition is not None else "")
        box = _box(y, title, actor_label(step, unit_names), cls)
        boxes.append(box)
        y += box.h + GAP
    shapes += boxes
    end_y = y
    shapes.append(Shape("box", "fc-box fc-end", BOX_X + 60, end_y, BOX_W - 120, 34, rx=17,
                        lines=[("Selesai", "fc-title")]))
    first_top = boxes[0].y if boxes else end_y
    shapes.append(Shape("arrow", "fc-arrow", points=[(cx, first_top - GAP), (cx, first_top - 2)]))
    lane = 0
    keys = [s.key for s in steps]
    right = BOX_X + BOX_W
    for i, (step, box) in enumerate(zip(steps, boxes)):
        kinds = {a.kind for a in step.actions}
        last = i + 1 == len(steps)
        next_top = end_y if last else boxes[i + 1].y
        mid = box.y + box.h / 2
        sequential = any((a.kind in (FORWARD, DISPOSE) and a.target in (None, None if last else keys[i + 1]))
                         or (last and a.kind == FINISH) for a in step.actions)
        if sequential:
            label = "disposisi" if DISPOSE in kinds and FORWARD not in kinds else ""
            shapes.append(Shape("arrow", "fc-arrow", points=[(cx, box.y + box.h), (cx, next_top - 2)], label=label))
        for action in step.actions:
            jump = None
            if action.kind in (FORWARD, DISPOSE) and action.target and (last or action.target != keys[i + 1]):
                jump = boxes[keys.index(action.target)].y + 12
            elif action.kind == FINISH and not last:
                jump = end_y + 17
            if jump is not None:
                lane += 1
                x = right + 10 + 10 * min(lane, 6)
                shapes.append(Shape("arrow", "fc-arrow fc-jump", points=[
                    (right, mid + 6), (x, mid + 6), (x, jump), (right if jump < end_y else right - 60, jump)]))
        if RETURN in kinds:
            shapes.append(Shape("arrow", "fc-arrow fc-return", points=[(BOX_X, mid), (BOX_X - 24, mid)]))
            shapes.append(_pill(BOX_X - 24 - PILL_W, mid, "Dikembalikan", "fc-returned"))
        if REFUSE in kinds:
            px = WIDTH - PILL_W - 2
            shapes.append(Shape("arrow", "fc-arrow fc-refuse", points=[(right, mid - 6), (px - 2, mid - 6)]))
            shapes.append(_pill(px, mid - 6, "Ditolak", "fc-refused"))
    return end_y + 34 + 10, shapes


# -- SVG (pages) -------------------------------------------------------------------------------------

def _svg_shape(shape: Shape, head: str) -> str:
    if shape.kind == "arrow":
        d = " ".join(f"{x:.0f},{y:.0f}" for x, y in shape.points)
        out = f'<polyline class="{shape.cls}" points="{d}" marker-end="url(#{head})"/>'
        if shape.label:
            (x1, y1), (x2, y2) = shape.points[0], shape.points[1]
            out += (f'<text class="fc-label" x="{(x1 + x2) / 2 + 4:.0f}" y="{(y1 + y2) / 2 - 4:.0f}">'
                    f'{escape(shape.label)}</text>')
        return out
    cx = shape.x + shape.w / 2
    out = (f'<rect class="{shape.cls}" x="{shape.x:.0f}" y="{shape.y:.0f}" width="{shape.w:.0f}" '
           f'height="{shape.h:.0f}" rx="{shape.rx:.0f}"/>')
    first = shape.y + (20 if shape.h > 30 else shape.h / 2 + 4)
    for n, (text, cls) in enumerate(shape.lines):
        out += (f'<text class="{cls}" x="{cx:.0f}" y="{first + n * LINE:.0f}" text-anchor="middle">'
                f'{escape(text)}</text>')
    return out


def svg(service: Service, unit_names: dict[str, str]) -> Markup:
    """The flowchart of ``service`` as an inline ``<svg>`` element."""
    height, shapes = layout(service, unit_names)
    uid = f"fc-{service.slug}"
    title = f"Alur prosedur {service.title}"
    desc = "; ".join(f"{n}. {s.title} ({actor_label(s, unit_names)})" for n, s in enumerate(service.steps, 1))
    defs = (f'<defs><marker id="{uid}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path class="fc-head" d="M 0 0 L 10 5 L 0 10 z"/>'
            '</marker></defs>')
    body = "".join(_svg_shape(s, f"{uid}-head") for s in shapes)
    return Markup(f'<svg class="flowchart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
                  f'role="img" aria-labelledby="{uid}-t {uid}-d"><title id="{uid}-t">{escape(title)}</title>'
                  f'<desc id="{uid}-d">{escape(desc)}</desc>{defs}{body}</svg>')


# -- PDF (the printed book) ----------------------------------------------------------------------------

#: class -> (fill RGB or None, stroke RGB) for the PDF (the stylesheet's colours).
_PDF_COLOURS = {
    "fc-start": ((230, 240, 249), (11, 79, 138)), "fc-staff": ((255, 255, 255), (11, 79, 138)),
    "fc-applicant": ((255, 244, 214), (122, 75, 0)), "fc-external": ((241, 236, 250), (91, 63, 153)),
    "fc-end": ((228, 244, 232), (29, 107, 53)), "fc-returned": ((255, 244, 214), (122, 75, 0)),
    "fc-refused": ((253, 236, 234), (179, 38, 30)), "fc-jump": (None, (11, 79, 138)),
    "fc-return": (None, (122, 75, 0)), "fc-refuse": (None, (179, 38, 30)), "fc-arrow": (None, (28, 36, 48)),
}


def _colours(cls: str):
    names = cls.split()
    for name in reversed(names):
        if name in _PDF_COLOURS:
            return _PDF_COLOURS[name]
    return _PDF_COLOURS["fc-staff"]


def draw_pdf(doc, service: Service, unit_names: dict[str, str], title: str, text=lambda s: s) -> None:
    """Draw ``title`` and the flowchart of ``service`` into the fpdf2 ``doc`` at its cursor, scaled to
    the text width (both on a new page when they do not fit); ``text`` adapts strings to the font."""
    import math

    height, shapes = layout(service, unit_names)
    scale = (doc.w - doc.l_margin - doc.r_margin) / WIDTH
    if doc.get_y() + 7 + height * scale > doc.h - doc.b_margin:
        doc.add_page()
    doc.set_font("Helvetica", "B", 10)
    doc.multi_cell(0, 5, text(title), new_x="LMARGIN", new_y="NEXT")
    ox, oy = doc.l_margin, doc.get_y() + 2

    def at(x, y):
        return ox + x * scale, oy + y * scale

    doc.set_line_width(0.3)
    for shape in shapes:
        fill, stroke = _colours(shape.cls)
        doc.set_draw_color(*stroke)
        dashed = "fc-conditional" in shape.cls or "fc-jump" in shape.cls
        doc.set_dash_pattern(dash=1.2, gap=0.8) if dashed else doc.set_dash_pattern()
        if shape.kind == "arrow":
            points = [at(x, y) for x, y in shape.points]
            doc.polyline(points)
            doc.set_dash_pattern()
            (x1, y1), (x2, y2) = points[-2], points[-1]
            angle, size = math.atan2(y2 - y1, x2 - x1), 1.6
            doc.set_fill_color(*stroke)
            doc.polygon([(x2, y2), (x2 - size * math.cos(angle - 0.45), y2 - size * math.sin(angle - 0.45)),
                         (x2 - size * math.cos(angle + 0.45), y2 - size * math.sin(angle + 0.45))], style="F")
            continue
        x, y = at(shape.x, shape.y)
        doc.set_fill_color(*(fill or (255, 255, 255)))
        doc.rect(x, y, shape.w * scale, shape.h * scale, style="DF", round_corners=True,
                 corner_radius=min(shape.rx, 8) * scale)
        doc.set_dash_pattern()
        first = shape.y + (20 if shape.h > 30 else shape.h / 2 + 4)
        for n, (line, cls) in enumerate(shape.lines):
            doc.set_font("Helvetica", "B" if cls == "fc-title" else "", 7 if cls != "fc-actor" else 6.5)
            doc.set_text_color(28, 36, 48) if cls != "fc-actor" else doc.set_text_color(85, 96, 109)
            tx, ty = at(shape.x, first + n * LINE)
            doc.set_xy(tx, ty - 2.6)
            doc.cell(shape.w * scale, 3.2, text(line), align="C")
    doc.set_text_color(0, 0, 0)
    doc.set_draw_color(0, 0, 0)
    doc.set_xy(doc.l_margin, oy + height * scale + 2)
