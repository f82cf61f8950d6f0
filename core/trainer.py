"""The live training loop: controls in once per meta-iteration, snapshots out.

`Trainer.run(stop)` blocks until `stop` is set; the GUI runs it in a QThread, tests and
scripts in a plain thread. It owns every tensor. Per meta-iteration it reads the shared
controls (one lock, one copy), applies queued commands, takes one step if playing or asked
to, and about 30 times a second publishes a `Snapshot` (the loss history and the display
task's curves from the meta-init and the baselines, all numpy copies) to the mailbox.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import replace

import numpy as np
import torch

from core import checkpoint as ckpt
from core.algorithms import MetaLearner, adapt_path, diverged, setup_error
from core.controls import RESET_KEYS, Controls, DisplayTask, EvalCurves, Landscape, Mailbox, SharedControls, Snapshot
from core.evaluate import Pretrainer, heldout_tasks, mse_by_step
from core.fast import GraphStepper, GraphUnavailable
from core.landscape import loss_surface, path_points, view_box
from core.models import Params, expand, make_model
from core.tasks import get_family, interp, sample_batch

PUBLISH_S = 1 / 30  # snapshot interval while training
EVAL_S = 3.0  # evaluation-panel refresh while training
EVAL_TASKS = 100
GRID = 200  # x resolution of the drawn curves
HISTORY_POINTS = 4000  # the loss history is decimated to at most this many points per snapshot
TRAIL_EVERY = 10  # the two-parameter init's trail keeps one point per this many iterations
TRAIL_POINTS = 3000
SURFACE_GRID = 120
PRETRAIN_CHUNK = 50  # pretraining advances this many steps between meta-iterations


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but is not available")
    return torch.device(name)


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
        xs = fam.grid(shots).numpy().astype(np.float64)
    else:
        xs = np.sort(rng.uniform(*fam.x_range, shots))
    ys = fam.f(torch.tensor(task.a), torch.tensor(task.b), torch.from_numpy(xs)).numpy()
    return replace(task, xs=tuple(map(float, xs)), ys=tuple(map(float, ys)))


def with_params(task: DisplayTask, a: float, b: float) -> DisplayTask:
    """The same support x with a new (a, b): the sliders move the task, not the points' x."""
    fam = get_family(task.family)
    xs = torch.tensor(task.xs, dtype=torch.float64)
    ys = fam.f(torch.tensor(a), torch.tensor(b), xs).numpy()
    return replace(task, a=float(a), b=float(b), ys=tuple(map(float, ys)))


class LossHistory:
    """Meta-loss per iteration in bounded memory: numpy columns that, when full, keep every
    other row. Recent and old iterations stay in view at falling resolution, and a run of
    hours costs the same few MB as a run of minutes (Python lists grew 2.4 MB a minute)."""

    COLUMNS = ("iters", "raw", "smooth", "rival")

    def __init__(self, capacity: int = 60_000):
        self.capacity, self.n = capacity, 0
        self.data = np.zeros((len(self.COLUMNS), capacity))
        self.stride, self._skip = 1, 0  # keep one iteration in `stride` once compacted

    def add(self, iteration: int, raw: float, rival: float = 0.0, alpha: float = 0.02) -> None:
        self.latest = raw
        prev = self.data[2, self.n - 1] if self.n else raw
        prev_rival = self.data[3, self.n - 1] if self.n else rival
        smooth, rival_smooth = (1 - alpha) * prev + alpha * raw, (1 - alpha) * prev_rival + alpha * rival
        self._skip += 1
        if self._skip < self.stride:  # the smoothed values still see every iteration
            self.data[2:, self.n - 1] = smooth, rival_smooth
            return
        self._skip = 0
        if self.n == self.capacity:
            half = self.data[:, ::2].copy()
            self.n = half.shape[1]
            self.data[:, :self.n] = half
            self.stride *= 2
        self.data[:, self.n] = iteration, raw, smooth, rival_smooth
        self.n += 1

    def column(self, name: str, max_points: int) -> np.ndarray:
        step = max(1, math.ceil(self.n / max_points))
        return self.data[self.COLUMNS.index(name), :self.n:step].copy()

    @property
    def last(self) -> float:
        """The latest meta-loss (kept row or not)."""
        return self.latest if self.n else float("nan")


def _inside(inner, outer) -> bool:
    """Whether the box `inner` ((a_lo, a_hi), (b_lo, b_hi)) lies within `outer`."""
    (a0, a1), (b0, b1) = inner
    (A0, A1), (B0, B1) = outer
    return A0 <= a0 and a1 <= A1 and B0 <= b0 and b1 <= B1


