"""Property tests: no file and no number the user can hand us gets past the loaders unchecked."""
import io
import math

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import checkpoint as ckpt
from core.cli import main
from core.models import MLP
from core.settings import SETTINGS

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid() -> dict:
    params = MLP().init(torch.Generator().manual_seed(0))
    return {"state_dict": params, "config": {"algorithm": "maml", "task": "sinusoid", "model": "mlp",
                                             "hidden": [40, 40], "inner_lr": 0.01, "outer_lr": 0.001}}


@FAST
@given(st.binary(max_size=512))
def test_random_bytes_are_refused_cleanly(tmp_path, blob):
    path = tmp_path / "x.pt"
    path.write_bytes(blob)
    try:
        ckpt.load(path)
    except ckpt.CheckpointError as e:
        assert str(e)
    else:  # pragma: no cover - random bytes are never a valid checkpoint
        raise AssertionError("random bytes loaded as a checkpoint")


@FAST
@given(st.integers(min_value=0, max_value=2000))
def test_truncated_checkpoints_are_refused(tmp_path, cut):
    buf = io.BytesIO()
    torch.save(_valid(), buf)
    data = buf.getvalue()
    path = tmp_path / "t.pt"
    path.write_bytes(data[: min(cut, len(data) - 1)])
    try:
        ckpt.load(path)
        raise AssertionError("a truncated file loaded")
    except ckpt.CheckpointError:
        pass


leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
                 st.builds(lambda shape, v: torch.full(shape, v),
                           st.lists(st.integers(0, 3), max_size=3).map(tuple),
                           st.floats(allow_nan=True, allow_infinity=True, width=32)))
structure = st.recursive(leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                      st.dictionaries(st.text(max_size=10), kids, max_size=5)),
                         max_leaves=20)


@FAST
@given(structure)
def test_arbitrary_structures_validate_or_raise_a_checkpoint_error(data):
    try:
        result = ckpt.validate(data)
    except ckpt.CheckpointError:
        return
    assert all(torch.isfinite(v).all() for v in result.params.values())


@FAST
@given(key=st.sampled_from(["0.weight", "0.bias", "2.weight", "4.bias"]),
       mutation=st.sampled_from(["nan", "inf", "shape", "drop", "type"]))
def test_a_damaged_field_of_a_real_checkpoint_is_refused(key, mutation):
    data = _valid()
    sd = data["state_dict"]
    if mutation == "nan":
        sd[key] = sd[key].clone().fill_(math.nan)
    elif mutation == "inf":
        sd[key] = sd[key].clone().fill_(math.inf)
    elif mutation == "shape":
        sd[key] = torch.zeros(3, 3)
    elif mutation == "drop":
        del sd[key]
    else:
        sd[key] = sd[key].tolist()
    try:
        ckpt.validate(data)
        raise AssertionError(f"{mutation} of {key} was accepted")
    except ckpt.CheckpointError as e:
        assert key in str(e) or "keys" in str(e)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6)))
def test_cli_learning_rates_are_accepted_only_when_finite_and_non_negative(capsys, value):
    text = str(value)
    code = main(["train", "--inner-lr", text, "--iterations", "1", "--quiet"])
    out, err = capsys.readouterr()
    lo, hi = SETTINGS["inner_lr"].lo, SETTINGS["inner_lr"].hi  # the one table's limits (were 0..100 here only)
    try:
        number = float(text)
        acceptable = math.isfinite(number) and number >= 0
    except ValueError:
        acceptable = False
    if acceptable and lo <= number <= hi:
        assert code in (0, 3), err  # 3: a large alpha may diverge at once, and says so
    else:  # NaN, negative, outside the limits or not a number
        assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1, err
