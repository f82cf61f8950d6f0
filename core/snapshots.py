"""What a snapshot shows, computed for the trainer: each initialisation adapting to the display
task (the panels), the held-out evaluation (the paper's Figure 3) and the two-scalar model's loss
surface. Whatever depends only on the task and the settings (the random and pretrained inits'
curves and evaluation, the surface, the task's tensors) is cached, so a snapshot at 60 Hz costs
about one initialisation's adaptation."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from core.algorithms import HParams, adapt, adapt_path
from core.controls import DisplayTask, EvalCurves, Landscape
from core.curves import fit_slices
from core.evaluate import heldout_tasks, summarize
from core.landscape import loss_surface, view_box
from core.models import MLP, Params, expand, mse
from core.schedules import EVAL_STEPS, eval_steps, step_schedule
from core.tasks import TaskBatch, interp

GRID = 200  # x resolution of the drawn curves
EVAL_TASKS = 100
EVAL_CHUNK = 2  # inner steps per slice of a held-out evaluation spread over snapshots (MLP: ~1 ms each)
SURFACE_GRID = 120
# A meta-learned init's curves change with every meta-iteration; while training plays they are
# recomputed only when the last computation took at most this share of the time since, so many
# display steps (500 for the MLP: ~25 ms on a busy CPU) slow their refresh, never the training.
# The default 10 steps (~1 ms, core.curves) refresh with every snapshot on an idle machine; when
# other work slows the fit, its refresh slows, not the trainer (0.25 had let it take a quarter).
DISPLAY_SHARE = 0.1
CURVE_SLICE_S = 0.004  # ... computed in slices of about this long per snapshot
CURVE_CHUNK = 5  # inner steps per slice


def init_steps(learner, hp: HParams, n: int) -> int:
    """At most how many steps to draw from a learner's init: a learned step rule (Meta-SGD's
    per-parameter rates, Alpha MAML's α, CAVIA's context) was fitted for the inner steps it
    trained with and may blow up past them; a fixed α carries on to N."""
    return min(n, hp.inner_steps) if learner.algo.extras_shapes(learner.model) is not None else n


@torch.no_grad()
def mse_slices(model, params: Params, tasks: TaskBatch, lr, steps: tuple[int, ...], chunk: int):
    """`mse_at` in slices: a generator that yields after every `chunk` inner steps and returns
    the (len(steps), n) MSEs, so a long evaluation can be spread over many snapshots."""
    p = expand(params, len(tasks))
    out, done = [], 0
    for s in steps:
        while done < s:
            k = min(chunk, s - done)
            p = adapt(model, p, tasks.xs, tasks.ys, lr, k)
            done += k
            yield
        out.append(mse(model, p, tasks.xq, tasks.yq))
    return torch.stack(out)


def finish(job):
    """Run a generator job to its end; its return value."""
    while True:
        try:
            next(job)
        except StopIteration as done:
            return done.value


def mse_at(model, params: Params, tasks: TaskBatch, lr, steps: tuple[int, ...]) -> torch.Tensor:
    """(len(steps), n) query MSE of each task after each listed (increasing) number of SGD
    steps from params: the steps between are taken, the query set is evaluated only there."""
    return finish(mse_slices(model, params, tasks, lr, steps, max(steps, default=0) or 1))


@dataclass
class Init:
    """One initialisation to show: its parameters, the inner step rule it adapts with, whether
    it only changes with the settings (random, pretrained), which makes its results cacheable,
    and at most how many steps it is drawn with (None: the display steps)."""

    params: Params
    lr: object
    fixed: bool = False
    steps: int | None = None

    def schedule(self, n: int) -> tuple[int, ...]:
        return step_schedule(n if self.steps is None else min(n, self.steps))


@dataclass
class TaskInputs:
    """A display task as tensors on the device (grid, true curve, support) and as numpy."""

    grid: torch.Tensor
    true_y: torch.Tensor | None
    xs: torch.Tensor  # (1, K)
    ys: torch.Tensor
    grid_np: np.ndarray
    true_np: np.ndarray | None
    xs_np: np.ndarray
    ys_np: np.ndarray


def _inside(inner, outer) -> bool:
    """Whether the box `inner` ((a_lo, a_hi), (b_lo, b_hi)) lies within `outer`."""
    (a0, a1), (b0, b1) = inner
    (A0, A1), (B0, B1) = outer
    return A0 <= a0 and a1 <= A1 and B0 <= b0 and b1 <= B1


class SnapshotParts:
    """Curves, evaluation and surface for one model and family on one device, with their caches."""

    def __init__(self, model, family, device: torch.device):
        self.model, self.family, self.device = model, family, device
        self._inputs_key, self._inputs = None, None
        self._curve_cache: dict[str, tuple] = {}
        self._live_cache: dict[str, tuple] = {}  # changing inits: (key, result, finished at, cost)
        self._jobs: dict[str, list] = {}  # changing inits' curves in progress: [generator, cost so far]
        self._eval_cache: dict[str, tuple] = {}
        self._heldout_key, self._heldout = None, None
        self._surface_key, self._surface = None, None
        self.fixed_version = 0  # bumped when a fixed init changes (a new random init, the pretrained one)
        self.serial = 0  # versions of the evaluation and surface, for readers in another process
        self.surface_id = 0
        self.paths: dict[str, np.ndarray] = {}  # the latest (a, b) adaptation paths, two-scalar model

    def fixed_changed(self) -> None:
        self.fixed_version += 1

    @torch.no_grad()
    def inputs(self, task: DisplayTask) -> TaskInputs:
        key = (task, self.family.name, str(self.device))
        if self._inputs_key == key:
            return self._inputs
        fam = self.family
        if task.is_user and task.target_x is not None:
            lo, hi = min(task.target_x[0], fam.x_range[0]), max(task.target_x[-1], fam.x_range[1])
        else:
            lo, hi = fam.x_range
        grid = torch.linspace(lo, hi, GRID, device=self.device)
        true_y = None
        if not task.is_user:
            true_y = fam.f(torch.tensor(task.a), torch.tensor(task.b), grid)
        elif task.target_x is not None:
            tx = torch.tensor(task.target_x, dtype=torch.float32, device=self.device)
            ty = torch.tensor(task.target_y, dtype=torch.float32, device=self.device)
            true_y = interp(grid, tx, ty)
        xs = torch.tensor(task.xs, dtype=torch.float32, device=self.device)[None]
        ys = torch.tensor(task.ys, dtype=torch.float32, device=self.device)[None]
        self._inputs_key = key
        self._inputs = TaskInputs(grid, true_y, xs, ys, grid.cpu().numpy(),
                                  None if true_y is None else true_y.cpu().numpy(),
                                  xs[0].cpu().numpy(), ys[0].cpu().numpy())
        return self._inputs

    def _by_hand(self, init: Init) -> bool:
        """Whether the fit is core.curves' numpy one: an MLP adapting all its weights by SGD (a
        step rule of an algorithm's own, CAVIA's context, takes the generic path)."""
        return isinstance(self.model, MLP) and not hasattr(init.lr, "adapt")

    def _fit(self, init: Init, schedule: tuple[int, ...], x: TaskInputs, chunk: int):
        """core.curves' fit as a generator (yields every `chunk` steps), returning `_adapt`'s tuple."""
        preds = yield from fit_slices(self.model, init.params, init.lr, x.xs_np, x.ys_np, x.grid_np, schedule, chunk)
        errors = ((preds - x.true_np) ** 2).mean(-1) if x.true_np is not None else None
        return preds, errors, None, schedule

    @torch.no_grad()
    def _adapt(self, init: Init, schedule: tuple[int, ...], x: TaskInputs):
        """The fit at the scheduled step counts only: what crosses to the window stays a few
        curves (not N + 1), and so does the MSE against the true curve."""
        steps, rows = schedule[-1], list(schedule)
        if self._by_hand(init):  # the MLP: by hand in numpy, the grid only at the scheduled counts
            return finish(self._fit(init, schedule, x, steps + 1))
        if hasattr(init.lr, "adapt"):  # an algorithm's own step rule (CAVIA adapts its context): the generic path
            path = adapt_path(self.model, expand(init.params, 1), x.xs, x.ys, init.lr, steps)
            path = [path[s] for s in rows]
            stacked = {k: torch.cat([q[k] for q in path]) for k in path[0]}
            preds, points = self.model.forward(stacked, x.grid.expand(len(path), -1)), None
        else:  # the two-scalar model: its fast path, every step (the panel draws the path), then the scheduled rows
            preds, points = self.model.sgd_curves(init.params, x.xs[0], x.ys[0], x.grid, init.lr, steps)
            preds = preds[rows]
        errors = ((preds - x.true_y) ** 2).mean(-1).cpu().numpy() if x.true_y is not None else None
        return preds.cpu().numpy(), errors, points, schedule

    @torch.no_grad()
    def _adapt_slices(self, init: Init, schedule: tuple[int, ...], x: TaskInputs, with_path: bool):
        """`_adapt` as a generator that yields every CURVE_CHUNK steps: the same fit (the generic
        step, one task), the grid evaluated at the scheduled counts only, and the (a, b) path at
        every step when the panel shows one."""
        if self._by_hand(init):
            return (yield from self._fit(init, schedule, x, CURVE_CHUNK))
        p = expand(init.params, 1)
        preds, path, done = [], [], 0

        def point():
            if with_path:
                path.append([float(p["a"].reshape(-1)[0]), float(p["b"].reshape(-1)[0])])

        point()
        for s in schedule:
            while done < s:
                for _ in range(min(CURVE_CHUNK, s - done)):
                    p = adapt(self.model, p, x.xs, x.ys, init.lr, 1)
                    point()
                done = min(done + CURVE_CHUNK, s)
                yield
            preds.append(self.model.forward(p, x.grid[None])[0])
        out = torch.stack(preds)
        errors = ((out - x.true_y) ** 2).mean(-1).cpu().numpy() if x.true_y is not None else None
        points = np.array(path, dtype=np.float64) if with_path else None
        return out.cpu().numpy(), errors, points, schedule

    def _live(self, name: str, init: Init, schedule: tuple[int, ...], x: TaskInputs, task, throttle: bool):
        """A changing init's curves. Unthrottled (paused, or for something the user just did): now.
        While training plays: the last ones while they are recent for what they cost, then new ones
        computed in slices of CURVE_SLICE_S over the next snapshots (the old ones shown meanwhile)."""
        rule = init.lr if isinstance(init.lr, (int, float)) else "own"
        key = (task, self.family.name, rule, schedule)
        cached = self._live_cache.get(name)
        now = time.perf_counter()
        job = self._jobs.get(name)
        fresh = not throttle or cached is None or cached[0] != key
        if job is None and not fresh:
            if now - cached[2] < cached[3] / DISPLAY_SHARE:
                return cached[1]
            fresh = cached[3] <= CURVE_SLICE_S  # cheap enough (few steps): no slices needed
        if fresh:
            self._jobs.pop(name, None)
            result = self._adapt(init, schedule, x)
            done = time.perf_counter()
            self._live_cache[name] = (key, result, done, done - now)
            return result
        if job is None:
            job = self._jobs[name] = [self._adapt_slices(init, schedule, x, cached[1][2] is not None), 0.0]
        try:
            while time.perf_counter() - now < CURVE_SLICE_S:
                next(job[0])
        except StopIteration as finished:
            done = time.perf_counter()
            del self._jobs[name]
            self._live_cache[name] = (key, finished.value, done, job[1] + done - now)
            return finished.value
        job[1] += time.perf_counter() - now
        return cached[1]

    def curves(self, task: DisplayTask, inits: dict[str, Init], steps: int, throttle: bool = False):
        """name -> predictions (len(schedule), GRID) at its step schedule, name -> MSE against the
        true curve there, and name -> the schedule (the step counts of the rows). throttle: while
        training plays, a changing init's curves are refreshed within DISPLAY_SHARE of the time."""
        x = self.inputs(task)
        curves, errors, schedules, self.paths = {}, {}, {}, {}
        for name, init in inits.items():
            schedule = init.schedule(steps)
            key = (task, self.family.name, init.lr, schedule, self.fixed_version)
            cached = self._curve_cache.get(name)
            if not init.fixed:
                result = self._live(name, init, schedule, x, task, throttle)
            elif cached is not None and cached[0] == key:
                result = cached[1]
            else:
                result = self._adapt(init, schedule, x)
                self._curve_cache[name] = (key, result)
            curves[name], schedules[name] = result[0], result[3]
            if result[1] is not None:
                errors[name] = result[1]
            if result[2] is not None:
                self.paths[name] = result[2]
        return x, curves, errors, schedules

    def evaluation_job(self, shots: int, inits: dict[str, Init], iteration: int, n: int = EVAL_STEPS,
                       chunk: int = EVAL_CHUNK):
        """Mean MSE and 95% CI on a fixed held-out set (core.evaluate's statistics) after 0..10
        steps and, for N display steps past 10, at a few step counts up to N; an init drawn with
        fewer steps (a learned step rule) has no value past them. A generator: it yields after
        every `chunk` inner steps and returns the EvalCurves (`evaluation` runs it through),
        with how many tasks diverged and were left out of each mean."""
        key = (self.family.name, shots, str(self.device))
        if self._heldout_key != key:
            self._heldout = heldout_tasks(self.family, EVAL_TASKS, shots, device=self.device)
            self._heldout_key = key
        held = self._heldout
        steps = eval_steps(n)
        mean, ci, diverged = {}, {}, {}
        for name, init in inits.items():
            ekey = (key, init.lr, steps, self.fixed_version)
            cached = self._eval_cache.get(name)
            if init.fixed and cached is not None and cached[0] == ekey:
                mean[name], ci[name], diverged[name] = cached[1]
                continue
            last = steps[-1] if init.steps is None else min(steps[-1], init.steps)
            mine = tuple(s for s in steps if s <= last)
            errors = yield from mse_slices(self.model, init.params, held, init.lr, mine, chunk)
            stats = summarize(errors.cpu().numpy())
            pad = [np.nan] * (len(steps) - len(mine))
            mean[name], ci[name] = np.array(stats.mean + pad), np.array(stats.ci95 + pad)
            diverged[name] = np.array(list(stats.diverged) + [0] * len(pad))
            if init.fixed:
                self._eval_cache[name] = (ekey, (mean[name], ci[name], diverged[name]))
        self.serial += 1
        return EvalCurves(np.array(steps), mean, ci, iteration, EVAL_TASKS, self.serial, diverged)

    def evaluation(self, shots: int, inits: dict[str, Init], iteration: int, n: int = EVAL_STEPS) -> EvalCurves:
        """The whole evaluation at once (see evaluation_job)."""
        return finish(self.evaluation_job(shots, inits, iteration, n, chunk=max(n, EVAL_STEPS)))

    def landscape(self, task: DisplayTask, x: TaskInputs, params: Params, trail: np.ndarray) -> Landscape:
        """The support-loss surface (recomputed only when the task changes or the view leaves it) and paths."""
        pts = [(float(params["a"]), float(params["b"]))]
        if self.paths:  # the paths' corners only: a 500-step path is 501 points, the box needs two
            every = np.vstack(list(self.paths.values()))
            every = every[np.isfinite(every).all(1)]
            if len(every):
                pts += [tuple(every.min(0)), tuple(every.max(0))]
        true_ab = None if task.is_user else (task.a, task.b)
        if true_ab:
            pts.append(true_ab)
        box = view_box(self.family, pts)
        if self._surface_key is None or self._surface_key[0] != task or not _inside(box, self._surface_key[1]):
            box = view_box(self.family, pts, pad=0.35)  # room to move before the next recompute
            self._surface = loss_surface(self.model, x.xs[0], x.ys[0], *box, n=SURFACE_GRID)
            self._surface_key = (task, box)
            self.serial += 1
            self.surface_id = self.serial
        s = self._surface
        return Landscape(s.a, s.b, s.loss, true_ab, np.vstack([trail.reshape(-1, 2), pts[:1]]),
                         {k: v.copy() for k, v in self.paths.items()}, self.surface_id)