class Trainer:
    """Meta-trains on the shared controls; never touches a widget."""

    def __init__(self, shared: SharedControls, mailbox: Mailbox):
        self.shared, self.mailbox = shared, mailbox
        self.iteration = 0
        self._message, self._message_id = "", 0
        self._learner: MetaLearner | None = None
        self._key: tuple | None = None

    # ---- building -------------------------------------------------------------------------
    def _build(self, c: Controls, params: Params | None = None, lrs: Params | None = None,
               iteration: int = 0) -> None:
        try:
            self.device = resolve_device(c.device)
        except ValueError as e:
            self.device = torch.device("cpu")
            self._say(f"{e}; training on the CPU")
        self.family = get_family(c.family)
        self.model = make_model(c.model, self.family, c.hidden)
        self.gen = torch.Generator(device=self.device).manual_seed(c.seed)
        init = params if params is not None else self.model.init(self.gen, self.device)
        init = {k: v.to(self.device, torch.float32) for k, v in init.items()}
        self._learner = MetaLearner(c.algorithm, self.model, init, c.inner_lr, c.outer_optimizer)
        if lrs is not None:
            self._learner.load(init, {k: v.to(self.device) for k, v in lrs.items()})
        self._rival: MetaLearner | None = None
        self._rival_good = None
        self._chunk = 1  # meta-iterations per loop pass while playing (grows on a GPU)
        if c.compare and c.compare != c.algorithm:
            problem = setup_error(c.compare, c.model)
            if problem:
                self._say(f"Cannot compare with {c.compare}: {problem}")
            else:
                self._rival = MetaLearner(c.compare, self.model, init, c.inner_lr, c.outer_optimizer)
                self._rival_good = self._rival.state()
        self._graph = None
        if self.device.type == "cuda" and self._learner.graphable and self._rival is None:
            torch.cuda.manual_seed(c.seed)
            self._graph = GraphStepper(self._learner, self.family, self.device)
        self.trail: list[tuple[float, float]] = []
        self.lr_hist: dict[str, list[float]] = {"iters": [], **{k: [] for k in self._learner.telemetry()}}
        self._surface_key, self._surface = None, None
        rgen = torch.Generator(device=self.device).manual_seed(c.seed + 1)
        self.random_init = self.model.init(rgen, self.device)
        self.pretrained: Params | None = None
        self._pretrainer = Pretrainer(self.model, self.family, gen=self.gen, device=self.device)
        self._pretrain_left = 1000
        self._key = c.reset_key()
        self.iteration = iteration
        self.history = LossHistory()
        self._good = self._learner.state()
        self._good_iteration = iteration
        self._rate, self._rate_t, self._rate_n = 0.0, time.perf_counter(), 0
        self._heldout_key = None
        self.evaluation: EvalCurves | None = None
        self._last_eval = -math.inf
        self.state = "paused"

    def _say(self, message: str) -> None:
        self._message, self._message_id = message, self._message_id + 1

    # ---- the loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        torch.set_grad_enabled(True)  # grad mode is per thread
        last_publish, version_seen = 0.0, -1
        while not stop.is_set():
            c, version, commands = self.shared.read()
            try:
                if self._learner is None or c.reset_key() != self._key:
                    c = self._refuse_bad_setup(c)
                if self._learner is None or c.reset_key() != self._key:
                    changed = self._learner is not None
                    self._build(c)
                    if changed:
                        self._say(f"Reset: {c.algorithm}, {c.family}, {c.model} model")
                    self._publish(c, force_eval=True)
                steps = self._apply(c, commands)
                if c.playing:
                    steps += self._chunk
                if steps:
                    t0 = time.perf_counter()
                    if self._steps(c, steps) and c.playing and self.device.type == "cuda":
                        # size GPU chunks to ~15 ms: controls are still read ~60 times a second
                        took = max(time.perf_counter() - t0, 1e-4)
                        self._chunk = int(min(512, max(1, self._chunk * 0.015 / took)))
                pretrained_now = self._advance_pretraining(c)
                if not c.playing and self.state == "training":  # paused: say so in this snapshot
                    self.state = "paused"
                now = time.perf_counter()
                if version != version_seen or (steps and now - last_publish >= PUBLISH_S) or (
                        steps and not c.playing) or pretrained_now:
                    self._publish(c)
                    last_publish, version_seen = now, version
                if not c.playing and self._pretrain_left == 0:
                    self.state = "paused" if self.state == "training" else self.state
                    self.shared.wait(version, 0.1)
            except Exception as e:  # shown in the window; the thread lives on, paused
                self.shared.update(playing=False)
                self.state = "error"
                self._say(f"Training stopped: {type(e).__name__}: {e}")
                try:
                    self._publish(self.shared.get())
                except Exception:
                    pass
                self.shared.wait(version + 1, 0.2)

    def _refuse_bad_setup(self, c: Controls) -> Controls:
        """A setup core cannot build (ANIL on the two-scalar model) keeps the previous one, and says so."""
        problem = setup_error(c.algorithm, c.model)
        if problem is None:
            return c
        keep = dict(zip(RESET_KEYS, self._key)) if self._key else {"algorithm": Controls.algorithm}
        self._say(f"{problem}; kept {keep.get('algorithm', c.algorithm)} with the {keep.get('model', c.model)} model")
        return self.shared.update(**keep)

    def _apply(self, c: Controls, commands) -> int:
        """Run one-off commands; returns how many single steps were asked for."""
        steps = 0
        for name, payload in commands:
            if name == "step":
                steps += 1
            elif name == "reset":
                self._build(c)
                self._say("Reset")
                self._publish(c, force_eval=True)
            elif name == "load":
                self._load(c, payload)
            elif name == "save":
                self._save(c, payload)
            elif name == "random_init":  # place the random init at given parameters
                self.random_init = {k: torch.as_tensor(v, dtype=torch.float32, device=self.device)
                                    for k, v in payload.items()}
        return steps

    def _steps(self, c: Controls, n: int) -> bool:
        """n meta-iterations with one host sync at the end (a GPU runs ahead of Python).

        A step's loss is computed at the parameters before it, so a finite first loss proves
        this chunk's starting point; on divergence the parameters go back there (or, if the
        very first loss is bad, to the previous proven point), training pauses and says so.
        """
        hp = c.hparams()
        before = self._learner.state()
        rival_before = self._rival.state() if self._rival else None
        losses, rival_losses = [], []
        try:
            for _ in range(n):
                if self._graph is not None:
                    losses.append(self._graph(hp))
                else:
                    batch = sample_batch(self.family, hp.meta_batch, hp.shots, gen=self.gen, device=self.device)
                    losses.append(self._learner.step(batch, hp))
                    if self._rival is not None:  # the same tasks: the curves differ by the algorithm alone
                        rival_losses.append(self._rival.step(batch, hp))
        except torch.OutOfMemoryError:
            self._fall_back_to_cpu(c)
            return False
        except GraphUnavailable as e:  # eager steps on the same device, with the trainer's own generator
            self._graph = None
            self._say(f"{e}; training without CUDA graphs")
            return False
        self.hparams = hp
        values = torch.stack(losses).tolist()
        rival_values = torch.stack(rival_losses).tolist() if rival_losses else [0.0] * len(values)
        leaves = self._learner.leaves + (self._rival.leaves if self._rival else [])
        params_ok = bool(torch.stack([torch.isfinite(p).all() for p in leaves]).all())
        bad = next((i for i, (v, r) in enumerate(zip(values, rival_values)) if diverged(v) or diverged(r)), None)
        if bad is not None or not params_ok:
            if bad == 0:  # even the chunk's starting point is bad: back to the last proven one
                before, rival_before, start = self._good, self._rival_good, self._good_iteration
            else:
                start = self.iteration
            self._learner.load(*before)
            self._learner.opt.reset()
            if self._rival is not None:
                self._rival.load(*rival_before)
                self._rival.opt.reset()
            at = self.iteration + (bad + 1 if bad is not None else len(values))
            value = values[bad] if bad is not None and diverged(values[bad]) else (
                rival_values[bad] if bad is not None else float("nan"))
            self.shared.update(playing=False)
            self.state = "diverged"
            self._say(f"Diverged at iteration {at} (meta-loss {value:.3g}); rolled back to iteration {start}. "
                      "Try a smaller learning rate, then Play.")
            return False
        self._good, self._good_iteration, self._rival_good = before, self.iteration, rival_before
        for v, r in zip(values, rival_values):
            self.iteration += 1
            self.history.add(self.iteration, v, r)
        self.state = "training" if c.playing else "paused"
        if self.model.name == "two-param" and (self.iteration // TRAIL_EVERY) != ((self.iteration - n) // TRAIL_EVERY):
            p = self._learner.params
            self.trail.append((float(p["a"].detach()), float(p["b"].detach())))
            if len(self.trail) > TRAIL_POINTS:
                self.trail = self.trail[::2]
        telemetry = self._learner.telemetry()
        if telemetry:
            self.lr_hist["iters"].append(self.iteration)
            for k, v in telemetry.items():
                self.lr_hist[k].append(v)
            if len(self.lr_hist["iters"]) > 60_000:  # bounded, like the loss history
                self.lr_hist = {k: v[::2] for k, v in self.lr_hist.items()}
        self._rate_n += n
        now = time.perf_counter()
        if now - self._rate_t >= 0.5:
            self._rate = self._rate_n / (now - self._rate_t)
            self._rate_t, self._rate_n = now, 0
        return True

    def _fall_back_to_cpu(self, c: Controls) -> None:
        """Out of device memory: carry on from the same parameters on the CPU, and say so."""
        params, extras = self._learner.state()
        kept = (self.history, self.trail, self.lr_hist)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        c = self.shared.update(device="cpu", playing=False)
        self._build(c, {k: v.cpu() for k, v in params.items()},
                    None if extras is None else {k: v.cpu() for k, v in extras.items()}, self.iteration)
        self.history, self.trail, self.lr_hist = kept
        self.state = "paused"
        self._say(f"Out of memory on the GPU at meta-batch {c.meta_batch}: moved to the CPU and paused. "
                  "Lower the meta-batch, then Play.")

    def _advance_pretraining(self, c: Controls) -> bool:
        """Fit the pretrained baseline a chunk at a time, so it never stalls the loop.
        Returns True when it has just finished (worth a snapshot even while paused)."""
        if self._pretrain_left <= 0:
            return False
        n = min(PRETRAIN_CHUNK, self._pretrain_left)
        fitted = self._pretrainer.advance(n)
        self._pretrain_left -= n
        if self._pretrain_left == 0:
            self.pretrained = fitted
            self._last_eval = -math.inf
            return True
        return False

    # ---- snapshots ------------------------------------------------------------------------
    def _display_task(self, c: Controls) -> DisplayTask:
        task = c.task
        if task is None or (not task.is_user and task.family != c.family):
            task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))
            self.shared.update(task=task)
        return task

    @torch.no_grad()
    def _curves(self, c: Controls, task: DisplayTask):
        fam = self.family
        if task.is_user and task.target_x is not None:
            lo, hi = task.target_x[0], task.target_x[-1]
            lo, hi = min(lo, fam.x_range[0]), max(hi, fam.x_range[1])
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
        alpha = c.display_lr if c.display_lr is not None else c.inner_lr
        params, _ = self._learner.state()
        inits = {"maml": (params, self._learner.inner_lr(c.hparams()) if c.display_lr is None else alpha),
                 "random": (self.random_init, alpha)}
        if self.pretrained is not None:
            inits["pretrained"] = (self.pretrained, alpha)
        if self._rival is not None:
            inits["compare"] = (self._rival.state()[0],
                                self._rival.inner_lr(c.hparams()) if c.display_lr is None else alpha)
        curves, errors, self._paths = {}, {}, {}
        for name, (p, lr) in inits.items():
            if xs.shape[1]:
                path = adapt_path(self.model, expand(p, 1), xs, ys, lr, c.display_steps)
            else:
                path = [expand(p, 1)]
            if self.model.name == "two-param":
                self._paths[name] = path_points(path)
            preds = torch.cat([self.model.forward(q, grid[None]) for q in path])
            curves[name] = preds.cpu().numpy()
            if true_y is not None:
                errors[name] = ((preds - true_y) ** 2).mean(-1).cpu().numpy()
        return grid, true_y, xs, ys, curves, errors

    @torch.no_grad()
    def _evaluate(self, c: Controls) -> None:
        key = (c.family, c.shots, str(self.device))
        if self._heldout_key != key:
            self._heldout = heldout_tasks(self.family, EVAL_TASKS, c.shots, device=self.device)
            self._heldout_key = key
        steps = 10
        params, _ = self._learner.state()
        inits = {"maml": (params, self._learner.inner_lr(c.hparams())), "random": (self.random_init, c.inner_lr)}
        if self.pretrained is not None:
            inits["pretrained"] = (self.pretrained, c.inner_lr)
        if self._rival is not None:
            inits["compare"] = (self._rival.state()[0], self._rival.inner_lr(c.hparams()))
        mean, ci = {}, {}
        for name, (p, lr) in inits.items():
            err = mse_by_step(self.model, p, self._heldout, lr, steps).cpu().numpy().astype(np.float64)
            err = np.where(np.isfinite(err) & (err <= 100), err, np.nan)
            n = np.sum(np.isfinite(err), axis=1)
            # nan-aware mean and CI without numpy's RuntimeWarnings (printed on the GUI's stderr)
            # when every task of a step diverged
            ok = np.isfinite(err)
            total = np.where(ok, err, 0.0).sum(axis=1)
            mean[name] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
            dev = np.where(ok, err - mean[name][:, None], 0.0)
            std = np.sqrt((dev ** 2).sum(axis=1) / np.maximum(n - 1, 1))
            ci[name] = np.where(n > 1, 1.96 * std / np.sqrt(np.maximum(n, 1)), np.nan)
        self.evaluation = EvalCurves(np.arange(steps + 1), mean, ci, self.iteration, EVAL_TASKS)

    def _publish(self, c: Controls, force_eval: bool = False) -> None:
        now = time.perf_counter()
        if force_eval or now - self._last_eval >= EVAL_S:
            self._evaluate(c)
            self._last_eval = now
        task = self._display_task(c)
        grid, true_y, xs, ys, curves, errors = self._curves(c, task)
        params, lrs = self._learner.state()
        small = {k: v.cpu().numpy() for k, v in params.items()} if c.model == "two-param" else {}
        lr_summary = self._learner.summary()
        stride_lr = max(1, math.ceil(len(self.lr_hist["iters"]) / HISTORY_POINTS))
        lr_history = {k: np.array(v[::stride_lr], dtype=np.float64) for k, v in self.lr_hist.items()}
        self.mailbox.put(Snapshot(
            iteration=self.iteration, state=self.state, device=str(self.device),
            algorithm=c.algorithm, family=c.family, model=c.model,
            its_per_s=self._rate if c.playing else 0.0,
            loss=self.history.last,
            hparams=getattr(self, "hparams", c.hparams()),
            loss_iters=self.history.column("iters", HISTORY_POINTS),
            loss_raw=self.history.column("raw", HISTORY_POINTS),
            loss_smooth=self.history.column("smooth", HISTORY_POINTS),
            grid_x=grid.cpu().numpy(), true_y=None if true_y is None else true_y.cpu().numpy(),
            support_x=xs[0].cpu().numpy(), support_y=ys[0].cpu().numpy(), task=task,
            curves=curves, display_mse=errors, evaluation=self.evaluation,
            message=self._message, message_id=self._message_id, meta_params=small, inner_lrs=lr_summary,
            lr_history=lr_history if len(lr_history) > 1 else {},
            landscape=self._landscape(task, xs, ys, params) if c.model == "two-param" else None,
            compare=self._rival.algorithm if self._rival is not None else None,
            compare_loss_smooth=(self.history.column("rival", HISTORY_POINTS)
                                 if self._rival is not None else None),
        ))

    def _landscape(self, task: DisplayTask, xs, ys, params: Params) -> Landscape:
        """The support-loss surface (recomputed only when the task or the view changes) and paths."""
        pts = [(float(params["a"]), float(params["b"]))]
        pts += [tuple(p) for path in self._paths.values() for p in path]
        true_ab = None if task.is_user else (task.a, task.b)
        if true_ab:
            pts.append(true_ab)
        box = view_box(self.family, pts)
        key = (task, box)
        if self._surface_key is None or self._surface_key[0] != task or not _inside(box, self._surface_key[1]):
            box = view_box(self.family, pts, pad=0.35)  # room to move before the next recompute
            self._surface = loss_surface(self.model, xs[0], ys[0], *box, n=SURFACE_GRID)
            key = (task, box)
            self._surface_key = key
        s = self._surface
        return Landscape(s.a, s.b, s.loss, true_ab, np.array(self.trail + pts[:1], dtype=np.float64),
                         {k: v.copy() for k, v in self._paths.items()})

    # ---- checkpoints ----------------------------------------------------------------------
    def _save(self, c: Controls, path) -> None:
        try:
            params, lrs = self._learner.state()
            ckpt.save(path, self.model, params, ckpt.config_from_controls(c, self.iteration), lrs)
            self._say(f"Saved checkpoint to {path}")
        except Exception as e:
            self._say(f"Could not save {path}: {e}")

    def _load(self, c: Controls, loaded: "ckpt.Checkpoint") -> None:
        """Adopt a checkpoint (already read and validated by core.checkpoint.load)."""
        cfg = loaded.config
        changes = {"algorithm": cfg["algorithm"], "family": cfg["task"], "model": cfg["model"]}
        if "hidden" in cfg:
            changes["hidden"] = tuple(cfg["hidden"])
        c = self.shared.update(**changes)
        self._build(c, loaded.params, loaded.lrs, int(cfg.get("iterations", 0)))
        self._say(f"Loaded checkpoint ({cfg.get('algorithm')}, {cfg.get('iterations', 0)} iterations)")
        self._publish(c, force_eval=True)
