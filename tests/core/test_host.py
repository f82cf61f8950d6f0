"""The trainer's hosts without a window: the same contract in a thread and in a child process,
controls confirmed across the pipe, a dead child reported, and a restart from the last state."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.controls import Controls
from core.host import ProcessHost, RemoteControls, ThreadHost
from core.wire import portable, tensors
from tests.conftest import fresh_controls

TIMEOUT = 30.0
ROOT = Path(__file__).resolve().parents[2]


def running(pid: int) -> bool:
    """Whether a process runs (a zombie or a missing pid does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def take_until(host, pred, timeout=TIMEOUT):
    """Take snapshots as the window does (each take lets the child send the next) until pred."""
    deadline, snap = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        snap = host.take() or snap
        if snap is not None and pred(snap):
            return snap
        time.sleep(0.01)
    pytest.fail(f"timed out; last snapshot {None if snap is None else (snap.iteration, snap.state)}, "
                f"error {host.error!r}")


@pytest.fixture(params=["thread", "process"])
def host(request):
    kind = ThreadHost if request.param == "thread" else ProcessHost
    h = kind(fresh_controls())
    h.start()
    yield h
    h.stop()
    assert not h.alive()
    if h.pid is not None:
        assert h.exitcode == 0 and not running(h.pid)


def test_both_hosts_train_pause_and_step_through_the_same_contract(host):
    take_until(host, lambda s: s.state == "paused")
    host.shared.update(playing=True, inner_lr=0.02)
    snap = take_until(host, lambda s: s.iteration > 30 and s.hparams.inner_lr == 0.02)
    assert snap.state == "training" and snap.training_s > 0 and snap.timing["steps"] > 0
    host.shared.update(playing=False)
    paused = take_until(host, lambda s: s.state == "paused")
    time.sleep(0.5)
    assert host.iterations == paused.iteration  # nothing runs while paused
    host.shared.post("step")
    take_until(host, lambda s: s.iteration == paused.iteration + 1)
    assert host.shared.get().inner_lr == 0.02 and not host.shared.get().playing


def test_a_change_the_trainer_makes_reaches_the_window(host):
    """Divergence pauses the run in the trainer; the window's controls follow."""
    host.shared.update(playing=True, inner_lr=5.0, outer_lr=5.0)
    take_until(host, lambda s: s.state == "diverged")
    deadline = time.monotonic() + TIMEOUT
    while host.shared.get().playing and time.monotonic() < deadline:
        host.take()
        time.sleep(0.01)
    assert not host.shared.get().playing


def test_the_window_view_keeps_its_own_unconfirmed_changes():
    sent = []
    rc = RemoteControls(Controls(), sent.append)
    rc.update(inner_lr=0.3)
    rc.update(shots=5)
    rc.confirm(1, Controls(inner_lr=0.3, playing=False))  # the child has seen the first change only
    assert rc.get().inner_lr == 0.3 and rc.get().shots == 5
    rc.confirm(2, Controls(inner_lr=0.3, shots=5))
    assert rc.get() == Controls(inner_lr=0.3, shots=5)
    assert [m[0] for m in sent] == ["update", "update"]


def test_payloads_cross_as_numpy_and_come_back_as_tensors():
    import torch

    from core.checkpoint import Checkpoint

    ck = Checkpoint({"w": torch.ones(2, 3)}, {"algorithm": "maml"}, {"w": torch.zeros(2, 3)})
    wire = portable(ck)
    assert isinstance(wire.params["w"], np.ndarray) and isinstance(wire.lrs["w"], np.ndarray)
    back = tensors(wire)
    assert torch.equal(back.params["w"], ck.params["w"]) and back.config == ck.config


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc")
def test_a_killed_child_is_reported_reaped_and_restarts_from_its_last_parameters():
    h = ProcessHost(fresh_controls(playing=True))
    h.start()
    try:
        take_until(h, lambda s: s.iteration > 50 and h.last_state is not None)
        state = h.last_state
        pid = h.pid
        time.sleep(0.3)  # the snapshot that take let the child send arrives, untaken
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not h.error and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "stopped unexpectedly" in h.error and not running(pid)
        h.restart()
        assert h.pid != pid and not h.error
        assert h.mailbox.take() is None  # the dead child's last picture is not drawn after the restart
        snap = take_until(h, lambda s: s.iteration > state.iteration)
        assert "Restarted from iteration" in snap.message
        assert h.shared.get().playing
    finally:
        h.stop()
    assert not running(h.pid)


FORKED_RUN = """
import sys, time
from core import host
from core.controls import Controls
print(host.start_method())
h = host.ProcessHost(Controls(playing=True))
h.start()
deadline, snap = time.monotonic() + 60, None
while time.monotonic() < deadline and (snap is None or snap.iteration < 3):
    snap = h.take() or snap
    time.sleep(0.01)
print(host.start_method(), snap is not None and snap.iteration >= 3)
h.stop()
print(h.exitcode, h.alive())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")
def test_a_bare_process_forks_its_trainer_which_trains_and_ends_cleanly():
    """The window's first child is forked (its interpreter and imports come for free); once this
    process has threads (the pipe's reader) or torch/Qt, a restart spawns."""
    r = subprocess.run([sys.executable, "-c", FORKED_RUN], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:3] == ["fork", "spawn True", "0 False"], r.stdout + r.stderr
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_process_with_threads_or_torch_or_qt_spawns(monkeypatch):
    import threading
    import types

    from core.host import NOT_FORK_SAFE, start_method

    release = threading.Event()
    waiter = threading.Thread(target=release.wait)
    waiter.start()
    try:
        assert start_method() == "spawn"
    finally:
        release.set()
        waiter.join()
    for name in NOT_FORK_SAFE:
        with monkeypatch.context() as m:
            m.setitem(sys.modules, name, sys.modules.get(name) or types.ModuleType(name))
            assert start_method() == "spawn", name
