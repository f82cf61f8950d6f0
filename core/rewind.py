"""Rewind: the meta-initialisation kept at bounded intervals through training, and replaying one.

The trainer offers its init (with the algorithm's extras, such as Meta-SGD's rates, and the
compared algorithm's) after every chunk; the archive keeps one in each slot of `every`
iterations. When it holds `capacity` entries it doubles the slots (merging each pair, their
first init kept) until at most half are used, so hours of training cost the same bytes as
minutes: the whole run stays covered, at a resolution that falls as it grows, and the first
entry (the init before meta-training) is never dropped. `capacity` is what
fits in BUDGET_BYTES, between MIN_KEPT and MAX_KEPT entries, so the archive never holds more
than `bound_bytes` = capacity x one entry's bytes: 256 x 7 KB = 1.8 MB for the default 40-40
MLP (twice that for Meta-SGD, again twice with a compared algorithm); for a model whose entries
exceed BUDGET_BYTES / MIN_KEPT, MIN_KEPT entries.

Replaying loads one entry into scratch learners of the same algorithms, so the panels adapt the
init of that moment, with its own step rule, to the current task, while training (if playing)
carries on with the live one. It all lives in the trainer's process: the window asks for an
iteration with the 'replay' command and gets the replayed curves in the snapshot.
"""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from core.controls import RewindState

BUDGET_BYTES = 16 * 2**20  # the archive's entries fit in this (unless MIN_KEPT of them do not)
MAX_KEPT = 256
MIN_KEPT = 2
FIRST_EVERY = 10  # iterations between kept inits until the first thinning
SMALL_BYTES = 64 * 2**10  # a replayed init this small rides along in the snapshot (tests, the trail's marker)
_VERSIONS = itertools.count(1)  # one counter for every archive and rewind: a version is never seen twice


def _numpy(params: dict[str, torch.Tensor] | None) -> dict[str, np.ndarray] | None:
    if params is None:
        return None
    return {k: v.detach().cpu().numpy().copy() for k, v in params.items()}


def _nbytes(arrays: dict[str, np.ndarray] | None) -> int:
    return sum(a.nbytes for a in (arrays or {}).values())


@dataclass(frozen=True)
class Frozen:
    """One learner's state at one moment: its algorithm, init and extras, as numpy copies."""

    algorithm: str
    params: dict[str, np.ndarray]
    extras: dict[str, np.ndarray] | None

    @classmethod
    def of(cls, learner) -> Frozen:
        params, extras = learner.state()
        return cls(learner.algorithm, _numpy(params), _numpy(extras))

    @property
    def nbytes(self) -> int:
        return _nbytes(self.params) + _nbytes(self.extras)


@dataclass(frozen=True)
class Kept:
    """The inits at one iteration: 'meta' and, when one trains beside it, 'compare'."""

    iteration: int
    states: dict[str, Frozen]

    @cached_property
    def nbytes(self) -> int:
        """Counted once: a kept init never changes, and every snapshot reports the archive's size
        (summing ~250 entries' arrays each time was a quarter of a snapshot's cost)."""
        return sum(s.nbytes for s in self.states.values())


