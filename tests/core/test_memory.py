"""core/memory.py: the estimate refuses the 24 GB preset before anything is built, everywhere."""
import json

import pytest

from core import memory
from core.cli import main
from core.settings import check_controls

GB = 2**30
BIG = {"inner_steps": 10, "meta_batch": 1000, "shots": 50, "hidden": [256, 256, 256, 256]}


def test_the_issue_preset_is_refused_on_a_24_gb_machine():
    reason = memory.problem(1000, 50, 10, (256, 256, 256, 256), free=24 * GB)
    assert reason and "GB" in reason and "meta-batch" in reason


def test_the_estimate_covers_what_was_measured():
    # measured (see the module docstring): 31 MB a task at 10 steps, K=50, 4 x 256
    per_task = (memory.estimate(20, 50, 10, (256,) * 4) - memory.estimate(1, 50, 10, (256,) * 4)) / 19
    assert 31e6 <= per_task <= 3 * 31e6


@pytest.mark.parametrize("setup", [dict(meta_batch=25, shots=10, inner_steps=1, hidden=(40, 40)),
                                   dict(meta_batch=1000, shots=10, inner_steps=1, hidden=(40, 40)),
                                   dict(meta_batch=10_000, shots=100, inner_steps=20, hidden=(), model="two-param")])
def test_ordinary_setups_fit_in_two_gigabytes(setup):
    assert memory.problem(**setup, free=4 * GB) is None


def test_it_grows_with_every_size():
    base = dict(meta_batch=10, shots=10, inner_steps=2, hidden=(40, 40))
    e0 = memory.estimate(**base)
    for key, bigger in (("meta_batch", 20), ("shots", 20), ("inner_steps", 4), ("hidden", (80, 40))):
        assert memory.estimate(**dict(base, **{key: bigger})) > e0


def test_presets_sessions_and_the_cli_all_refuse_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(memory, "available", lambda: 24 * GB)
    with pytest.raises(ValueError, match="memory"):
        check_controls(dict(BIG), "preset")  # presets and sessions go through check_controls
    from gui.presets import read_preset
    from gui.validation import PresetError

    preset = tmp_path / "big.json"
    preset.write_text(json.dumps(BIG))
    with pytest.raises(PresetError, match="memory"):
        read_preset(preset)
    code = main(["train", "--iterations", "1", "--inner-steps", "10", "--meta-batch", "1000", "--shots", "50",
                 "--hidden", "256,256,256,256", "--save", str(tmp_path / "m.pt")])
    err = capsys.readouterr().err
    assert code == 2 and "memory" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "m.pt").exists()


def test_the_trainer_pauses_on_it_with_a_message(monkeypatch):
    """The window's sliders can reach it too: the trainer says so and does not run it."""
    import time

    from core.host import ThreadHost
    from tests.conftest import fresh_controls

    monkeypatch.setattr(memory, "available", lambda: 24 * GB)
    host = ThreadHost(fresh_controls())
    host.start()
    try:
        host.shared.update(meta_batch=1000, inner_steps=10, shots=50, hidden=(256,) * 4, playing=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "memory" not in host.trainer.message:
            time.sleep(0.05)
        assert "memory" in host.trainer.message
        assert not host.shared.get().playing and host.trainer.iteration == 0
    finally:
        host.stop()


def test_a_compared_algorithm_counts_twice():
    from dataclasses import replace

    from core.controls import Controls

    c = replace(Controls(), meta_batch=600, inner_steps=10, shots=50, hidden=(256,) * 4)
    free = int(memory.estimate(600, 50, 10, (256,) * 4) / memory.SAFETY) + 2**20  # just enough for one
    assert memory.controls_problem(c, free) is None
    assert memory.controls_problem(replace(c, compare="metasgd"), free) is not None
