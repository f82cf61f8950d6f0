"""Property tests for the JSON loaders (sessions, presets) and the control checks: anything a
file or a field can hold is either applied exactly or refused with a message."""
import json
import math
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import session
from core.controls import Controls, DisplayTask
from gui import validation

PROPS = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                      st.text(max_size=12))
json_value = st.recursive(json_leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                            st.dictionaries(st.text(max_size=12), kids, max_size=5)),
                          max_leaves=25)
setting_names = st.sampled_from(sorted(f for f in validation.FLOAT_LIMITS) + ["shots", "meta_batch", "algorithm",
                                                                              "family", "model", "seed", "compare"])


@PROPS
@given(st.dictionaries(setting_names, json_value, max_size=6))
def test_random_presets_apply_or_raise_a_preset_error(data):
    try:
        changes = validation.parse_preset(json.dumps(data))
    except validation.PresetError as e:
        assert str(e)
        return
    c = replace(Controls(), **{k: v for k, v in changes.items() if k in Controls.__dataclass_fields__})
    for name in validation.FLOAT_LIMITS:  # whatever got through is within limits
        v = getattr(c, name)
        assert v is None or validation.check(name, v) is None


@PROPS
@given(json_value)
def test_random_session_files_load_or_raise_a_session_error(data):
    text = json.dumps({"format": session.FORMAT, "controls": data, "task": None}) if isinstance(data, dict) else \
        json.dumps(data)
    try:
        c, _ = session.loads(text, check_settings=validation.parse_preset)
    except session.SessionError as e:
        assert str(e)
        return
    assert isinstance(c, Controls)


@PROPS
@given(st.binary(max_size=300))
def test_random_bytes_are_not_a_session(blob):
    try:
        session.loads(blob.decode("utf-8", errors="replace"))
    except session.SessionError:
        return
    raise AssertionError("random bytes loaded as a session")


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@PROPS
@given(xs=st.lists(finite, max_size=30), alpha=st.floats(1e-4, 1.0), k=st.integers(1, 50),
       target=st.one_of(st.none(), st.lists(finite, min_size=2, max_size=40)))
def test_sessions_round_trip_exactly(tmp_path_factory, xs, alpha, k, target):
    ys = [x * 0.5 - 1 for x in xs]
    tx = None if target is None else tuple(sorted(set(target)))
    ty = None if tx is None else tuple(math.sin(v) for v in tx)
    if tx is not None and len(tx) < 2:
        tx = ty = None
    task = DisplayTask("sinusoid", None, None, tuple(xs), tuple(ys), tx, ty)
    c = replace(Controls(), inner_lr=alpha, shots=k, task=task)
    path = tmp_path_factory.mktemp("s") / "x.maml.json"
    session.write(path, c)
    back, _ = session.read(path, check_settings=validation.parse_preset)
    assert back == c


# ---- issue 13: random files and flag values at the window's start-up path ---------------------------
raw_json = st.one_of(
    json_value.map(json.dumps),
    st.integers(1, 2000).map(lambda n: "[" * n + "]" * n),
    st.integers(30, 6000).map(lambda n: '{"seed": ' + "9" * n + "}"),
    st.text(max_size=40))


@PROPS
@given(raw_json)
def test_random_preset_files_apply_or_give_a_preset_error(tmp_path_factory, text):
    from gui.presets import read_preset

    path = tmp_path_factory.mktemp("p") / "p.json"
    path.write_text(text, encoding="utf-8")
    try:
        c, checkpoint, description = read_preset(path)
    except validation.PresetError as e:
        assert str(e) and "\n" not in str(e).strip()
        return
    assert isinstance(c, Controls) and isinstance(description, str)


@PROPS
@given(raw_json)
def test_random_session_text_loads_or_gives_a_session_error(text):
    try:
        session.loads(text, "s.json", validation.parse_preset)
    except session.SessionError as e:
        assert str(e).startswith("s.json")


@PROPS
@given(flag=st.sampled_from(["--quit-after", "--stats", "--screenshot", "--preset"]),
       value=st.one_of(st.text(max_size=10), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                       st.sampled_from(["", "0", "-1", "3000000", "1e400", "9" * 5000, "/", "/dev/null",
                                        "/nonexistent/x"])))
def test_random_values_at_every_window_flag_parse_or_give_one_line(flag, value):
    from gui.app import StartError, check_limits, parse_args

    try:
        check_limits(parse_args([flag, value]))
    except StartError as e:
        assert str(e).startswith("main.py") and "\n" not in str(e)
