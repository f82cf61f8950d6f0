"""What a snapshot shows, computed for the trainer: each initialisation adapting to the display
task (the panels), the held-out evaluation (the paper's Figure 3) and the two-scalar model's loss
surface. Whatever depends only on the task and the settings (the random and pretrained inits'
curves and evaluation, the surface, the task's tensors) is cached, so a snapshot at 60 Hz costs
about one initialisation's adaptation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.algorithms import adapt_path
from core.controls import DisplayTask, EvalCurves, Landscape
from core.evaluate import heldout_tasks, mse_by_step, summarize
from core.landscape import loss_surface, view_box
from core.models import Params, expand
from core.tasks import interp

GRID = 200  # x resolution of the drawn curves
EVAL_TASKS = 100
EVAL_STEPS = 10
SURFACE_GRID = 120


@dataclass
class Init:
    """One initialisation to show: its parameters, the inner step rule it adapts with, and whether
    it only changes with the settings (random, pretrained), which makes its results cacheable."""

    params: Params
    lr: object
    fixed: bool = False


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

    @torch.no_grad()
    def _adapt(self, init: Init, steps: int, x: TaskInputs):
        if hasattr(init.lr, "adapt"):  # an algorithm's own step rule (CAVIA adapts its context): the generic path
            path = adapt_path(self.model, expand(init.params, 1), x.xs, x.ys, init.lr, steps)
            stacked = {k: torch.cat([q[k] for q in path]) for k in path[0]}
            preds, points = self.model.forward(stacked, x.grid.expand(len(path), -1)), None
        else:  # plain or per-entry SGD: the model's fast path
            preds, points = self.model.sgd_curves(init.params, x.xs[0], x.ys[0], x.grid, init.lr, steps)
        errors = ((preds - x.true_y) ** 2).mean(-1).cpu().numpy() if x.true_y is not None else None
        return preds.cpu().numpy(), errors, points

    def curves(self, task: DisplayTask, inits: dict[str, Init], steps: int):
        """name -> predictions (steps + 1, GRID), and name -> MSE against the true curve per step."""
        x = self.inputs(task)
        curves, errors, self.paths = {}, {}, {}
        for name, init in inits.items():
            key = (task, self.family.name, init.lr, steps, self.fixed_version)
            cached = self._curve_cache.get(name)
            if init.fixed and cached is not None and cached[0] == key:
                result = cached[1]
            else:
                result = self._adapt(init, steps, x)
                if init.fixed:
                    self._curve_cache[name] = (key, result)
            curves[name] = result[0]
            if result[1] is not None:
                errors[name] = result[1]
            if result[2] is not None:
                self.paths[name] = result[2]
        return x, curves, errors

    @torch.no_grad()
    def evaluation(self, shots: int, inits: dict[str, Init], iteration: int) -> EvalCurves:
        """Mean MSE and 95% CI after 0..10 steps on a fixed held-out set (core.evaluate's statistics),
        and how many tasks diverged and were left out of them."""
        key = (self.family.name, shots, str(self.device))
        if self._heldout_key != key:
            self._heldout = heldout_tasks(self.family, EVAL_TASKS, shots, device=self.device)
            self._heldout_key = key
        mean, ci, diverged = {}, {}, {}
        for name, init in inits.items():
            ekey = (key, init.lr, self.fixed_version)
            cached = self._eval_cache.get(name)
            if init.fixed and cached is not None and cached[0] == ekey:
                mean[name], ci[name], diverged[name] = cached[1]
                continue
            stats = summarize(mse_by_step(self.model, init.params, self._heldout, init.lr, EVAL_STEPS).cpu().numpy())
            mean[name], ci[name], diverged[name] = (np.array(stats.mean), np.array(stats.ci95),
                                                    np.array(stats.diverged))
            if init.fixed:
                self._eval_cache[name] = (ekey, (mean[name], ci[name], diverged[name]))
        self.serial += 1
        return EvalCurves(np.arange(EVAL_STEPS + 1), mean, ci, iteration, EVAL_TASKS, self.serial, diverged)

    def landscape(self, task: DisplayTask, x: TaskInputs, params: Params, trail: np.ndarray) -> Landscape:
        """The support-loss surface (recomputed only when the task changes or the view leaves it) and paths."""
        pts = [(float(params["a"]), float(params["b"]))]
        pts += [tuple(p) for path in self.paths.values() for p in path]
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
