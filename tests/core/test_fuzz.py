"""Property tests: no file and no number the user can hand us gets past the loaders unchecked."""
import io
import math
import os
import signal

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


# ---- issue 13: random tensors, random JSON, random flag values; never a traceback, never a hang ----
def within(seconds, fn, *args):
    """fn(*args) in a thread, failing (not hanging the suite) if it takes longer than `seconds`."""
    import threading

    out = {}

    def body():
        try:
            out["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - handed back to the caller
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{getattr(fn, '__name__', fn)} did not return within {seconds} s"
    if "error" in out:
        raise out["error"]
    return out.get("value")


def _tensor(dtype, device, sparse, shape, value):
    if dtype.is_floating_point or dtype.is_complex:  # through float64: 1e300 becomes inf in float16, no error
        t = torch.full(shape, value, dtype=torch.float64).to(dtype)
    else:
        t = torch.ones(shape, dtype=dtype)
    if sparse and t.dim() > 0:
        t = t.to_sparse()
    return t.to("meta") if device == "meta" else t


tensors = st.builds(_tensor, st.sampled_from([torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                              torch.int64, torch.bool, torch.complex64]),
                    st.sampled_from(["cpu", "meta"]), st.booleans(),
                    st.sampled_from([(40, 1), (40,), (1, 40), (40, 40), (1,), (), (0,), (3, 3)]),
                    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e300, -1e39])))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(["0.weight", "0.bias", "2.weight", "4.bias", "extra"]), tensor=tensors)
def test_random_tensors_in_a_checkpoint_file_load_clean_or_are_refused(tmp_path, key, tensor):
    data = _valid()
    data["state_dict"][key] = tensor
    path = tmp_path / "r.pt"
    torch.save(data, path)
    try:
        loaded = within(30, ckpt.load, path)
    except ckpt.CheckpointError as e:
        assert str(e) and "\n" not in str(e)
        return
    for v in loaded.params.values():
        assert v.dtype == torch.float32 and v.device.type == "cpu" and v.layout == torch.strided
        assert torch.isfinite(v).all()


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40), st.floats(allow_nan=True),
                      st.text(max_size=8), st.sampled_from(["maml", "mlp", "sinusoid", "two-param", "metasgd"]))
json_tree = st.recursive(json_leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                           st.dictionaries(st.text(max_size=10), kids, max_size=4)),
                         max_leaves=15)
config_keys = st.sampled_from(["algorithm", "task", "model", "hidden", "iterations", "seed", "inner_lr", "outer_lr",
                               "inner_steps", "shots", "meta_batch", "lam", "hyper_lr", "outer_optimizer"])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(config_keys, json_tree, max_size=4))
def test_random_config_values_validate_or_are_refused(changes):
    data = _valid()
    data["config"].update(changes)
    try:
        result = within(30, ckpt.validate, data)
    except ckpt.CheckpointError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(result.config["hidden"], list)


def _flags():
    """Every option of every subcommand, as (subcommand, flag, takes a value)."""
    import argparse

    from core.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for name, p in sub.choices.items():
        for a in p._actions:
            if a.option_strings and "--help" not in a.option_strings:
                out.append((name, a.option_strings[0], a.nargs != 0))
    return out


FLAGS = _flags()
flag_values = st.one_of(st.text(max_size=10), st.integers(-10**25, 10**25).map(str),
                        st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.sampled_from(["", "0", "-1", "1e400", "nan", "9" * 5000, "a\0b", "/dev/null", "/"]))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(flag=st.sampled_from(FLAGS), value=flag_values)
def test_random_values_at_every_flag_parse_or_give_one_line(flag, value):
    from core.cli import UsageError, build_parser

    command, option, takes = flag
    argv = [command] + (["x.pt"] if command == "evaluate" else []) + ([option, value] if takes else [option])
    try:
        within(30, build_parser().parse_args, argv)
    except UsageError as e:
        assert "\n" not in str(e).strip()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(flag=st.sampled_from([f for f in FLAGS if f[0] == "train" and f[1] not in ("--iterations", "--seconds")]),
       value=flag_values)
def test_train_with_random_values_at_any_flag_runs_or_gives_one_line(tmp_path_factory, flag, value):
    """Whole runs (of 0 iterations, so each takes well under a second): exit 0, or 2 with one line."""
    import contextlib
    import io

    _, option, takes = flag
    argv = ["train", "--iterations", "0", "--quiet"] + ([option, value] if takes else [option])
    if option != "--save":
        argv += ["--save", str(tmp_path_factory.mktemp("s") / "m.pt")]
    err, threads, here = io.StringIO(), torch.get_num_threads(), os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))  # a relative --save lands there, not in the repository

    def hung(*_):
        raise TimeoutError(f"main {argv} did not return within 60 s")

    old = signal.signal(signal.SIGALRM, hung)  # main installs signal handlers: it runs on this thread
    signal.alarm(60)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        torch.set_num_threads(threads)  # --threads sets the process's
        os.chdir(here)
    assert code in (0, 2), err.getvalue()
    if code == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), err.getvalue()
