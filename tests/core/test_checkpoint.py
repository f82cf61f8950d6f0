"""core/checkpoint.py: round trips, a plain weights_only file, and every kind of bad file refused."""
import os
import pickle
import shlex

import pytest
import torch
from torch import nn

from core import checkpoint as ckpt
from core.checkpoint import CheckpointError
from core.controls import Controls
from core.models import MLP, TwoParam, make_model
from core.tasks import get_family


def config(**over):
    c = Controls(**over)
    return ckpt.config_from_controls(c, iterations=123)


def save_mlp(path, hidden=(40, 40), algorithm="maml"):
    model = MLP(hidden)
    params = model.init(torch.Generator().manual_seed(0))
    ckpt.save(path, model, params, config(algorithm=algorithm, hidden=hidden))
    return params


def test_mlp_round_trip(tmp_path):
    path = tmp_path / "mlp.pt"
    params = save_mlp(path)
    loaded = ckpt.load(path)
    assert set(loaded.params) == set(params)
    for k in params:
        assert torch.equal(loaded.params[k], params[k])
    assert loaded.lrs is None
    assert loaded.config["algorithm"] == "maml" and loaded.config["model"] == "mlp"
    assert loaded.config["task"] == "sinusoid" and loaded.config["hidden"] == [40, 40]
    assert loaded.config["iterations"] == 123 and loaded.config["format"] == ckpt.FORMAT
    assert not os.path.exists(str(path) + ".tmp")  # the temporary file was renamed away


def test_mlp_other_hidden_round_trip(tmp_path):
    path = tmp_path / "small.pt"
    params = save_mlp(path, hidden=(8, 5, 3))
    loaded = ckpt.load(path)
    assert loaded.config["hidden"] == [8, 5, 3]
    for k in params:
        assert torch.equal(loaded.params[k], params[k])


def test_two_param_metasgd_round_trip_keeps_lrs(tmp_path):
    path = tmp_path / "two.pt"
    model = TwoParam(get_family("sine-ab"))
    params = {"a": torch.tensor(0.7), "b": torch.tensor(-1.2)}
    lrs = {"a": torch.tensor(0.03), "b": torch.tensor(0.004)}
    ckpt.save(path, model, params, config(algorithm="metasgd", family="sine-ab", model="two-param"), lrs)
    loaded = ckpt.load(path)
    assert loaded.config["model"] == "two-param" and loaded.config["algorithm"] == "metasgd"
    for k in params:
        assert torch.equal(loaded.params[k], params[k])
        assert torch.equal(loaded.lrs[k], lrs[k])


def test_saved_file_is_plain_weights_only(tmp_path):
    path = tmp_path / "mlp.pt"
    params = save_mlp(path)
    data = torch.load(path, weights_only=True)
    assert set(data) >= {"state_dict", "config"}
    net = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1))
    net.load_state_dict(data["state_dict"])
    assert torch.equal(net[0].weight, params["0.weight"])


def write_bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        ckpt.load(tmp_path / "nope.pt")


def test_corrupt_bytes(tmp_path):
    path = write_bytes(tmp_path / "junk.pt", os.urandom(64) + b"not a checkpoint" * 20)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        ckpt.load(path)


