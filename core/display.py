"""The task the panels show: drawing one from a family, new support points, a family task made
the user's own, and a sketched curve made a function. Plain data in and out (no Qt, no torch: the
window draws with these before the trainer's process has imported torch); presets and the trainer
share them."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.controls import DisplayTask
from core.families import get_family

TARGET_POINTS = 200  # a drawn curve is resampled to this many evenly spaced x


def new_display_task(family_name: str, shots: int, rng: np.random.Generator) -> DisplayTask:
    """A fresh task from the family with K support points (cheap; the GUI calls it)."""
    fam = get_family(family_name)
    a = float(rng.uniform(*fam.a_range))
    b = float(rng.uniform(*fam.b_range))
    return with_support(DisplayTask(family_name, a, b, (), ()), shots, rng)


def with_support(task: DisplayTask, shots: int, rng: np.random.Generator) -> DisplayTask:
    """The same task with K new support points (the article's grid for sine-ab)."""
    if task.is_user:
        if task.target_x is None:
            return task
        lo, hi = task.target_x[0], task.target_x[-1]
        xs = np.sort(rng.uniform(lo, hi, shots))
        ys = np.interp(xs, task.target_x, task.target_y)
        return replace(task, xs=tuple(map(float, xs)), ys=tuple(map(float, ys)))
    fam = get_family(task.family)
    if fam.grid_support:
        xs = fam.points(shots)
    else:
        xs = np.sort(rng.uniform(*fam.x_range, shots))
    ys = fam.f(task.a, task.b, xs)
    return replace(task, xs=tuple(map(float, xs)), ys=tuple(map(float, ys)))


def with_params(task: DisplayTask, a: float, b: float) -> DisplayTask:
    """The same support x with a new (a, b): the sliders move the task, not the points' x."""
    fam = get_family(task.family)
    ys = fam.f(float(a), float(b), np.asarray(task.xs, dtype=np.float64))
    return replace(task, a=float(a), b=float(b), ys=tuple(map(float, ys)))


def as_user_task(task: DisplayTask | None, family: str) -> DisplayTask:
    """The task as a user task with the same points; a family task keeps its curve as target,
    and its (a, b) as the target's origin."""
    if task is None:
        return DisplayTask(family, None, None, (), ())
    if task.is_user:
        return task
    fam = get_family(task.family)
    x = np.linspace(*fam.x_range, TARGET_POINTS)
    y = fam.f(task.a, task.b, x)
    return DisplayTask(task.family, None, None, task.xs, task.ys, tuple(map(float, x)), tuple(map(float, y)),
                       (task.a, task.b))


def stroke_to_target(xs, ys) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """A sketched stroke as a function: sorted by x, duplicates averaged, resampled evenly.
    None when it spans no x (a vertical scribble is not a function)."""
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 2:
        return None
    ux, inv = np.unique(x, return_inverse=True)
    if ux.size < 2 or ux[-1] - ux[0] <= 1e-9:
        return None
    uy = np.bincount(inv, weights=y) / np.bincount(inv)
    gx = np.linspace(ux[0], ux[-1], TARGET_POINTS)
    return tuple(map(float, gx)), tuple(map(float, np.interp(gx, ux, uy)))


def off_origin(task: DisplayTask | None, tol: float = 1e-4) -> bool:
    """Whether an edited family task's support points have left the family curve it came from
    (then that curve is no longer the truth for them). False for any other task."""
    if task is None or task.origin is None or not task.xs:
        return False
    fam = get_family(task.family)
    a, b = task.origin
    on = fam.f(float(a), float(b), np.asarray(task.xs, dtype=np.float64))
    return not np.allclose(np.asarray(task.ys), on, atol=tol, rtol=tol)
