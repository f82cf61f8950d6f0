"""A snapshot from the trainer's state: which initialisations are shown and with which step rule,
when the held-out evaluation is refreshed, when the parameters ride along for a restart, and the
`Snapshot` itself (numpy copies only). The trainer decides when; this decides what."""
from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from core.controls import Controls, DisplayTask, RewindState, Snapshot
from core.models import Params
from core.snapshots import Init, SnapshotParts, eval_steps, init_steps

EVAL_S = 3.0  # evaluation-panel refresh while training
EVAL_SHARE = 0.1  # ... or rarer: an evaluation (to 500 steps: ~0.5 s) takes at most this share of the time
EVAL_SLICE_S = 0.004  # while training plays, each snapshot advances the evaluation by about this long
HISTORY_POINTS = 4000  # the loss history is decimated to at most this many points per snapshot
STATE_EVERY_S = 1.0  # how often a snapshot carries the parameters a restart would begin from
SCRUB_REST_S = 0.15  # a replayed init's evaluation waits until the timeline has rested this long


class Publisher:
    """Builds snapshots for one model and family (the trainer makes a new one at each reset)."""

    def __init__(self, parts: SnapshotParts):
        self.parts = parts
        self.evaluation = None
        self._last_eval = -math.inf
        self._eval_cost = 0.0
        self._job = None  # the evaluation in progress (SnapshotParts.evaluation_job), its steps and cost
        self._job_steps: tuple[int, ...] = ()
        self._job_cost = 0.0
        self._state_sent = -math.inf
        self._state_iteration = -1  # the iteration of the last state sent
        self._replayed: int | None = None  # the iteration the last snapshot replayed (None: live)
        self._owed_since: float | None = None  # when the replay last moved, until its evaluation is sent
        self._rewind_key: tuple | None = None  # what the archive and the replay were when last described
        self._rewind: RewindState | None = None

    def rewind_state(self, rewind, latest: int) -> RewindState:
        """The timeline's state, described anew only when the archive changed (an init kept, the
        slots thinned, a rollback) or the replayed init did: listing the entries and summing
        their sizes took ~0.4 ms of every snapshot (14% of one), growing with the archive."""
        if rewind.version != self._rewind_key or self._rewind is None:
            self._rewind_key, self._rewind = rewind.version, rewind.state(latest)
        return replace(self._rewind, latest=latest)

    def eval_owed(self) -> bool:
        """Whether a replay's evaluation is due: the timeline moved and has rested since (a drag
        gets each position's curves at once, and one evaluation, of tens of ms, when it stops)."""
        return self._owed_since is not None and time.perf_counter() - self._owed_since >= SCRUB_REST_S

    def owe_evaluation(self) -> None:
        """A snapshot went without the evaluation (the first frame's): one with it follows shortly,
        playing or paused (the trainer publishes while an evaluation is owed)."""
        self._owed_since = time.perf_counter()

    def evaluate_next(self) -> None:
        """Refresh the held-out evaluation in the next snapshot (a baseline just changed): one in
        progress started without it."""
        self._last_eval = -math.inf
        self._job = None

    @staticmethod
    def inits(trainer, c: Controls, params: Params, for_display: bool, learners: dict | None = None) -> dict[str, Init]:
        """The initialisations shown: each meta-learned one adapts with its own rule (learned rates,
        ANIL's head only, CAVIA's context), a learned rule for at most the inner steps it was
        trained with, unless the user set a display rate; the others with alpha.
        learners: the 'meta' and 'compare' learners shown (the replayed ones; default the live ones)."""
        learners = learners or trainer.learners()
        learner, rival = learners["meta"], learners["compare"]
        hp = c.hparams()
        alpha = c.display_lr if (for_display and c.display_lr is not None) else c.inner_lr
        own = not (for_display and c.display_lr is not None)

        def learned(learner, params) -> Init:
            if not own:
                return Init(params, alpha)
            return Init(params, learner.inner_lr(hp), steps=init_steps(learner, hp, c.display_steps))

        inits = {"meta": learned(learner, params),
                 "random": Init(trainer.random_init, alpha, fixed=True)}
        if trainer.pretrained is not None:
            inits["pretrained"] = Init(trainer.pretrained, alpha, fixed=True)
        if rival is not None:
            inits["compare"] = learned(rival, rival.state()[0])
        return inits

    def _evaluate(self, trainer, c: Controls, params, learners: dict, at: int, t0: float, force: bool, urgent: bool,
                  hold: bool = False) -> None:
        """Refresh the held-out evaluation: at once when forced (a reset, a load, a new baseline) or
        paused; while training plays, in slices of EVAL_SLICE_S per snapshot (500 steps of 100
        tasks would hold the trainer for a second), started every EVAL_S or, for a costly one,
        within EVAL_SHARE of the time. New display steps (a new x axis) start one at once. hold: a
        replayed init holds still: no periodic refresh (`at` names the iteration evaluated)."""
        steps = eval_steps(c.display_steps)
        shown = tuple(self.evaluation.steps) if self.evaluation is not None else None
        due = t0 - self._last_eval >= max(EVAL_S, self._eval_cost / EVAL_SHARE) and not urgent and not hold
        if force or (self._job is None and (due or shown != steps)) or (self._job is not None
                                                                       and self._job_steps != steps):
            self._job = self.parts.evaluation_job(c.shots, self.inits(trainer, c, params, False, learners), at,
                                                  c.display_steps)
            self._job_steps, self._job_cost = steps, 0.0
        if self._job is None:
            return
        budget = EVAL_SLICE_S if (c.playing and not force) else float("inf")
        start = time.perf_counter()
        try:
            while time.perf_counter() - start < budget:
                next(self._job)
        except StopIteration as done:
            self.evaluation, self._job = done.value, None
        now = time.perf_counter()
        self._job_cost += now - start
        trainer.timing["eval"] += now - start
        if self._job is None:
            self._last_eval, self._eval_cost = now, self._job_cost

    def build(self, trainer, c: Controls, task: DisplayTask, force_eval: bool, urgent: bool,
              evaluate: bool = True) -> Snapshot:
        """urgent: made for something the user just did; the evaluation (tens of ms) waits a snapshot.
        evaluate=False: none of it in this one (the first frame's), see `owe_evaluation`."""
        t0 = time.perf_counter()
        params, _ = trainer.learner.state()
        # the timeline may replay a past init: the panels and the evaluation show it, the trail stays live
        learners = trainer.rewind.shown(trainer.learners())
        shown = params if learners["meta"] is trainer.learner else learners["meta"].state()[0]  # live: one copy
        rewind = self.rewind_state(trainer.rewind, trainer.iteration)
        if rewind.showing != self._replayed:  # a scrub: its curves now, its evaluation (~10x their cost) later
            self._replayed, self._owed_since, self._job = rewind.showing, t0, None
        owed = self.eval_owed()
        if owed:
            self._owed_since = None
        at = trainer.iteration if rewind.showing is None else rewind.showing
        if evaluate:
            self._evaluate(trainer, c, shown, learners, at, t0, force_eval or owed, urgent, hold=rewind.replaying)
        else:
            self.owe_evaluation()
        x, curves, errors, schedules = self.parts.curves(task, self.inits(trainer, c, shown, True, learners),
                                                         c.display_steps, throttle=c.playing and not urgent)
        small = {k: v.cpu().numpy() for k, v in params.items()} if c.model == "two-param" else {}
        trail = trainer.trail.arrays(HISTORY_POINTS)
        trail = np.stack([trail["a"], trail["b"]], 1) if trail else np.zeros((0, 2))
        history, rival = trainer.history, trainer.rival
        landscape = self.parts.landscape(task, x, params, trail) if c.model == "two-param" else None
        if landscape is not None and rewind.replaying:
            landscape.replay = (float(shown["a"]), float(shown["b"]))
        state = None
        # the process host keeps the latest for a restart: about once a second, and at once when
        # training stops with parameters it has not sent (a pause is when the user looks at them)
        stopped_unsent = not c.playing and trainer.iteration != self._state_iteration
        if t0 - self._state_sent >= STATE_EVERY_S or stopped_unsent:
            self._state_sent, self._state_iteration, state = t0, trainer.iteration, trainer.start_state()
        return Snapshot(
            iteration=trainer.iteration, state=trainer.state, device=str(trainer.device),
            algorithm=c.algorithm, family=c.family, model=c.model,
            its_per_s=trainer.rate if c.playing else 0.0,
            loss=history.last,
            hparams=getattr(trainer, "hparams", None) or c.hparams(),
            loss_iters=history.column("iters", HISTORY_POINTS),
            loss_raw=history.column("raw", HISTORY_POINTS),
            loss_smooth=history.column("smooth", HISTORY_POINTS),
            grid_x=x.grid_np, true_y=x.true_np, support_x=x.xs_np, support_y=x.ys_np, task=task,
            curves=curves, display_mse=errors, curve_steps=schedules, evaluation=self.evaluation,
            message=trainer.message, message_id=trainer.message_id,
            message_template=trainer.message_template, message_values=dict(trainer.message_values), meta_params=small,
            inner_lrs=learners["meta"].summary(), lr_history=trainer.telemetry.arrays(HISTORY_POINTS),
            landscape=landscape,
            compare=rival.algorithm if rival is not None else None,
            compare_loss_smooth=history.column("rival", HISTORY_POINTS) if rival is not None else None,
            training_s=trainer.timing["playing_s"], timing=dict(trainer.timing), start_state=state,
            rewind=rewind, shots=c.shots)
