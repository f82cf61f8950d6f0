"""Every setting once: the table the CLI, the window, presets, sessions and checkpoints read.

Each entry is a typed `Setting` (core/setting.py) with one set of limits. The common ones are
declared here; an algorithm's own (iMAML's lambda, Alpha MAML's hypergradient lr, ...) are
declared by its class and collected from the registry, so a new algorithm brings its own.
"""
from __future__ import annotations

import os
from dataclasses import fields, replace

from core import memory
from core.algorithms import ALGORITHMS, REGISTRY, setup_error
from core.controls import Controls
from core.families import FAMILIES
from core.modelnames import MODELS
from core.setting import Setting
from core.words import QT_TR_NOOP

RESETS = QT_TR_NOOP("Changing it restarts meta-training from a fresh initialisation.")

COMMON = (
    Setting("algorithm", str, Controls.algorithm, QT_TR_NOOP("algorithm"), choices=ALGORITHMS, live=False,
            help="; ".join(f"{cls.label}: {cls.description}" for cls in REGISTRY.values())),
    Setting("compare", str, None, QT_TR_NOOP("compare"), choices=ALGORITHMS, live=False, optional=True, cli=False,
            help=QT_TR_NOOP("a second algorithm trained beside the first, on the same task batches")),
    Setting("family", str, Controls.family, QT_TR_NOOP("task family"), choices=tuple(FAMILIES), live=False,
            alias="task", help=QT_TR_NOOP("which kind of task is meta-learned")),
    Setting("model", str, Controls.model, QT_TR_NOOP("model"), choices=MODELS, live=False,
            help=QT_TR_NOOP("the paper's MLP or the article's two scalars")),
    Setting("hidden", tuple, Controls.hidden, QT_TR_NOOP("hidden"), lo=1, hi=1024, max_layers=4, live=False,
            help=QT_TR_NOOP("MLP hidden sizes, e.g. 40,40")),
    Setting("seed", int, Controls.seed, QT_TR_NOOP("seed"), lo=0, hi=2**31 - 1, live=False,
            help=QT_TR_NOOP("random seed of the initialisations and task sampling")),
    Setting("device", str, Controls.device, QT_TR_NOOP("device"), choices=("auto", "cpu", "cuda"), live=False,
            help=QT_TR_NOOP("where meta-training runs; auto picks CUDA when present")),
    Setting("outer_optimizer", str, Controls.outer_optimizer, QT_TR_NOOP("outer optimiser"), choices=("adam", "sgd"),
            live=False, help=QT_TR_NOOP("the meta-optimiser")),
    Setting("inner_lr", float, Controls.inner_lr, QT_TR_NOOP("inner lr α"), lo=1e-4, hi=1.0, log=True,
            help=QT_TR_NOOP("α: step size of the inner SGD steps that adapt to each task")),
    Setting("outer_lr", float, Controls.outer_lr, QT_TR_NOOP("outer lr β"), lo=1e-5, hi=1.0, log=True,
            help=QT_TR_NOOP("β: step size of the meta-update of the initialisation")),
    Setting("inner_steps", int, Controls.inner_steps, QT_TR_NOOP("inner steps"), lo=1, hi=20,
            help=QT_TR_NOOP("inner SGD steps per task during meta-training")),
    Setting("shots", int, Controls.shots, QT_TR_NOOP("K (support points)"), lo=1, hi=100,
            help=QT_TR_NOOP("K support (and query) points per task")),
    Setting("meta_batch", int, Controls.meta_batch, QT_TR_NOOP("meta-batch"), lo=1, hi=10_000,
            help=QT_TR_NOOP("tasks per meta-iteration")),
    Setting("display_steps", int, Controls.display_steps, QT_TR_NOOP("display steps"), lo=1, hi=500, cli=False,
            help=QT_TR_NOOP("inner steps drawn on the panels")),
    Setting("display_lr", float, Controls.display_lr, QT_TR_NOOP("display α"), lo=1e-4, hi=1.0, log=True, optional=True,
            cli=False, help=QT_TR_NOOP("step size for the panels; null: the training α")),
    Setting("playing", bool, Controls.playing, QT_TR_NOOP("playing"), cli=False, help=QT_TR_NOOP("meta-training runs")),
)


