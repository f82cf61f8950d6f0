"""The trainer under faults: out of device memory, an exception mid-step."""
import threading
import time

import torch

torch.set_num_threads(1)

from core import algorithms
from core.controls import Controls, SharedControls
from core.trainer import Trainer
from tests.conftest import reading_mailbox


def _start(controls):
    shared, box = SharedControls(controls), reading_mailbox()
    trainer, stop = Trainer(shared, box), threading.Event()
    thread = threading.Thread(target=trainer.run, args=(stop,), daemon=True)
    thread.start()
    return shared, box, trainer, stop, thread


def _wait(pred, timeout=20.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        time.sleep(0.02)
    return False


def _stop(shared, stop, thread):
    stop.set()
    shared.wake()
    thread.join(5)
    assert not thread.is_alive()


def test_out_of_memory_moves_to_cpu_pauses_and_says_so(monkeypatch):
    calls = {"n": 0}
    real_step = algorithms.MetaLearner.step

    def flaky(self, batch, hp):
        calls["n"] += 1
        if calls["n"] == 5:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real_step(self, batch, hp)

    monkeypatch.setattr(algorithms.MetaLearner, "step", flaky)
    # device cpu: these faults are injected into the eager step (a GPU replays a captured graph)
    shared, box, trainer, stop, thread = _start(Controls(playing=True, device="cpu"))
    try:
        assert _wait(lambda: box.latest() is not None and "Out of memory" in box.latest().message)
        snap = box.latest()
        assert snap.state == "paused" and snap.iteration == 4  # the history is kept
        assert shared.get().device == "cpu" and not shared.get().playing
        shared.update(playing=True)  # and it carries on
        assert _wait(lambda: box.latest().iteration > 10)
    finally:
        _stop(shared, stop, thread)


def test_exception_in_training_shows_and_the_thread_lives_on(monkeypatch):
    real_step = algorithms.MetaLearner.step
    state = {"broken": True}

    def broken(self, batch, hp):
        if state["broken"]:
            raise RuntimeError("boom")
        return real_step(self, batch, hp)

    monkeypatch.setattr(algorithms.MetaLearner, "step", broken)
    shared, box, trainer, stop, thread = _start(Controls(playing=True, device="cpu"))
    try:
        assert _wait(lambda: box.latest() is not None and box.latest().state == "error")
        assert "RuntimeError: boom" in box.latest().message and not shared.get().playing
        state["broken"] = False
        shared.update(playing=True)
        assert _wait(lambda: box.latest().iteration >= 3)
        assert thread.is_alive()
    finally:
        _stop(shared, stop, thread)


def test_a_setup_core_cannot_build_keeps_the_previous_one():
    shared, box, trainer, stop, thread = _start(Controls(model="two-param", family="sine-ab"))
    try:
        assert _wait(lambda: box.latest() is not None)
        shared.update(algorithm="anil")  # ANIL needs the MLP
        assert _wait(lambda: "ANIL" in box.latest().message)
        assert shared.get().algorithm == "maml" and shared.get().model == "two-param"
        shared.update(playing=True)
        assert _wait(lambda: box.latest().iteration > 3)
    finally:
        _stop(shared, stop, thread)


def test_a_bad_first_setup_falls_back_to_maml():
    shared, box, trainer, stop, thread = _start(Controls(algorithm="anil", model="two-param", family="linear"))
    try:
        assert _wait(lambda: box.latest() is not None)
        assert "ANIL" in box.latest().message and shared.get().algorithm == "maml"
    finally:
        _stop(shared, stop, thread)


def test_a_second_algorithm_trains_beside_the_first_on_the_same_tasks():
    shared, box, trainer, stop, thread = _start(Controls(compare="metasgd", playing=True))
    try:
        assert _wait(lambda: box.latest() is not None and box.latest().iteration > 50
                     and box.latest().evaluation is not None and "compare" in box.latest().evaluation.mean)
        snap = box.latest()
        assert snap.compare == "metasgd"
        # each drawn with the steps it was trained with: Meta-SGD's learned rates for its 1 inner step
        assert snap.curve_steps["compare"] == (0, 1) and snap.curves["compare"].shape[0] == 2
        assert snap.curve_steps["meta"] == tuple(range(Controls().display_steps + 1))
        assert not (snap.curves["compare"] == snap.curves["meta"][:2]).all()  # different algorithms, different inits
        assert snap.compare_loss_smooth is not None and len(snap.compare_loss_smooth) == len(snap.loss_iters)
    finally:
        _stop(shared, stop, thread)


def test_loss_history_stays_bounded_and_keeps_its_ends():
    from core.history import LossHistory
    h = LossHistory(capacity=100)
    for i in range(1, 10_001):
        h.add(i, float(i))
    assert h.n <= 100
    iters = h.column("iters", 1000)
    assert iters[0] == 1 and iters[-1] > 9_800  # the start and the latest iterations are both there
    assert (iters[1:] > iters[:-1]).all()
    assert h.column("smooth", 1000)[-1] > 9_900 - 60  # the EMA saw every iteration, not only kept rows
    assert h.last == 10_000.0


def test_adam_reset_zeroes_its_state_in_place():
    """A captured CUDA graph holds the optimiser's state tensors: reset must not replace them."""
    from core.optim import Adam
    p = torch.zeros(3, requires_grad=True)
    opt = Adam([p])
    p.grad = torch.ones(3)
    opt.step()
    held = (opt.exp_avg[0], opt.exp_avg_sq[0], opt.steps[0])
    opt.reset()
    assert held[0] is opt.exp_avg[0] and held[1] is opt.exp_avg_sq[0] and held[2] is opt.steps[0]
    assert float(held[0].abs().sum()) == 0 and float(held[1].abs().sum()) == 0 and float(held[2]) == 0