def test_truncated_file(tmp_path):
    path = tmp_path / "mlp.pt"
    save_mlp(path)
    data = path.read_bytes()
    write_bytes(path, data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        ckpt.load(path)


def test_empty_file(tmp_path):
    path = write_bytes(tmp_path / "empty.pt", b"")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        ckpt.load(path)


@pytest.mark.parametrize("obj", [
    [1, 2, 3],
    {"config": {"algorithm": "maml"}},  # no state_dict
    {"state_dict": {}, "config": "maml"},  # config not a dict
    {"state_dict": [torch.zeros(2)], "config": {}},
])
def test_foreign_pickles(tmp_path, obj):
    path = tmp_path / "foreign.pt"
    torch.save(obj, path)
    with pytest.raises(CheckpointError, match="not a MAML Playground checkpoint"):
        ckpt.load(path)


def good_data():
    model = MLP((8,))
    params = model.init(torch.Generator().manual_seed(1))
    return {"state_dict": params, "config": config(hidden=(8,))}


def save_raw(tmp_path, data):
    path = tmp_path / "raw.pt"
    torch.save(data, path)
    return path


def test_good_raw_data_loads(tmp_path):
    # the baseline the following corruptions start from
    assert ckpt.load(save_raw(tmp_path, good_data())).config["hidden"] == [8]


def test_wrong_shape(tmp_path):
    data = good_data()
    data["state_dict"]["2.weight"] = torch.zeros(1, 9)
    with pytest.raises(CheckpointError, match=r"2\.weight.*shape \(1, 8\)"):
        ckpt.load(save_raw(tmp_path, data))


def test_wrong_hidden_for_the_weights(tmp_path):
    data = good_data()
    data["config"]["hidden"] = [40, 40]  # the weights are 1-8-1
    with pytest.raises(CheckpointError, match="do not match|shape"):
        ckpt.load(save_raw(tmp_path, data))


def test_missing_and_extra_keys(tmp_path):
    data = good_data()
    del data["state_dict"]["0.bias"]
    with pytest.raises(CheckpointError, match="keys"):
        ckpt.load(save_raw(tmp_path, data))
    data = good_data()
    data["state_dict"]["9.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointError, match="keys"):
        ckpt.load(save_raw(tmp_path, data))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_values(tmp_path, bad):
    data = good_data()
    data["state_dict"]["0.weight"][3, 0] = bad
    with pytest.raises(CheckpointError, match="NaN or infinite"):
        ckpt.load(save_raw(tmp_path, data))


def test_non_finite_metasgd_lrs(tmp_path):
    data = good_data()
    data["config"]["algorithm"] = "metasgd"
    lrs = {k: torch.full_like(v, 0.01) for k, v in data["state_dict"].items()}
    lrs["0.bias"][0] = float("nan")
    data["extras"] = {"inner_lrs": lrs}
    with pytest.raises(CheckpointError, match=r"inner_lrs\['0\.bias'\] holds NaN"):
        ckpt.load(save_raw(tmp_path, data))


@pytest.mark.parametrize("key, value", [
    ("algorithm", "imaml-extreme"),
    ("task", "cosine"),
    ("model", "transformer"),
])
def test_unknown_config_values(tmp_path, key, value):
    data = good_data()
    data["config"][key] = value
    with pytest.raises(CheckpointError, match=f"{key}='{value}' is not one of"):
        ckpt.load(save_raw(tmp_path, data))


@pytest.mark.parametrize("key, value", [
    ("inner_lr", float("nan")), ("outer_lr", -1.0), ("inner_lr", "fast"),
])
def test_bad_learning_rates(tmp_path, key, value):
    data = good_data()
    data["config"][key] = value
    with pytest.raises(CheckpointError, match=key):
        ckpt.load(save_raw(tmp_path, data))


class Payload:
    """Unpickling this runs a shell command that creates `marker`."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, ("touch " + shlex.quote(self.marker),))


def test_code_running_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": Payload(marker), "config": config()}, path)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        ckpt.load(path)
    assert not marker.exists()
    # the same bytes with a plain pickle loader really would run the command
    torch.load(path, weights_only=False)
    assert marker.exists()


def test_code_running_raw_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned2"
    path = write_bytes(tmp_path / "evil.pkl", pickle.dumps(Payload(marker), protocol=2))
    with pytest.raises(CheckpointError):
        ckpt.load(path)
    assert not marker.exists()


def test_validate_builds_the_model_config():
    model = make_model("two-param", "linear")
    data = {"state_dict": {"a": torch.tensor(1.0), "b": torch.tensor(2.0)},
            "config": {"algorithm": "reptile", "task": "linear", "model": "two-param"}}
    c = ckpt.validate(data)
    assert c.params["a"].dtype == torch.float32 and float(c.params["b"]) == 2.0
    assert set(c.params) == set(model.init())


# ---- crafted tensors and configs (issue 13): refused with one line, before anything is built ----
def _crafted(tmp_path, name, tensor=None, **cfg):
    model = MLP()
    params = model.init(torch.Generator().manual_seed(0))
    if tensor is not None:
        params["0.weight"] = tensor
    data = {"state_dict": params, "config": dict(config(), **cfg)}
    path = tmp_path / name
    torch.save(data, path)
    return path


@pytest.mark.parametrize("name, tensor, cfg, needle", [
    ("meta.pt", torch.empty(40, 1, device="meta"), {}, "meta device"),
    ("sparse.pt", torch.zeros(40, 1).to_sparse(), {}, "sparse"),
    ("int.pt", torch.zeros(40, 1, dtype=torch.int64), {}, "int64"),
    ("complex.pt", torch.zeros(40, 1, dtype=torch.complex64), {}, "complex"),
    ("f64.pt", torch.full((40, 1), 1e300, dtype=torch.float64), {}, "infinite"),
    ("bools.pt", None, {"hidden": [True, True]}, "hidden"),
    ("iters.pt", None, {"iterations": "abc"}, "iterations"),
    ("negiters.pt", None, {"iterations": -5}, "iterations"),
    ("seed.pt", None, {"seed": 10**30}, "seed"),
])
def test_crafted_checkpoints_are_refused_with_one_line(tmp_path, name, tensor, cfg, needle):
    path = _crafted(tmp_path, name, tensor, **cfg)
    with pytest.raises(CheckpointError) as info:
        ckpt.load(path)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_crafted_checkpoints_through_evaluate_are_one_line_exit_2(tmp_path, capsys):
    from core.cli import main

    for name, tensor, cfg in (("meta.pt", torch.empty(40, 1, device="meta"), {}),
                              ("sparse.pt", torch.zeros(40, 1).to_sparse(), {}),
                              ("bools.pt", None, {"hidden": [True, True]}),
                              ("iters.pt", None, {"iterations": "abc"})):
        code = main(["evaluate", str(_crafted(tmp_path, name, tensor, **cfg)), "--tasks", "2", "--steps", "1"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1, err


def test_a_fifo_or_device_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "c.pt"
    os.mkfifo(fifo)
    with pytest.raises(CheckpointError, match="FIFO"):
        ckpt.load(fifo)  # O_NONBLOCK: returns at once (a hang would stall the suite's timeout)
    if os.path.exists("/dev/zero"):
        with pytest.raises(CheckpointError, match="device"):
            ckpt.load("/dev/zero")


def test_save_never_follows_a_link_at_the_old_temp_name(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "m.pt.tmp")
    save_mlp(tmp_path / "m.pt")
    assert victim.read_text() == "precious"
    assert ckpt.load(tmp_path / "m.pt").config["algorithm"] == "maml"


def _wait(pred, seconds=60):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not pred():
        time.sleep(0.05)
    return pred()


@pytest.mark.parametrize("selected, saved", [({"model": "two-param", "family": "linear"}, "maml"),
                                             ({"algorithm": "alpha"}, "metasgd")])
def test_the_trainer_adopts_a_checkpoint_of_another_setup_while_training(tmp_path, selected, saved):
    """Issue 13: Ctrl+L with the two scalars ("KeyError: 'a'"), a Meta-SGD file under Alpha MAML."""
    from core.host import ThreadHost
    from tests.conftest import fresh_controls

    path = tmp_path / "c.pt"
    save_mlp(path, algorithm=saved)
    host = ThreadHost(fresh_controls(**selected, playing=True))
    host.start()
    try:
        assert _wait(lambda: host.trainer.iteration > 0)
        host.shared.post("load", ckpt.load(path))
        assert _wait(lambda: "Loaded checkpoint" in host.trainer.message)
        assert _wait(lambda: host.trainer.iteration > 130)  # and it trains on
        assert host.trainer.state != "error" and "stopped" not in host.trainer.message
        c = host.shared.get()
        assert (c.algorithm, c.model, c.family) == (saved, "mlp", "sinusoid")
    finally:
        host.stop()


def test_a_checkpoint_that_cannot_be_built_changes_nothing(tmp_path, monkeypatch):
    from core import trainer
    from core.host import ThreadHost
    from tests.conftest import fresh_controls

    path = tmp_path / "c.pt"
    save_mlp(path, hidden=(7,))
    loaded = ckpt.load(path)
    real = trainer.make_model

    def refuses_7(name, family, hidden):  # a build that fails past validation (say, out of memory)
        if tuple(hidden) == (7,) and name == "mlp":
            raise RuntimeError("cannot build this one")
        return real(name, family, hidden)

    monkeypatch.setattr(trainer, "make_model", refuses_7)
    host = ThreadHost(fresh_controls(model="two-param", family="linear"))
    host.start()
    try:
        host.shared.post("step")
        assert _wait(lambda: host.trainer.iteration == 1)
        host.shared.post("load", loaded)
        assert _wait(lambda: "Could not load" in host.trainer.message)
        c = host.shared.get()
        assert (c.model, c.family) == ("two-param", "linear") and host.trainer.model.name == "two-param"
        host.shared.post("step")
        assert _wait(lambda: host.trainer.iteration == 2) and host.trainer.state != "error"
    finally:
        host.stop()