# Options of a run, not settings of the meta-learner: the CLI's and the window's flags, and what a
# checkpoint records about its run. Each has limits, like every setting.
RUN = {s.name: s for s in (
    Setting("iterations", int, 70_000, QT_TR_NOOP("iterations"), lo=0, hi=100_000_000, cli=False,
            help=QT_TR_NOOP("meta-iterations")),
    Setting("seconds", float, None, QT_TR_NOOP("seconds"), lo=0.001, hi=7 * 86400, cli=False, optional=True,
            help=QT_TR_NOOP("train for this long instead")),
    Setting("threads", int, 1, QT_TR_NOOP("threads"), lo=1, hi=4 * (os.cpu_count() or 1), cli=False,
            help=f"torch intra-op threads on the CPU (this machine has {os.cpu_count() or 1} cores)"),
    Setting("tasks", int, 600, QT_TR_NOOP("tasks"), lo=1, hi=20_000, cli=False, help=QT_TR_NOOP("held-out tasks")),
    Setting("steps", int, 10, QT_TR_NOOP("steps"), lo=0, hi=200, cli=False, help=QT_TR_NOOP("fine-tuning steps")),
    Setting("quit_after", float, None, QT_TR_NOOP("quit after"), lo=0.01, hi=86400, cli=False, optional=True,
            unit="s", help=QT_TR_NOOP("close the window after this many seconds")),
)}


def _collect() -> dict[str, Setting]:
    table = {s.name: s for s in COMMON}
    for cls in REGISTRY.values():
        for s in cls.settings:
            if table.setdefault(s.name, s) is not s:
                raise ValueError(f"setting {s.name!r} declared twice")
    return table


SETTINGS: dict[str, Setting] = _collect()

# Support points a task may hold: the editor stops adding at this many, and sessions accept as
# many, so whatever the window makes can be saved and opened again.
MAX_POINTS = 1000

# The one device-dependent rule: without a GPU the window's meta-batch slider stops here (a
# bigger batch is slow on a CPU); the limit every entry point checks is the table's.
CPU_META_BATCH = 1000


def belongs(setting: Setting, algorithm: str) -> bool:
    """Whether a setting means something for this algorithm (the window hides it otherwise)."""
    return not setting.algorithms or algorithm in setting.algorithms


def check_controls(values: dict, where: str) -> dict:
    """Validate a dict of Controls fields (not the task); returns the changes. ValueError says why."""
    known = {f.name for f in fields(Controls)} - {"task"}
    changes = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"{where}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
        setting = SETTINGS.get(key)
        if setting is not None and setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        reason = setting.problem(value) if setting is not None else None
        if reason:
            raise ValueError(f"{where}: {reason}")
        changes[key] = tuple(value) if key == "hidden" else value
    model = changes.get("model", Controls.model)
    reason = setup_error(changes.get("algorithm", Controls.algorithm), model)
    if not reason and changes.get("compare"):
        reason = setup_error(changes["compare"], model)
    if reason:
        raise ValueError(f"{where}: {reason}")
    reason = memory.controls_problem(replace(Controls(), **changes))
    if reason:
        raise ValueError(f"{where}: {reason}")
    return changes


def check_config(cfg: dict) -> str | None:
    """The first problem with a checkpoint's config (keys as the checkpoint spells them), or None."""
    for s in (*SETTINGS.values(), RUN["iterations"]):
        key = s.alias or s.name
        if key in cfg:
            value = cfg[key]
            reason = s.problem(tuple(value) if s.kind is tuple and isinstance(value, list) else value)
            if reason:
                return f"config {key}={cfg[key]!r}: {reason}"
    return None