class InitArchive:
    """At most `capacity` kept inits, spread over the whole run (see the module's docstring)."""

    def __init__(self, budget: int = BUDGET_BYTES, max_kept: int = MAX_KEPT, every: int = FIRST_EVERY):
        self.budget, self.max_kept, self.every = budget, max_kept, every
        self.capacity = max_kept
        self.entry_bytes = 0
        self.entries: list[Kept] = []
        self.version = next(_VERSIONS)  # a new one after every change of the entries or the slots

    def due(self, iteration: int) -> bool:
        """Whether `iteration` opens a new slot of `every` iterations (one init kept per slot)."""
        return not self.entries or iteration // self.every > self.entries[-1].iteration // self.every

    def keep(self, kept: Kept) -> None:
        if not self.entries:  # one entry's size is fixed for a build: it sets the capacity
            self.entry_bytes = kept.nbytes
            self.capacity = int(np.clip(self.budget // max(kept.nbytes, 1), MIN_KEPT, self.max_kept))
        if len(self.entries) >= self.capacity:
            self._thin()
            self.version = next(_VERSIONS)
            if not self.due(kept.iteration):  # its slot, twice as wide now, already has an init
                return
        self.entries.append(kept)
        self.version = next(_VERSIONS)

    def _thin(self) -> None:
        """Double the slots until at most half the capacity is used, keeping each slot's first init
        (slot 0's is the init before meta-training): gaps stay under two slots wherever training
        ran in chunks shorter than a slot."""
        while len(self.entries) > self.capacity // 2:
            self.every *= 2
            slots = [e.iteration // self.every for e in self.entries]
            self.entries = [e for i, e in enumerate(self.entries) if i == 0 or slots[i] != slots[i - 1]]

    def drop_after(self, iteration: int) -> None:
        """Forget inits past `iteration` (training rolled back to it)."""
        kept = [e for e in self.entries if e.iteration <= iteration]
        if len(kept) != len(self.entries):
            self.entries, self.version = kept, next(_VERSIONS)

    def nearest(self, iteration: int) -> Kept | None:
        if not self.entries:
            return None
        its = [e.iteration for e in self.entries]
        i = bisect.bisect_left(its, iteration)
        near = [j for j in (i - 1, i) if 0 <= j < len(its)]
        return self.entries[min(near, key=lambda j: abs(its[j] - iteration))]

    def iterations(self) -> np.ndarray:
        return np.array([e.iteration for e in self.entries], dtype=np.int64)

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for e in self.entries)

    @property
    def bound_bytes(self) -> int:
        return self.capacity * self.entry_bytes


class Rewind:
    """The trainer's archive and the entry the panels replay (None: live).

    make(algorithm, params) builds a learner like the trainer's (same model and settings)."""

    def __init__(self, make: Callable, device: torch.device, archive: InitArchive | None = None):
        self.make, self.device = make, device
        self.archive = archive or InitArchive()
        self._showing: Kept | None = None
        self._showing_version = next(_VERSIONS)
        self._replayed: dict[str, object] = {}

    @property
    def showing(self) -> Kept | None:
        """The kept init the panels replay (None: live)."""
        return self._showing

    @showing.setter
    def showing(self, kept: Kept | None) -> None:
        self._showing, self._showing_version = kept, next(_VERSIONS)

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever `state()` would: the archive changed or another init is replayed. Never
        repeats, across rewinds too (a rebuilt trainer's new rewind may sit at the old one's address)."""
        return self.archive.version, self._showing_version

    def record(self, iteration: int, learners: dict[str, object]) -> None:
        """Keep the learners' state if one is due at this iteration (cheap when not)."""
        if self.archive.due(iteration):
            self.archive.keep(Kept(iteration, {k: Frozen.of(v) for k, v in learners.items() if v is not None}))

    def replay(self, iteration: int | None, latest: int) -> None:
        """Show the kept init nearest `iteration`; None, or the latest iteration or later: live."""
        kept = None if iteration is None or iteration >= latest else self.archive.nearest(iteration)
        self.showing = kept
        self._replayed = {}
        if kept is None:
            return
        for name, s in kept.states.items():
            params = {k: torch.from_numpy(v).to(self.device) for k, v in s.params.items()}
            learner = self.make(s.algorithm, params)
            if s.extras is not None:
                learner.load(params, {k: torch.from_numpy(v).to(self.device) for k, v in s.extras.items()})
            self._replayed[name] = learner

    def forget_after(self, iteration: int) -> None:
        """Training rolled back to `iteration`: inits past it never happened."""
        self.archive.drop_after(iteration)
        if self.showing is not None and self.showing.iteration > iteration:
            self.replay(None, iteration)

    def shown(self, live: dict[str, object]) -> dict[str, object]:
        """The learners whose inits the panels show: the replayed ones, or the live ones."""
        if self.showing is None:
            return live
        return {k: self._replayed.get(k, v) if v is not None else None for k, v in live.items()}

    def state(self, latest: int) -> RewindState:
        showing = self.showing
        params = {}
        if showing is not None and showing.states["meta"].nbytes <= SMALL_BYTES:
            params = {k: v.copy() for k, v in showing.states["meta"].params.items()}
        return RewindState(self.archive.iterations(), latest, None if showing is None else showing.iteration,
                           params, self.archive.nbytes, self.archive.bound_bytes)
