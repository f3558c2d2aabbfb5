"""The procedure of a service drawn as a flowchart (SVG built on the server from its workflow steps).

One box per step with its actor (the applicant, the role, the unit, or the outside party), in the
order of the declaration; arrows for the ways an application leaves a step: ``forward`` to the next
step (or to its ``target``, drawn in a lane on the right), ``finish`` to the end, ``return`` to the
applicant for correction (a pill on the left) and ``refuse`` (a pill on the right).  A conditional
step is drawn dashed ("jika berlaku").  No client library: the page gets plain SVG, styled by the
classes in ``static/pintu.css``.

Hand-written rather than Graphviz: a column of boxes needs no layout engine, and the app must not
depend on a system binary to show a public page.
"""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from .services import DISPOSE, EXTERNAL, FINISH, FORWARD, REFUSE, RETURN, ROLES, Service, Step

WIDTH = 760
BOX_W = 340
BOX_X = (WIDTH - BOX_W) // 2
LINE = 16
GAP = 34
PILL_W = 112


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


def _text(x: float, y: float, lines: list[str], cls: str) -> str:
    spans = "".join(f'<tspan x="{x:.0f}" dy="{0 if i == 0 else LINE}">{escape(t)}</tspan>'
                    for i, t in enumerate(lines))
    return f'<text class="{cls}" x="{x:.0f}" y="{y:.0f}" text-anchor="middle">{spans}</text>'


def _box(y: float, title: str, actor: str, cls: str) -> tuple[str, float]:
    lines = textwrap.wrap(title, 38) or [""]
    actor_lines = textwrap.wrap(actor, 40)
    height = 14 + LINE * (len(lines) + len(actor_lines)) + 6
    cx = WIDTH / 2
    parts = [f'<rect class="fc-box {cls}" x="{BOX_X}" y="{y:.0f}" width="{BOX_W}" height="{height:.0f}" rx="6"/>',
             _text(cx, y + 20, lines, "fc-title"),
             _text(cx, y + 20 + LINE * len(lines), actor_lines, "fc-actor")]
    return "".join(parts), height


def _arrow(points: list[tuple[float, float]], cls: str = "fc-arrow", label: str = "") -> str:
    d = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
    out = f'<polyline class="{cls}" points="{d}" marker-end="url(#HEAD)"/>'
    if label:
        (x1, y1), (x2, y2) = points[0], points[1]
        out += f'<text class="fc-label" x="{(x1 + x2) / 2 + 4:.0f}" y="{(y1 + y2) / 2 - 4:.0f}">{escape(label)}</text>'
    return out


def _pill(x: float, y: float, text: str, cls: str) -> str:
    return (f'<rect class="fc-pill {cls}" x="{x:.0f}" y="{y - 13:.0f}" width="{PILL_W}" height="26" rx="13"/>'
            + _text(x + PILL_W / 2, y + 4, [text], "fc-pill-text"))


def svg(service: Service, unit_names: dict[str, str]) -> Markup:
    """The flowchart of ``service`` as an inline ``<svg>`` element."""
    parts: list[str] = []
    y = 10.0
    cx = WIDTH / 2
    start, h = _box(y, "Pemohon mengajukan permohonan", "Pemohon (daring di PINTU atau di loket)", "fc-start")
    parts.append(start)
    tops, bottoms, mids = [], [], []
    y += h + GAP
    steps = list(service.steps)
    for step in steps:
        cls = "fc-applicant" if step.for_applicant else ("fc-external" if step.external else "fc-staff")
        if step.condition is not None:
            cls += " fc-conditional"
        title = step.title + (" (jika berlaku)" if step.condition is not None else "")
        box, h = _box(y, title, actor_label(step, unit_names), cls)
        parts.append(box)
        tops.append(y)
        bottoms.append(y + h)
        mids.append(y + h / 2)
        y += h + GAP
    end_y = y
    parts.append(f'<rect class="fc-box fc-end" x="{BOX_X + 60}" y="{end_y:.0f}" width="{BOX_W - 120}" '
                 f'height="34" rx="17"/>' + _text(cx, end_y + 22, ["Selesai"], "fc-title"))
    height = end_y + 34 + 10
    # Arrows: start -> first step, then each step's ways out.
    first_top = tops[0] if tops else end_y
    parts.append(_arrow([(cx, first_top - GAP), (cx, first_top - 2)]))
    lane = 0
    keys = [s.key for s in steps]
    for i, step in enumerate(steps):
        kinds = {a.kind for a in step.actions}
        next_top = tops[i + 1] if i + 1 < len(steps) else end_y
        last = i + 1 == len(steps)
        sequential = any((a.kind in (FORWARD, DISPOSE) and a.target in (None, None if last else keys[i + 1]))
                         or (last and a.kind == FINISH) for a in step.actions)
        if sequential:
            label = "disposisi" if DISPOSE in kinds and FORWARD not in kinds else ""
            parts.append(_arrow([(cx, bottoms[i]), (cx, next_top - 2)], label=label))
        for action in step.actions:
            jump = None
            if action.kind in (FORWARD, DISPOSE) and action.target and (i + 1 >= len(steps)
                                                                        or action.target != keys[i + 1]):
                jump = tops[keys.index(action.target)] + 12
            elif action.kind == FINISH and i + 1 < len(steps):
                jump = end_y + 17
            if jump is not None:
                lane += 1
                x = BOX_X + BOX_W + 10 + 10 * min(lane, 6)
                parts.append(_arrow([(BOX_X + BOX_W, mids[i] + 6), (x, mids[i] + 6), (x, jump),
                                     (BOX_X + BOX_W if jump < end_y else BOX_X + BOX_W - 60, jump)],
                                    "fc-arrow fc-jump"))
        if RETURN in kinds:
            parts.append(_arrow([(BOX_X, mids[i]), (BOX_X - 24, mids[i])], "fc-arrow fc-return"))
            parts.append(_pill(BOX_X - 24 - PILL_W, mids[i], "Dikembalikan", "fc-returned"))
        if REFUSE in kinds:
            px = WIDTH - PILL_W - 2
            parts.append(_arrow([(BOX_X + BOX_W, mids[i] - 6), (px - 2, mids[i] - 6)], "fc-arrow fc-refuse"))
            parts.append(_pill(px, mids[i] - 6, "Ditolak", "fc-refused"))
    title = f"Alur prosedur {service.title}"
    desc = "; ".join(f"{n}. {s.title} ({actor_label(s, unit_names)})" for n, s in enumerate(steps, 1))
    uid = f"fc-{service.slug}"
    head = (f'<defs><marker id="{uid}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path class="fc-head" d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>')
    return Markup(f'<svg class="flowchart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
                  f'role="img" aria-labelledby="{uid}-t {uid}-d"><title id="{uid}-t">{escape(title)}</title>'
                  f'<desc id="{uid}-d">{escape(desc)}</desc>{head}'
                  + "".join(parts).replace("url(#HEAD)", f"url(#{uid}-head)") + "</svg>")
