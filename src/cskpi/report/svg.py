"""Small inline SVG charts drawn in Python, so the HTML report needs no script and no network.

Every text that reaches the markup goes through :func:`esc`. Charts scale with their container
(``viewBox`` plus ``width=100%``); each mark carries a ``<title>`` so hovering shows its number.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

BLUE, GREEN, AMBER, RED, GREY = "#2563eb", "#16a34a", "#d97706", "#dc2626", "#a1a1aa"
INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def esc(text: Any) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """Coordinates with two decimals at most, so the markup stays small and stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _label(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def nice_ticks(low: float, high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart).

    ``whole`` keeps the step at 1 or more, for counts."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(math.ceil(step), 1)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{esc(title)}" class="chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11">',
        f"<title>{esc(title)}</title>",
    ]


def _legend(items: list[tuple[str, str]], x: float, y: float) -> list[str]:
    parts = []
    for name, color in items:
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y - 9)}" width="10" height="10" rx="2" fill="{color}"/>'
        )
        parts.append(f'<text x="{_num(x + 14)}" y="{_num(y)}" fill="{INK}">{esc(name)}</text>')
        x += 22 + 6.5 * len(name)
    return parts


def _y_axis(
    ticks: list[float],
    scale: Any,
    left: float,
    right: float,
    *,
    side: str = "left",
    grid: bool = True,
) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale(tick)
        if grid:
            parts.append(
                f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{_num(y)}" y2="{_num(y)}" '
                f'stroke="{GRID}"/>'
            )
        if side == "left":
            parts.append(
                f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end" '
                f'fill="{MUTED}">{esc(_label(tick))}</text>'
            )
        else:
            parts.append(
                f'<text x="{_num(right + 6)}" y="{_num(y + 4)}" text-anchor="start" '
                f'fill="{AMBER}">{esc(_label(tick))}</text>'
            )
    return parts


