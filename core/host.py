"""Where the trainer runs: a thread (tests, scripts) or a child process (the window).

Both hosts keep the same contract: the GUI writes controls and posts commands through
`host.shared`, and takes the latest snapshot with `host.take()`. Only the transport differs.

The window uses `ProcessHost`, because one interpreter lock cannot serve a GUI and a training
loop at once (measured: a training thread got 0.12-0.17x of the headless engine). The child is
started with the `spawn` method, or `fork` while this process is still bare (see `start_method`),
owns the `Trainer`,
every tensor and the device, and never imports Qt. This module imports neither torch nor the
trainer, so the window can start the child first and build itself while the child imports
torch. Only plain pickles cross (numpy arrays, dataclasses), never tensors, so the standard
library's `multiprocessing` is enough (torch's adds shared-memory tensor passing, unused here):

    GUI -> child   ("init", Controls, StartState | None) | ("update", seq, changes)
                   | ("post", command, payload) | ("credit",) | ("stop",)
    child -> GUI   ("controls", seq, Controls) | ("snapshot", Snapshot) | ("bye", info)

Snapshots are flow-controlled by credits: the child sends one only after the GUI has taken the
previous one, so a slow window drops frames instead of queueing them, and the trainer skips
building snapshots nobody will draw (`Mailbox.wants`). A snapshot made for something the user
just did (a control change, a step) goes at once: it is what the drag latency waits for. The
child watches the pipe: end of file
(the window's process died, however it died) stops it.
"""
from __future__ import annotations

import multiprocessing
import sys
import threading
from dataclasses import fields, replace
from typing import TYPE_CHECKING

from core.child import child_main
from core.wire import portable, tensors

if TYPE_CHECKING:
    from core.controls import Controls, Snapshot, StartState

STOP_WAIT_S = 0.8  # how long stop() waits for the child to finish before ending it


class ThreadHost:
    """The trainer in a plain thread of this process: for tests and scripts."""

    def __init__(self, controls: Controls, start: StartState | None = None):
        """Trainer in a thread of this process. `last_state` is unused here (the trainer is at hand)."""
        from core.controls import Mailbox, SharedControls
        from core.trainer import Trainer

        self.shared, self.mailbox = SharedControls(controls), Mailbox()
        self.trainer = Trainer(self.shared, self.mailbox)
        if start is not None:
            self.trainer.start_from(tensors(start.params), tensors(start.extras), start.iteration)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trainer", daemon=True)
        self.error = ""
        self.pid = None
        self.last_state = start
        self.on_snapshot = None  # called from the trainer's thread when a snapshot is put
        self.mailbox.on_put = lambda: self.on_snapshot() if self.on_snapshot is not None else None

    def begin(self, controls: Controls, start: StartState | None = None) -> None:
        """Settings after construction, as for a process host."""
        self.shared.update(**{f.name: getattr(controls, f.name) for f in fields(controls)})

    def _run(self) -> None:
        try:
            self.trainer.run(self._stop)
        except Exception as e:  # the trainer reports its own errors; this is a bug in the loop itself
            self.error = f"The trainer stopped: {type(e).__name__}: {e}"

    def start(self) -> None:
        if not self._thread.is_alive() and self._thread.ident is None:
            self._thread.start()

    def restart(self) -> None:
        """A new loop over the same controls, from the trainer's current parameters."""
        self.stop()
        from core.trainer import Trainer

        state = self.trainer.start_state()
        self.trainer = Trainer(self.shared, self.mailbox)
        self.trainer.start_from(tensors(state.params), tensors(state.extras), state.iteration)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trainer", daemon=True)
        self.error = ""
        self.start()

    def take(self) -> Snapshot | None:
        return self.mailbox.take()

    @property
    def iterations(self) -> int:
        return self.trainer.iteration

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.shared.wake()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)


class RemoteControls:
    """The window's view of the child's controls: what the child last confirmed, with the window's
    own changes that it has not confirmed yet applied on top (so a slider never jumps back, and
    a change the trainer made itself, such as pausing on divergence, still reaches the window)."""

    def __init__(self, controls: Controls, send):
        self._lock = threading.Lock()
        self._send = send
        self._base = self._view = controls
        self._pending: list[tuple[int, dict]] = []
        self._seq = 0

    def get(self) -> Controls:
        with self._lock:
            return self._view

    def update(self, **changes) -> Controls:
        with self._lock:
            self._seq += 1
            self._pending.append((self._seq, changes))
            self._view = replace(self._view, **changes)
            self._send(("update", self._seq, changes))
            return self._view

    def post(self, command: str, payload: object = None) -> None:
        self._send(("post", command, portable(payload)))

    def wake(self) -> None:
        """Nothing to wake in this process (the child wakes on every message)."""

    def latest_seq(self) -> int:
        with self._lock:
            return self._seq

    def confirm(self, seq: int, controls: Controls) -> None:
        """The child's controls after applying the window's changes up to `seq`."""
        with self._lock:
            self._base = controls
            self._pending = [(s, c) for s, c in self._pending if s > seq]
            view = controls
            for _, c in self._pending:
                view = replace(view, **c)
            self._view = view


