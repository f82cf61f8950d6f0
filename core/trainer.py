"""The live training loop: controls in once per chunk, snapshots out.

`Trainer.run(stop)` blocks until `stop` is set; a host (core.host) runs it in a child process
for the window, or in a thread for tests and scripts. It owns every tensor. Each pass it reads
the shared controls (one lock, one copy), applies queued commands, runs a chunk of a few ms of
meta-iterations if playing (core.runner: checked, rolled back on divergence), and publishes a
`Snapshot` (numpy copies) when the reader has taken the last one, at most 60 times a second, or
at once after something the user did.
"""
from __future__ import annotations

import math
import threading
import time

import numpy as np
import torch

from core import checkpoint as ckpt
from core import memory
from core.algorithms import MetaLearner, setup_error
from core.controls import RESET_KEYS, Controls, DisplayTask, Mailbox, SharedControls, StartState
from core.device import resolve_device
from core.display import new_display_task
from core.evaluate import Pretrainer
from core.history import LossHistory, Series
from core.models import Params, make_model
from core.publisher import Publisher
from core.rewind import Rewind
from core.runner import StepRunner
from core.snapshots import SnapshotParts
from core.tasks import get_family
from core.words import QT_TR_NOOP

PUBLISH_S = 1 / 60  # shortest snapshot interval while training (and only once the last one was taken)
CHUNK_S = {"cpu": 0.008, "cuda": 0.015}  # meta-iterations run in chunks of about this long
TRAIL_EVERY = 10  # the two-parameter init's trail keeps one point per this many iterations
PRETRAIN_STEPS = 1000
PRETRAIN_CHUNK = 10  # pretraining advances this many steps (a few ms) between chunks of meta-iterations
PRETRAIN_SHARE = 0.05  # while playing, the pretrained baseline gets at most this share of the trainer's time


