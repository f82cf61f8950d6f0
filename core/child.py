"""The trainer's process: it waits for the window's settings, runs the `Trainer`, and talks over
the pipe with two threads (one applies what the window sends, one sends snapshots and confirmed
controls). It never imports Qt, and ends with the window: end of file on the pipe stops it."""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading

from core.wire import tensors


def child_main(conn, threads: int, inherited: tuple = ()) -> None:
    """The training process: wait for the settings, then run the trainer and talk over the pipe.
    inherited: the window's own ends of pipes, which a forked child must close at once."""
    for end in inherited:
        end.close()
    _end_with_window()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C goes to the whole group: the window decides
    # torch's import sets off hundreds of collections that free nothing (~0.3 s of a ~1.8 s import
    # here, on the first frame's path); they resume after gc.freeze() below
    gc.disable()
    import torch

    from core.controls import Mailbox, SharedControls
    from core.device import tune_allocator
    from core.trainer import Trainer

    torch.set_num_threads(threads)
    tune_allocator()
    # the pipe threads wait for the interpreter lock while the loop runs: hand it over within 1 ms,
    # not Python's default 5, so a control change reaches the loop (and its snapshot the window) sooner
    sys.setswitchinterval(0.001)
    try:
        message = conn.recv()
    except (EOFError, OSError):  # the window closed before it got this far
        os._exit(0)
    if message[0] != "init":
        os._exit(0)
    _, controls, start = message
    shared, mailbox = SharedControls(controls), Mailbox()
    trainer = Trainer(shared, mailbox)
    if start is not None:
        trainer.start_from(tensors(start.params), tensors(start.extras), start.iteration)
    gc.freeze()  # torch and the trainer live as long as the process: keep them out of full collections
    gc.enable()
    stop = threading.Event()
    link = _ChildLink(conn, shared, mailbox, trainer, stop)
    threading.Thread(target=link.receive, name="receive", daemon=True).start()
    sender = threading.Thread(target=link.send_loop, name="send", daemon=True)
    sender.start()
    try:
        trainer.run(stop)
    finally:
        stop.set()
        link.wake()
        sender.join(1.0)
        link.send(("bye", {"iterations": trainer.iteration, "timing": dict(trainer.timing),
                           "publishes": trainer.publishes}))
        conn.close()
    os._exit(0)  # skip interpreter teardown (torch's can take a second); nothing is left to flush


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_window() -> None:
    """Linux: the kernel kills this process when the window's process dies, however it dies, even
    while torch is still importing here (end of file on the pipe is only read once the trainer
    runs, seconds later on a busy machine). Elsewhere that end of file is the only way."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import multiprocessing

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
        parent = multiprocessing.parent_process()
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent.pid:  # it died before the line above
        os._exit(0)


class _ChildLink:
    """The child's two pipe threads: one applies what the window sends, one sends snapshots
    (when the window has credit) and the confirmed controls (when they change)."""

    def __init__(self, conn, shared, mailbox, trainer, stop: threading.Event):
        self.conn, self.shared, self.mailbox, self.trainer, self.stop = conn, shared, mailbox, trainer, stop
        self._cond = threading.Condition()
        self._credit = True
        self._seq = 0
        self._send_lock = threading.Lock()
        mailbox.on_put = self.wake

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def send(self, message) -> bool:
        with self._send_lock:
            try:
                self.conn.send(message)
                return True
            except (OSError, ValueError):
                self.stop.set()
                return False

    def receive(self) -> None:
        while not self.stop.is_set():
            try:
                message = self.conn.recv()
            except (EOFError, OSError):  # the window's process is gone: end with it
                break
            kind = message[0]
            if kind == "update":
                self.shared.update(**message[2])
                self._seq = message[1]  # after the update: a confirmation never claims more than it holds
                self.wake()
            elif kind == "post":
                self.shared.post(message[1], tensors(message[2]))
            elif kind == "credit":
                with self._cond:
                    self._credit = True
                    self._cond.notify_all()
            elif kind == "stop":
                break
        self.stop.set()
        self.shared.wake()
        self.wake()
        threading.Timer(3.0, os._exit, args=(0,)).start()  # a step that never ends cannot keep us alive

    def _work(self, sent) -> bool:
        """Something to send: a snapshot the window may have, or controls it has not seen."""
        if not self.mailbox.wants() and (self._credit or self.mailbox.urgent):
            return True
        return (self.shared.snapshot()[1], self._seq) != sent

    def send_loop(self) -> None:
        sent = None
        while not self.stop.is_set():
            with self._cond:  # checked under the lock that put's notify takes: no wake-up is lost
                self._cond.wait_for(lambda sent=sent: self.stop.is_set() or self._work(sent), 0.05)
                credit = self._credit
            seq = self._seq  # first: the controls read next hold at least the changes up to seq
            controls, version = self.shared.snapshot()
            if (version, seq) != sent:
                sent = (version, seq)
                if not self.send(("controls", seq, controls)):
                    return
            if credit or self.mailbox.urgent:  # what the user just did goes at once, credit or not
                snap = self.mailbox.take()
                if snap is not None:
                    with self._cond:
                        self._credit = False
                    if not self.send(("snapshot", snap)):
                        return
