"""A snapshot from the trainer's state: which initialisations are shown and with which step rule,
when the held-out evaluation is refreshed, when the parameters ride along for a restart, and the
`Snapshot` itself (numpy copies only). The trainer decides when; this decides what."""
from __future__ import annotations

import math
import time

import numpy as np

from core.controls import Controls, DisplayTask, Snapshot
from core.models import Params
from core.snapshots import Init, SnapshotParts

EVAL_S = 3.0  # evaluation-panel refresh while training
HISTORY_POINTS = 4000  # the loss history is decimated to at most this many points per snapshot
STATE_EVERY_S = 1.0  # how often a snapshot carries the parameters a restart would begin from


class Publisher:
    """Builds snapshots for one model and family (the trainer makes a new one at each reset)."""

    def __init__(self, parts: SnapshotParts):
        self.parts = parts
        self.evaluation = None
        self._last_eval = -math.inf
        self._state_sent = -math.inf

    def evaluate_next(self) -> None:
        """Refresh the held-out evaluation in the next snapshot (a baseline just changed)."""
        self._last_eval = -math.inf

    @staticmethod
    def inits(trainer, c: Controls, params: Params, for_display: bool) -> dict[str, Init]:
        """The initialisations shown: the meta-learned one adapts with its own rule (learned rates,
        ANIL's head only, CAVIA's context) unless the user set a display rate; the others with alpha."""
        hp = c.hparams()
        alpha = c.display_lr if (for_display and c.display_lr is not None) else c.inner_lr
        own = not (for_display and c.display_lr is not None)
        inits = {"meta": Init(params, trainer.learner.inner_lr(hp) if own else alpha),
                 "random": Init(trainer.random_init, alpha, fixed=True)}
        if trainer.pretrained is not None:
            inits["pretrained"] = Init(trainer.pretrained, alpha, fixed=True)
        if trainer.rival is not None:
            inits["compare"] = Init(trainer.rival.state()[0], trainer.rival.inner_lr(hp) if own else alpha)
        return inits

    def build(self, trainer, c: Controls, task: DisplayTask, force_eval: bool, urgent: bool) -> Snapshot:
        """urgent: made for something the user just did; the evaluation (tens of ms) waits a snapshot."""
        t0 = time.perf_counter()
        params, _ = trainer.learner.state()
        if force_eval or (t0 - self._last_eval >= EVAL_S and not urgent):
            self.evaluation = self.parts.evaluation(c.shots, self.inits(trainer, c, params, False), trainer.iteration)
            self._last_eval = time.perf_counter()
            trainer.timing["eval"] += self._last_eval - t0
        x, curves, errors = self.parts.curves(task, self.inits(trainer, c, params, True), c.display_steps)
        small = {k: v.cpu().numpy() for k, v in params.items()} if c.model == "two-param" else {}
        trail = trainer.trail.arrays(HISTORY_POINTS)
        trail = np.stack([trail["a"], trail["b"]], 1) if trail else np.zeros((0, 2))
        history, rival = trainer.history, trainer.rival
        state = None
        if t0 - self._state_sent >= STATE_EVERY_S:  # the process host keeps the latest for a restart
            self._state_sent, state = t0, trainer.start_state()
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
            curves=curves, display_mse=errors, evaluation=self.evaluation,
            message=trainer.message, message_id=trainer.message_id, meta_params=small,
            inner_lrs=trainer.learner.summary(), lr_history=trainer.telemetry.arrays(HISTORY_POINTS),
            landscape=self.parts.landscape(task, x, params, trail) if c.model == "two-param" else None,
            compare=rival.algorithm if rival is not None else None,
            compare_loss_smooth=history.column("rival", HISTORY_POINTS) if rival is not None else None,
            training_s=trainer.timing["playing_s"], timing=dict(trainer.timing), start_state=state,
            shots=c.shots)