class Trainer:
    """Meta-trains on the shared controls; never touches a widget."""

    def __init__(self, shared: SharedControls, mailbox: Mailbox):
        self.shared, self.mailbox = shared, mailbox
        self.iteration = 0
        self.message, self.message_id = "", 0  # the latest notice for the window, and its serial
        self.message_template, self.message_values = "", {}  # the same notice as words to translate
        self.learner: MetaLearner | None = None
        self._key: tuple | None = None
        # playing_s: wall time of the loop while playing (steps, snapshots, evaluation: all of it)
        self.timing = {"playing_s": 0.0, "steps": 0.0, "publish": 0.0, "eval": 0.0, "pretrain": 0.0}
        self.publishes = 0
        self._start: tuple | None = None  # (params, extras, iteration) for the first build
        self._sized: tuple | None = None  # the sizes last checked against the memory, and the verdict
        self._size_problem: str | None = None

    def start_from(self, params: Params, extras: Params | None, iteration: int) -> None:
        """Begin (at the first build) from these parameters: a restarted process carries on."""
        self._start = (params, extras, iteration)

    # ---- building -------------------------------------------------------------------------
    def _build(self, c: Controls, params: Params | None = None, lrs: Params | None = None,
               iteration: int = 0) -> None:
        try:
            self.device = resolve_device(c.device)
        except ValueError as e:
            self.device = torch.device("cpu")
            self._say(QT_TR_NOOP("{error}; training on the CPU"), error=str(e))
        self.family = get_family(c.family)
        self.model = make_model(c.model, self.family, c.hidden)
        self.gen = torch.Generator(device=self.device).manual_seed(c.seed)
        init = params if params is not None else self.model.init(self.gen, self.device)
        init = {k: v.to(self.device, torch.float32) for k, v in init.items()}
        self.learner = MetaLearner(c.algorithm, self.model, init, c.inner_lr, c.outer_optimizer)
        if lrs is not None:
            self.learner.load(init, {k: v.to(self.device) for k, v in lrs.items()})
        self.rival: MetaLearner | None = None
        if c.compare and c.compare != c.algorithm:
            problem = setup_error(c.compare, c.model)
            if problem:
                self._say(QT_TR_NOOP("Cannot compare with {algorithm}: {problem}"),
                          algorithm=c.compare, problem=problem)
            else:
                self.rival = MetaLearner(c.compare, self.model, init, c.inner_lr, c.outer_optimizer)
        self.runner = StepRunner(self.learner, self.family, self.gen, self.device, self.rival, iteration)
        self._chunk = 1  # meta-iterations per loop pass while playing (sized to CHUNK_S)
        self._per_step = 0.0  # seconds per meta-iteration, measured on the last full chunk
        self.publisher = Publisher(SnapshotParts(self.model, self.family, self.device))
        self.trail = Series(capacity=3000)  # the two-scalar init's (a, b) over training
        self.telemetry = Series()  # what the algorithm reports per chunk (Alpha MAML's learned rates)
        rgen = torch.Generator(device=self.device).manual_seed(c.seed + 1)
        self.random_init = self.model.init(rgen, self.device)
        self.pretrained: Params | None = None
        self._pretrainer = Pretrainer(self.model, self.family, gen=self.gen, device=self.device)
        self._pretrain_left = PRETRAIN_STEPS
        self._key = c.reset_key()
        self.iteration = iteration
        self.history = LossHistory()
        self.rate, self._rate_t, self._rate_n = 0.0, time.perf_counter(), 0
        self.state = "paused"
        def make(algorithm: str, init: Params) -> MetaLearner:  # a learner like these, to replay a kept init
            return MetaLearner(algorithm, self.model, init, c.inner_lr, c.outer_optimizer)

        self.rewind = Rewind(make, self.device)  # past inits, kept for the timeline (core.rewind)
        self.rewind.record(self.iteration, self.learners())
        self._was_playing = c.playing

    def _first_build(self, c: Controls) -> None:
        start, self._start = self._start, None
        if start is not None:
            try:
                self._build(c, *start)
                self._say(QT_TR_NOOP("Restarted from iteration {iteration:,}"), iteration=start[2])
                return
            except (RuntimeError, KeyError, ValueError) as e:  # shapes of another setup
                self._say(QT_TR_NOOP("Could not restart from the last parameters ({error}); started afresh"),
                          error=str(e))
        self._build(c)

    def learners(self) -> dict[str, MetaLearner | None]:
        """The live learners by panel: 'meta', and 'compare' when one trains beside it."""
        return {"meta": self.learner, "compare": self.rival}

    def _say(self, template: str, **values) -> None:
        """A notice, kept as its template and values so the window can say it in its own language;
        `message` is the English text (scripts, the CLI, logs)."""
        self.message = template.format(**values) if values else template
        self.message_template, self.message_values = template, values
        self.message_id += 1

    # ---- the loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        torch.set_grad_enabled(True)  # grad mode is per thread
        last_publish, version_seen = 0.0, -1
        while not stop.is_set():
            t_loop = time.perf_counter()
            c, version, commands = self.shared.read()
            try:
                if self.learner is None or c.reset_key() != self._key:
                    c = self._refuse_bad_setup(c)
                if self.learner is None or c.reset_key() != self._key:
                    first = self.learner is None
                    if not first:
                        self._build(c)
                        # the window spells a reset out in its own words (main_window._friendly)
                        self._say("Reset: {algorithm}, {family}, {model} model",
                                  algorithm=c.algorithm, family=c.family, model=c.model)
                    else:
                        self._first_build(c)
                    # the window's first frame waits for the first snapshot: it goes without the
                    # held-out evaluation (~0.2 s here), which the next one brings, playing or not
                    self._publish(c, force_eval=not first, urgent=first, evaluate=not first)
                urgent = version != version_seen  # the user just did something: show it first
                if c.playing and not self._was_playing:  # Play returns the panels to live
                    self.rewind.replay(None, self.iteration)
                self._was_playing = c.playing
                steps, c = self._apply(c, commands)  # a load changes the controls: draw with the new ones
                urgent = urgent or steps > 0
                if c.playing and not urgent:
                    steps += self._fit_chunk(last_publish)
                if steps:
                    t0 = time.perf_counter()
                    done = self._steps(c, steps, lambda v=version: self.shared.changed_since(v))
                    took = max(time.perf_counter() - t0, 1e-5)
                    self.timing["steps"] += took
                    if done == steps and c.playing:
                        # chunks of a few ms: the controls read, the rollback copy and the divergence
                        # check happen once a chunk, and controls are still read >100 times a second
                        target = CHUNK_S.get(self.device.type, CHUNK_S["cpu"])
                        self._per_step = took / done
                        self._chunk = int(min(512, max(1, self._chunk * min(2.0, target / took))))
                pretrained_now = False
                if not urgent:  # a fitting chunk would only delay the snapshot the user waits for
                    t0 = time.perf_counter()
                    pretrained_now = self._advance_pretraining(c)
                    self.timing["pretrain"] += time.perf_counter() - t0
                if not c.playing and self.state == "training":  # paused: say so in this snapshot
                    self.state = "paused"
                now = time.perf_counter()
                due = steps and now - last_publish >= PUBLISH_S and self.mailbox.wants()
                if urgent or due or pretrained_now or self.publisher.eval_owed():
                    self._publish(c, urgent=urgent)
                    last_publish, version_seen = now, version
                if c.playing:
                    self.timing["playing_s"] += time.perf_counter() - t_loop
                if not c.playing and self._pretrain_left == 0:
                    self.shared.wait(version, 0.1)
            except Exception as e:  # shown in the window; the loop lives on, paused
                self.shared.update(playing=False)
                self.state = "error"
                self._say(QT_TR_NOOP("Training stopped: {kind}: {error}"), kind=type(e).__name__, error=str(e))
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
        keep = dict(zip(RESET_KEYS, self._key)) if self._key else {"algorithm": Controls().algorithm}
        self._say(QT_TR_NOOP("{problem}; kept {algorithm} with the {model} model"), problem=problem,
                  algorithm=keep.get("algorithm", c.algorithm), model=keep.get("model", c.model))
        return self.shared.update(**keep)

    def _apply(self, c: Controls, commands) -> tuple[int, Controls]:
        """Run one-off commands; returns how many single steps were asked for, and the controls
        as they are after them (a loaded checkpoint brings its own algorithm and model)."""
        steps = 0
        for name, payload, later in commands:
            if name == "step":
                steps += 1
            elif name == "reset":
                self._build(c)
                self._say(QT_TR_NOOP("Reset"))  # constant: the window shows tr(message)
                self._publish(c, force_eval=True)
            elif name == "load":
                c = self._load(c, payload, later)
            elif name == "save":
                self._save(c, payload)
            elif name == "random_init":  # place the random init at given parameters
                self.random_init = {k: torch.as_tensor(v, dtype=torch.float32, device=self.device)
                                    for k, v in payload.items()}
                self.publisher.parts.fixed_changed()
            elif name == "replay":  # the timeline: show the init kept nearest this iteration (None: live)
                self.rewind.replay(None if payload is None else int(payload), self.iteration)
        return steps, c

    def _fit_chunk(self, last_publish: float) -> int:
        """The chunk, shortened to end when the next snapshot is due (so snapshots come every 1/60 s,
        not every 1/60 s plus part of a chunk)."""
        if not self.mailbox.wants() or self._per_step <= 0:
            return self._chunk
        left = last_publish + PUBLISH_S - time.perf_counter()
        return max(1, min(self._chunk, math.ceil(left / self._per_step)))

    def _steps(self, c: Controls, n: int, interrupted=None) -> int:
        """Up to n checked meta-iterations (core.runner); on divergence, pause and say so.
        Returns how many counted."""
        hp = c.hparams()
        if self._too_big(c):
            return 0
        try:
            chunk = self.runner.run(hp, n, interrupted)
        except torch.OutOfMemoryError as e:
            for v in getattr(e, "finished_losses", []):  # the chunk's finished steps count
                self.iteration += 1
                self.history.add(self.iteration, v)
            self._fall_back_to_cpu(c)
            return 0
        if chunk.notice:
            self._say(chunk.notice)
        self.hparams = hp
        if chunk.diverged_at is not None:
            self.iteration = chunk.rolled_back_to
            self.rewind.forget_after(self.iteration)
            self.shared.update(playing=False)
            self.state = "diverged"
            if chunk.stuck:  # going back further cannot help: say what can
                self._say(QT_TR_NOOP("Diverged at once from iteration {rolled_back} (meta-loss {value:.3g}): going "
                                     "back further cannot help. Lower the learning rates or inner steps, or Reset."),
                          value=chunk.diverged_value, rolled_back=chunk.rolled_back_to)
            else:
                self._say(QT_TR_NOOP("Diverged at iteration {iteration} (meta-loss {value:.3g}); rolled back to "
                                     "iteration {rolled_back}. Try a smaller learning rate, then Play."),
                          iteration=chunk.diverged_at, value=chunk.diverged_value, rolled_back=chunk.rolled_back_to)
            return 0
        rivals = chunk.rival_losses or [0.0] * len(chunk.losses)
        for v, r in zip(chunk.losses, rivals):
            self.iteration += 1
            self.history.add(self.iteration, v, r)
        self.state = "training" if c.playing else "paused"
        done = len(chunk.losses)
        if self.model.name == "two-param" and self.iteration // TRAIL_EVERY != (self.iteration - done) // TRAIL_EVERY:
            p = self.learner.params
            self.trail.add(a=float(p["a"].detach()), b=float(p["b"].detach()))
        self.rewind.record(self.iteration, self.learners())
        telemetry = self.learner.telemetry()  # what the algorithm lets the window show (Alpha's rates)
        if telemetry:
            self.telemetry.add(iters=self.iteration, **telemetry)
        self._rate_n += done
        now = time.perf_counter()
        if now - self._rate_t >= 0.5:
            self.rate = self._rate_n / (now - self._rate_t)
            self._rate_t, self._rate_n = now, 0
        return done

    def _too_big(self, c: Controls) -> bool:
        """A setup that would not fit in memory pauses with a message instead of being run (and the
        kernel killing the process). Checked when the sizes change; a GPU falls back on OOM instead."""
        key = (c.meta_batch, c.shots, c.inner_steps, c.hidden, c.model, c.compare, self.device.type)
        if key != self._sized:
            self._sized, self._size_problem = key, memory.controls_problem(c) if self.device.type == "cpu" else None
        if self._size_problem is None:
            return False
        self.shared.update(playing=False)
        self.state = "paused"
        self._say(QT_TR_NOOP("Not started: {problem}"), problem=self._size_problem)
        return True

    def _fall_back_to_cpu(self, c: Controls) -> None:
        """Out of device memory: carry on from the same parameters on the CPU, and say so."""
        params, extras = self.learner.state()
        kept = (self.history, self.trail, self.telemetry, self.rewind.archive)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        c = self.shared.update(device="cpu", playing=False)
        self._build(c, {k: v.cpu() for k, v in params.items()},
                    None if extras is None else {k: v.cpu() for k, v in extras.items()}, self.iteration)
        self.history, self.trail, self.telemetry, self.rewind.archive = kept
        self.state = "paused"
        self._say(QT_TR_NOOP("Out of memory on the GPU at meta-batch {meta_batch}: moved to the CPU and paused. "
                             "Lower the meta-batch, then Play."), meta_batch=c.meta_batch)

    def _advance_pretraining(self, c: Controls) -> bool:
        """Fit the pretrained baseline a chunk at a time, so it never stalls the loop.
        Returns True when it has just finished (worth a snapshot even while paused)."""
        if self._pretrain_left <= 0:
            return False
        if c.playing and self.timing["pretrain"] > PRETRAIN_SHARE * self.timing["playing_s"]:
            return False  # meta-training comes first; paused, the baseline fits at full speed
        n = min(PRETRAIN_CHUNK, self._pretrain_left)
        fitted = self._pretrainer.advance(n)
        self._pretrain_left -= n
        if self._pretrain_left == 0:
            self.pretrained = fitted
            self.publisher.parts.fixed_changed()
            self.publisher.evaluate_next()
            return True
        return False

    # ---- snapshots ------------------------------------------------------------------------
    def _display_task(self, c: Controls) -> DisplayTask:
        task = c.task
        if task is None or (not task.is_user and task.family != c.family):
            task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))
            self.shared.update(task=task)
        return task

    def _publish(self, c: Controls, force_eval: bool = False, urgent: bool = False, evaluate: bool = True) -> None:
        t0 = time.perf_counter()
        task = self._display_task(c)
        self.publishes += 1
        self.mailbox.put(self.publisher.build(self, c, task, force_eval, urgent, evaluate), urgent=urgent)
        self.timing["publish"] += time.perf_counter() - t0

    def start_state(self) -> StartState:
        """The parameters, extras and iteration as numpy copies (call from the trainer's thread)."""
        params, extras = self.learner.state()
        return StartState({k: v.cpu().numpy() for k, v in params.items()},
                          None if extras is None else {k: v.cpu().numpy() for k, v in extras.items()}, self.iteration)

    # ---- checkpoints ----------------------------------------------------------------------
    def _save(self, c: Controls, path) -> None:
        try:
            params, lrs = self.learner.state()
            ckpt.save(path, self.model, params, ckpt.config_from_controls(c, self.iteration), lrs)
            self._say(QT_TR_NOOP("Saved checkpoint to {path}"), path=str(path))
        except Exception as e:
            self._say(QT_TR_NOOP("Could not save {path}: {error}"), path=str(path), error=str(e))

    def _load(self, c: Controls, loaded: ckpt.Checkpoint, later: frozenset[str] = frozenset()) -> Controls:
        """Adopt a checkpoint (already read and validated by core.checkpoint.load). If it still
        cannot be built, say so and carry on exactly as before. Returns the controls now.

        `later`: the fields the GUI wrote after asking for the load (the commands are read in a
        batch). If one of them gave the setup a value other than the checkpoint's, the load came
        before a change of setup that would have replaced it anyway: the later setup stands."""
        cfg = loaded.config
        changes = {"algorithm": cfg["algorithm"], "family": cfg["task"], "model": cfg["model"]}
        if "hidden" in cfg:
            changes["hidden"] = tuple(cfg["hidden"])
        if any(k in later and getattr(c, k) != v for k, v in changes.items()):
            self._say(QT_TR_NOOP("The checkpoint was not loaded: the setup was changed after it was asked for"))
            return c
        before = {k: getattr(c, k) for k in changes}
        state, kept = self.learner.state(), (self.history, self.trail, self.telemetry, self.iteration)
        try:
            c = self.shared.update(**changes)
            self._build(c, loaded.params, loaded.lrs, int(cfg.get("iterations", 0)))
        except (RuntimeError, KeyError, ValueError, TypeError) as e:
            c = self.shared.update(**before)
            self._build(c, *state, kept[3])
            self.history, self.trail, self.telemetry, _ = kept
            self._say(QT_TR_NOOP("Could not load the checkpoint ({kind}: {error}); nothing changed"),
                      kind=type(e).__name__, error=str(e))
            return c
        self._say(QT_TR_NOOP("Loaded checkpoint ({algorithm}, {iterations} iterations)"),
                  algorithm=cfg.get("algorithm"), iterations=cfg.get("iterations", 0))
        self._publish(c, force_eval=True)
        return c
