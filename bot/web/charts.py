"""Evaluation trends drawn on the server as small SVG charts: one dimension, both
organisations, over the rounds. Built as data (points, paths, labels) for a template to
write out, so the chart needs no script and no image library, and stays a few hundred bytes."""

from __future__ import annotations

from dataclasses import dataclass

from flows.evaluation import AMBER, GREEN

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 28, 10, 8, 22
LOW, HIGH = 1.0, 5.0  # the scores' scale
# Ours are round dots (radius 3.5, partnership.html), the partner's hollow diamonds: on a
# round where both gave the same score the diamond goes round the dot (its inner circle's
# radius is 6/√2, about 4.2), so neither hides the other.
DIAMOND = 6.0  # from the centre to a corner


@dataclass(frozen=True)
class Series:
    side: str  # "ours" or "partner"
    path: str  # the SVG path through the answered rounds ("" with fewer than one)
    dots: tuple[tuple[float, float, float], ...]  # (x, y, score)

    @property
    def diamonds(self) -> str:
        """One SVG path drawing a diamond on each dot."""
        d = DIAMOND
        return " ".join(
            f"M{x:.1f},{y - d:.1f}l{d:g},{d:g} {-d:g},{d:g} {-d:g},{-d:g}z"
            for x, y, _s in self.dots
        )


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: tuple[Series, ...]
    # The thresholds' bands: (y top, height, light).
    bands: tuple[tuple[float, float, str], ...]
    grid: tuple[tuple[float, str], ...]  # (y, score shown)
    xs: tuple[float, ...]  # each round's x, oldest first


def chart(values: list[tuple[float | None, float | None]]) -> Chart:
    """A chart of (ours, partner) scores per round, oldest first; a round one side did not
    answer leaves a gap in that side's dots, and its line joins the answered ones."""
    xs = tuple(_x(i, len(values)) for i in range(len(values)))
    series = []
    for index, side in enumerate(("ours", "partner")):
        dots = tuple(
            (x, _y(v[index]), v[index])
            for x, v in zip(xs, values, strict=True)
            if v[index] is not None
        )
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _s) in enumerate(dots)
        )
        series.append(Series(side, path, dots))
    bands = (
        (_y(HIGH), _y(GREEN) - _y(HIGH), "green"),
        (_y(GREEN), _y(AMBER) - _y(GREEN), "amber"),
        (_y(AMBER), _y(LOW) - _y(AMBER), "red"),
    )
    grid = tuple((_y(v), f"{v:g}") for v in (1.0, 3.0, 4.0, 5.0))
    return Chart(WIDTH, HEIGHT, tuple(series), bands, grid, xs)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(score: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (HIGH - score) / (HIGH - LOW)