NOT_FORK_SAFE = ("torch", "PySide6")  # native thread pools and locks a forked child would inherit half-held


def start_method() -> str:
    """`fork` on Linux while this process has one thread and none of NOT_FORK_SAFE imported (the
    window's first child, started before Qt): the child skips a new interpreter's start and the
    modules already imported, ~0.2 s off the first frame. `spawn` otherwise (a restart, tests,
    macOS, Windows), where fork is not safe or not there."""
    bare = threading.active_count() == 1 and not any(m in sys.modules for m in NOT_FORK_SAFE)
    if bare and sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


class ProcessHost:
    """The trainer in a child process; this side holds the controls view, the latest snapshot
    and a reader thread that receives from the pipe.

    `spawn()` starts the child at once (it imports torch meanwhile); `begin(controls)` hands
    it the settings. `ProcessHost(controls)` does both."""

    def __init__(self, controls: Controls | None = None, start: StartState | None = None, threads: int = 1):
        from core.controls import Mailbox  # plain Python: no torch on this side's start-up path

        self._threads = threads
        self._send_lock = threading.Lock()
        self.shared: RemoteControls | None = None
        self.mailbox = Mailbox()
        self.last_state: StartState | None = start  # what a restart would begin from
        self.info: dict = {}  # the child's closing figures (iterations, timing)
        self.on_snapshot = None  # called from the reader thread when a snapshot arrives (the window wakes)
        self._iterations = start.iteration if start else 0
        self._init: tuple | None = None  # the settings message, until the child runs
        self._new_process()
        if controls is not None:
            self.begin(controls, start)

    def _new_process(self) -> None:
        method = start_method()
        ctx = multiprocessing.get_context(method)
        self._conn, self._child_conn = ctx.Pipe(duplex=True)
        # a forked child holds a copy of this side's end too: it closes it, or this process's death
        # would never reach it as end of file
        inherited = (self._conn,) if method == "fork" else ()
        self._process = ctx.Process(target=child_main, args=(self._child_conn, self._threads, inherited),
                                    name="maml-trainer", daemon=True)
        self._reader = threading.Thread(target=self._read, name="trainer-pipe", daemon=True)
        self.error = ""  # set when the child died or could not start
        self.exitcode: int | None = None
        self._stopping = False

    @classmethod
    def spawn(cls, threads: int = 1) -> ProcessHost:
        host = cls(threads=threads)
        host.start()
        return host

    def begin(self, controls: Controls, start: StartState | None = None) -> None:
        """Give the child its settings (and, for a restart, its parameters): now if it runs, else at start."""
        if self.shared is None:
            self.shared = RemoteControls(controls, self._send)
        else:
            self.shared.confirm(self.shared.latest_seq(), controls)
        if start is not None:
            self.last_state, self._iterations = start, start.iteration
        self._init = ("init", controls, start)
        if self._process.pid is not None:
            self._send(self._init)
            self._init = None

    def start(self) -> None:
        if self._process.pid is not None:
            return
        self._process.start()
        self._child_conn.close()  # the child holds its own copy: EOF now means the child is gone
        self._reader.start()
        if self._init is not None:
            self._send(self._init)
            self._init = None

    def restart(self) -> None:
        """A new child after this one died, from the last parameters received and the current controls."""
        self.stop()
        # the dead child's last snapshot may be newer than the parameters the restart resumes from
        # (those come with some snapshots only): drawn after the restart, the run would jump back
        self.mailbox.take()
        self._new_process()
        self.begin(self.shared.get(), self.last_state)
        self.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _send(self, message) -> None:
        with self._send_lock:
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the child is gone: the reader says so
                pass

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "snapshot":
                snap = message[1]
                self._iterations = snap.iteration
                if snap.start_state is not None:
                    self.last_state = snap.start_state
                self.mailbox.put(snap)
                if self.on_snapshot is not None:
                    self.on_snapshot()
            elif kind == "controls":
                self.shared.confirm(message[1], message[2])
            elif kind == "bye":
                self.info = message[1]
                self._iterations = self.info.get("iterations", self._iterations)
        self._process.join(2.0)  # reap it: no zombie
        self.exitcode = self._process.exitcode
        if not self._stopping:
            self.error = (f"The training process stopped unexpectedly (exit code {self.exitcode}). "
                          "The last picture stays on screen.")

    def take(self) -> Snapshot | None:
        snap = self.mailbox.take()
        if snap is not None:
            self._send(("credit",))  # ready for the next one
        return snap

    @property
    def iterations(self) -> int:
        """The iteration of the latest snapshot received (the child's count at exit, after stop)."""
        return self._iterations

    def alive(self) -> bool:
        return self._process.is_alive()

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Ask the child to finish, wait a little, then end it; always reaps it (idempotent)."""
        self._stopping = True
        if self._process.pid is None:
            return
        self._send(("stop",))
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(1.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        if self._reader.is_alive():
            self._reader.join(1.0)
        self._conn.close()
        self.exitcode = self._process.exitcode
