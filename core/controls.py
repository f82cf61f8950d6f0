"""What the GUI and the training thread share: controls in, snapshots out.

`SharedControls` is written by the GUI and read by the trainer once per meta-iteration
(under a lock, as a copy). `Mailbox` holds the trainer's latest `Snapshot`; a newer one
overwrites it, so a slow reader drops frames instead of queueing them. Everything in a
snapshot is a numpy copy: nothing crosses the thread boundary by reference.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:  # imported where used: the window's process starts its trainer before it imports torch
    from core.algorithms import HParams

# Changing one of these rebuilds the learner from scratch (a reset); everything else is live.
RESET_KEYS = ("algorithm", "family", "model", "seed", "device", "hidden", "outer_optimizer", "compare")


@dataclass(frozen=True)
class DisplayTask:
    """The new task both init panels fit: its support points and, if known, its true curve.

    For a family task, (a, b) give the true curve; for a user task the curve is the drawn
    target (target_x, target_y), or absent when the user only placed points. A family task the
    user edited keeps its curve as target and says where it came from (`origin`): the panels
    then call it the family's curve, no longer the truth for the edited points.
    """

    family: str
    a: float | None
    b: float | None
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    target_x: tuple[float, ...] | None = None
    target_y: tuple[float, ...] | None = None
    origin: tuple[float, float] | None = None  # an edited family task: the (a, b) its target came from

    @property
    def is_user(self) -> bool:
        return self.a is None


@dataclass(frozen=True)
class Controls:
    """Everything the user can set. Frozen: the GUI replaces it, the trainer reads a copy."""

    algorithm: str = "maml"
    compare: str | None = None  # a second algorithm trained beside the first, on the same task batches
    family: str = "sinusoid"
    model: str = "mlp"
    hidden: tuple[int, ...] = (40, 40)
    seed: int = 0
    device: str = "auto"
    outer_optimizer: str = "adam"
    inner_lr: float = 0.01
    outer_lr: float = 1e-3
    inner_steps: int = 1
    shots: int = 10
    meta_batch: int = 25
    display_steps: int = 10  # inner steps drawn on the panels (on a schedule: core.snapshots.step_schedule)
    display_lr: float | None = None  # step size for the panels; None: the training alpha
    lam: float = 2.0  # iMAML's proximal strength
    hyper_lr: float = 1e-4  # Alpha MAML's hypergradient step for alpha
    playing: bool = False
    task: DisplayTask | None = None  # None: the trainer draws one from the family

    def hparams(self) -> HParams:
        from core.algorithms import HParams

        return HParams(self.inner_lr, self.outer_lr, self.inner_steps, self.shots, self.meta_batch,
                       lam=self.lam, hyper_lr=self.hyper_lr)

    def reset_key(self) -> tuple:
        return tuple(getattr(self, k) for k in RESET_KEYS)


class Command(NamedTuple):
    """A queued one-off command, and the control fields the GUI wrote after posting it."""

    name: str
    payload: object
    later: frozenset[str] = frozenset()


class SharedControls:
    """Lock-guarded controls plus a small command queue (step, reset, load, save)."""

    def __init__(self, controls: Controls | None = None):
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._controls = controls or Controls()
        self._version = 0
        self._commands: list[tuple[str, object, int]] = []  # with the version they were posted at
        self._written: dict[str, int] = {}  # each field's latest write (a load must not undo a later one)

    def get(self) -> Controls:
        with self._lock:
            return self._controls

    def update(self, **changes) -> Controls:
        """Replace some fields (validated by the caller) and wake the trainer."""
        with self._lock:
            self._controls = replace(self._controls, **changes)
            self._version += 1
            self._written.update(dict.fromkeys(changes, self._version))
            self._changed.notify_all()
            return self._controls

    def post(self, command: str, payload: object = None) -> None:
        """Queue a one-off command: 'step', 'reset', 'load' (dict), 'save' (path)."""
        with self._lock:
            self._version += 1
            self._commands.append((command, payload, self._version))
            self._changed.notify_all()

    def read(self) -> tuple[Controls, int, list[Command]]:
        """The trainer's once-per-step read: controls, version, and the queued commands, each with
        the fields written after it was posted (the controls read already hold those writes, so a
        command applied now must not undo them)."""
        with self._lock:
            commands = [Command(name, payload, frozenset(k for k, v in self._written.items() if v > posted))
                        for name, payload, posted in self._commands]
            self._commands = []
            return self._controls, self._version, commands

    def wait(self, version: int, timeout: float) -> None:
        """Sleep until something changes after `version`, or timeout."""
        with self._lock:
            if self._version == version:
                self._changed.wait(timeout)

    def wake(self) -> None:
        with self._lock:
            self._version += 1
            self._changed.notify_all()

    def changed_since(self, version: int) -> bool:
        """Whether anything was written after `version` (cheap: checked between meta-iterations)."""
        return self._version != version

    def snapshot(self) -> tuple[Controls, int]:
        """The controls and their version, read together."""
        with self._lock:
            return self._controls, self._version


@dataclass
class StartState:
    """Where a (re)started trainer begins: parameters and extras as numpy, and the iteration."""

    params: dict[str, np.ndarray]
    extras: dict[str, np.ndarray] | None
    iteration: int


@dataclass
class EvalCurves:
    """MSE against inner steps for each method on a fixed held-out set (the paper's Fig. 3)."""

    steps: np.ndarray
    mean: dict[str, np.ndarray]
    ci95: dict[str, np.ndarray]
    iteration: int
    n_tasks: int
    serial: int = 0  # grows with every evaluation: a reader in another process cannot compare identities
    diverged: dict[str, np.ndarray] = field(default_factory=dict)  # same keys -> tasks left out, per step


@dataclass
class Snapshot:
    """One frame's worth of what the trainer knows, as numpy copies."""

    iteration: int
    state: str  # 'paused', 'training', 'diverged', 'error', 'starting'
    device: str
    algorithm: str
    family: str
    model: str
    its_per_s: float
    loss: float
    hparams: HParams  # the values the latest meta-iteration used
    loss_iters: np.ndarray
    loss_raw: np.ndarray
    loss_smooth: np.ndarray
    grid_x: np.ndarray
    true_y: np.ndarray | None
    support_x: np.ndarray
    support_y: np.ndarray
    task: DisplayTask | None
    curves: dict[str, np.ndarray]  # 'meta', 'random', 'pretrained', 'compare' -> (len(schedule), len(grid_x))
    display_mse: dict[str, np.ndarray]  # same keys -> (len(schedule),) MSE against the true curve
    curve_steps: dict[str, tuple[int, ...]]  # same keys -> the schedule: the step count of each row (0: before)
    evaluation: EvalCurves | None = None
    message: str = ""  # the latest notice for the status bar or a banner
    message_id: int = 0  # grows with every new message
    message_template: str = ""  # the message before its values went in (the window translates it)
    message_values: dict[str, object] = field(default_factory=dict)  # plain numbers and strings
    meta_params: dict[str, np.ndarray] = field(default_factory=dict)  # small models only
    inner_lrs: dict[str, float] = field(default_factory=dict)  # Meta-SGD's learned rates, summarised
    lr_history: dict[str, np.ndarray] = field(default_factory=dict)  # Alpha MAML: 'iters', 'alpha', 'beta'
    landscape: Landscape | None = None  # the two-parameter model's view of the task
    compare: str | None = None  # the second algorithm, when one trains beside the first
    compare_loss_smooth: np.ndarray | None = None  # its smoothed meta-loss, on loss_iters
    training_s: float = 0.0  # wall seconds the trainer's loop has run while playing
    timing: dict[str, float] = field(default_factory=dict)  # seconds per trainer job (steps, publish, eval, ...)
    start_state: StartState | None = None  # about once a second: what a restarted trainer would begin from
    rewind: RewindState | None = None  # the archive of past inits, and which one the panels replay
    shots: int | None = None  # the K the controls asked for (meta-training's, and a new task's points)


@dataclass
class Landscape:
    """The two-parameter model: the task's support loss over (a, b) and paths across it."""

    a: np.ndarray  # (G,) grid
    b: np.ndarray  # (G,)
    loss: np.ndarray  # (G, G), loss[i, j] at (a[i], b[j])
    true_ab: tuple[float, float] | None  # the task's own (a, b), when known
    init_trail: np.ndarray  # (n, 2): the meta-initialisation over training
    paths: dict[str, np.ndarray]  # 'meta', 'random', 'pretrained' -> (steps + 1, 2)
    surface_id: int = 0  # grows when the surface is recomputed (the panel redraws the heatmap only then)
    replay: tuple[float, float] | None = None  # the replayed init's (a, b), while the panels replay one


@dataclass
class RewindState:
    """The trainer's archive of past meta-initialisations (core.rewind), as the timeline needs it."""

    kept: np.ndarray  # the iterations archived, ascending
    latest: int  # the trainer's iteration now
    showing: int | None = None  # the archived iteration the panels replay; None: live
    params: dict[str, np.ndarray] = field(default_factory=dict)  # the replayed init, small models only
    nbytes: int = 0  # what the archive holds now
    bound_bytes: int = 0  # the most it can hold

    @property
    def replaying(self) -> bool:
        return self.showing is not None


class Mailbox:
    """Holds only the latest snapshot: put overwrites, take returns it once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item: Snapshot | None = None
        self._fresh = False
        self.urgent = False
        self.on_put = None  # called after each put (the process host's sender waits on it)

    def put(self, item: Snapshot, urgent: bool = False) -> None:
        """urgent: made for something the user just did (a control, a step): worth sending at once."""
        with self._lock:
            self._item, self._fresh = item, True
            self.urgent = urgent
        if self.on_put is not None:
            self.on_put()

    def take(self) -> Snapshot | None:
        """The latest snapshot if it has not been taken yet, else None."""
        with self._lock:
            if not self._fresh:
                return None
            self._fresh = False
            return self._item

    def peek(self) -> Snapshot | None:
        with self._lock:
            return self._item

    def wants(self) -> bool:
        """Whether the reader has taken the latest snapshot (or none was put yet): the trainer
        builds the next one only then, so a slow reader costs no wasted snapshots."""
        with self._lock:
            return not self._fresh