def volume_chart(data: dict[str, Any], title: str = "Tickets created, resolved and backlog") -> str:
    """Created and resolved as paired bars per day, backlog as a line on its own right-hand axis."""
    width, height = 760, 280
    left, right, top, bottom = 48, 700, 34, 236
    dates: list[str] = data["dates"]
    created, resolved, backlog = data["created"], data["resolved"], data["backlog"]
    count = max(len(dates), 1)
    bar_ticks = nice_ticks(0, max(max(created, default=0), max(resolved, default=0), 1), whole=True)
    line_ticks = nice_ticks(0, max(max(backlog, default=0), 1), whole=True)

    def bar_y(v: float) -> float:
        return bottom - (bottom - top) * v / bar_ticks[-1]

    def line_y(v: float) -> float:
        return bottom - (bottom - top) * v / line_ticks[-1]

    slot = (right - left) / count
    bar = max(min(slot * 0.38, 14), 0.8)
    parts = _open(width, height, title)
    parts += _legend(
        [("created", BLUE), ("resolved", GREEN), ("backlog (right axis)", AMBER)], left, 16
    )
    parts += _y_axis(bar_ticks, bar_y, left, right)
    parts += _y_axis(line_ticks, line_y, left, right, side="right", grid=False)
    step = data.get("step", "day")
    for i, day in enumerate(dates):
        x = left + slot * i + slot / 2
        for value, color, offset, name in (
            (created[i], BLUE, -bar, "created"),
            (resolved[i], GREEN, 0, "resolved"),
        ):
            y = bar_y(value)
            parts.append(
                f'<rect x="{_num(x + offset)}" y="{_num(y)}" width="{_num(bar)}" '
                f'height="{_num(bottom - y)}" fill="{color}" rx="1">'
                f"<title>{esc(day)}: {value:,} {name}</title></rect>"
            )
    label_every = max(1, math.ceil(count / 10))
    for i in range(0, count, label_every):
        x = left + slot * i + slot / 2
        parts.append(
            f'<text x="{_num(x)}" y="{bottom + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{esc(dates[i][5:] if step == 'day' else dates[i])}</text>"
        )
    points = " ".join(
        f"{_num(left + slot * i + slot / 2)},{_num(line_y(v))}" for i, v in enumerate(backlog)
    )
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{AMBER}" stroke-width="2.5" '
        f'stroke-linejoin="round"/>'
    )
    for i, v in enumerate(backlog):
        parts.append(
            f'<circle cx="{_num(left + slot * i + slot / 2)}" cy="{_num(line_y(v))}" '
            f'r="{2.5 if count <= 40 else 1.5}" fill="{AMBER}">'
            f"<title>{esc(dates[i])}: backlog {v:,}</title></circle>"
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    parts.append(f'<text x="{left}" y="{height - 8}" fill="{MUTED}">per {esc(step)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _bucket_names(edges: list[float | None]) -> list[str]:
    """Short bucket names: '<1 h', '1–4 h', '8–24 h', '1–2 d', '>3 d'."""

    def unit_of(value: float) -> tuple[float, str]:
        return (value / 24, "d") if value >= 24 else (value, "h")

    names = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        if high is None:
            amount, unit = unit_of(low)
            names.append(f">{amount:g} {unit}")
        elif low == 0:
            amount, unit = unit_of(high)
            names.append(f"<{amount:g} {unit}")
        else:
            (a, unit_a), (b, unit_b) = unit_of(low), unit_of(high)
            names.append(
                f"{a:g}–{b:g} {unit_b}" if unit_a == unit_b or a == 0 else f"{low:g}–{high:g} h"
            )
    return names


def histogram(data: dict[str, Any], title: str, color: str = BLUE) -> str:
    """Tickets per duration bucket, with the count above each bar."""
    width, height = 370, 240
    left, right, top, bottom = 40, 360, 30, 200
    counts: list[int] = data["counts"]
    names = _bucket_names(data["edges"])
    ticks = nice_ticks(0, max(max(counts, default=0), 1), 4, whole=True)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / ticks[-1]

    slot = (right - left) / max(len(counts), 1)
    parts = _open(width, height, title)
    parts.append(f'<text x="{left}" y="14" fill="{INK}" font-weight="600">{esc(title)}</text>')
    parts += _y_axis(ticks, y_of, left, right)
    total = sum(counts) or 1
    for i, (count, name) in enumerate(zip(counts, names, strict=True)):
        x = left + slot * i + slot * 0.12
        y = y_of(count)
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(slot * 0.76)}" '
            f'height="{_num(bottom - y)}" fill="{color}" rx="2">'
            f"<title>{esc(name)}: {count:,} tickets ({100 * count / total:.0f} %)</title></rect>"
        )
        parts.append(
            f'<text x="{_num(x + slot * 0.38)}" y="{_num(y - 4)}" text-anchor="middle" '
            f'fill="{INK}" font-size="10">{esc(_label(count))}</text>'
        )
        parts.append(
            f'<text x="{_num(x + slot * 0.38)}" y="{bottom + 15}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="10">{esc(name)}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    median = data.get("median")
    if median is not None:
        parts.append(
            f'<text x="{right}" y="14" text-anchor="end" fill="{MUTED}">'
            f"median {median:.1f} h</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def nps_bar(mix: dict[str, int], title: str = "NPS answers") -> str:
    """One 100 % bar: detractors, passives, promoters, with shares written inside."""
    width, height = 760, 92
    left, right, top, bar_height = 10, 750, 30, 30
    total = sum(mix.values()) or 1
    parts = _open(width, height, title)
    score = 100 * (mix["promoters"] - mix["detractors"]) / total
    parts.append(
        f'<text x="{left}" y="16" fill="{INK}" font-weight="600">{esc(title)}: '
        f"{total:,} answers, NPS {esc(f'{score:.0f}')}</text>"
    )
    x = float(left)
    segments = (
        ("detractors", "detractors (0–6)", RED),
        ("passives", "passives (7–8)", GREY),
        ("promoters", "promoters (9–10)", GREEN),
    )
    for key, name, color in segments:
        share = mix[key] / total
        span = (right - left) * share
        if span > 0:
            parts.append(
                f'<rect x="{_num(x)}" y="{top}" width="{_num(span)}" height="{bar_height}" '
                f'fill="{color}"><title>{esc(name)}: {mix[key]:,} '
                f"({100 * share:.0f} %)</title></rect>"
            )
            if span > 34:
                parts.append(
                    f'<text x="{_num(x + span / 2)}" y="{top + 20}" text-anchor="middle" '
                    f'fill="white" font-weight="600">{100 * share:.0f} %</text>'
                )
        x += span
    parts += _legend([(name, color) for _, name, color in segments], left, top + bar_height + 22)
    parts.append("</svg>")
    return "\n".join(parts)


def heatmap(data: dict[str, Any], title: str = "Inbound calls by hour of week") -> str:
    """Weekday rows by hour columns, darker for more calls."""
    counts: list[list[int]] = data["counts"]
    cell_w, cell_h, left, top = 28, 22, 40, 34
    width, height = left + 24 * cell_w + 10, top + 7 * cell_h + 30
    peak = max((max(row) for row in counts), default=0) or 1
    parts = _open(width, height, title)
    parts.append(f'<text x="{left}" y="14" fill="{INK}" font-weight="600">{esc(title)}</text>')
    for day, row in enumerate(counts):
        y = top + day * cell_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="{MUTED}">'
            f"{WEEKDAYS[day]}</text>"
        )
        for hour, count in enumerate(row):
            x = left + hour * cell_w
            strength = count / peak
            fill = "#f3f4f6" if count == 0 else f"rgba(37,99,235,{_num(0.12 + 0.88 * strength)})"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3" '
                f'fill="{fill}"><title>{WEEKDAYS[day]} {hour:02d}:00–{(hour + 1) % 24:02d}:00: '
                f"{count:,} calls</title></rect>"
            )
    for hour in range(0, 24, 3):
        parts.append(
            f'<text x="{left + hour * cell_w + (cell_w - 2) / 2}" y="{top + 7 * cell_h + 14}" '
            f'text-anchor="middle" fill="{MUTED}">{hour:02d}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def trend_line(
    label: str, periods: list[str], values: list[float | None], shown: list[str], color: str = BLUE
) -> str:
    """A small line chart of one KPI over the report's periods; gaps where it is not available."""
    width, height = 240, 124
    left, right, top, bottom = 8, 232, 44, 106
    known = [v for v in values if v is not None]
    low, high = min(known), max(known)
    if high == low:
        low, high = low - 1, high + 1
    count = max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return left + (right - left) * i / count, bottom - (bottom - top) * (v - low) / (high - low)

    parts = _open(width, height, label)
    parts.append(f'<text x="{left}" y="13" fill="{MUTED}">{esc(label)}</text>')
    parts.append(
        f'<text x="{left}" y="32" fill="{INK}" font-size="16" font-weight="650">'
        f"{esc(shown[-1])}</text>"
    )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = point(i, v)
        segment.append(f"{_num(x)},{_num(y)}")
        parts.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.5" fill="{color}">'
            f"<title>{esc(periods[i])}: {esc(shown[i])}</title></circle>"
        )
    if segment:
        segments.append(segment)
    parts += [
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{color}" stroke-width="2"/>'
        for s in segments
        if len(s) > 1
    ]
    parts.append(
        f'<text x="{left}" y="{height - 4}" fill="{MUTED}" font-size="9">{esc(periods[0])}</text>'
    )
    parts.append(
        f'<text x="{right}" y="{height - 4}" text-anchor="end" fill="{MUTED}" font-size="9">'
        f"{esc(periods[-1])}</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)
