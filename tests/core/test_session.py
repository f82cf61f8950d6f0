"""Session files: a round trip keeps every control and the task; bad files are refused whole."""
import json
from dataclasses import replace

import pytest

from core import session
from core.controls import Controls, DisplayTask
from gui.validation import parse_preset


def user_controls():
    task = DisplayTask("sinusoid", None, None, (-3.0, 0.5, 2.25), (1.0, -2.0, 0.125),
                       (-4.0, -1.0, 0.0, 3.5), (0.5, 1.5, -1.0, 2.0))
    return replace(Controls(), algorithm="metasgd", compare="maml", seed=42, inner_lr=0.02, outer_lr=3e-4,
                   shots=3, meta_batch=7, display_steps=20, display_lr=0.05, hidden=(20, 30), playing=True,
                   outer_optimizer="sgd", device="cpu", lam=3.0, hyper_lr=1e-3, task=task)


@pytest.mark.parametrize("check", [None, parse_preset])
def test_round_trip_is_exact(tmp_path, check):
    c = user_controls()
    path = tmp_path / "s.maml.json"
    session.write(path, c)
    back, checkpoint = session.read(path, check)
    assert back == c and checkpoint is None
    family = replace(Controls(), family="linear", task=DisplayTask("linear", 1.25, 0.5, (1.0,), (1.75,)))
    assert session.loads(session.dumps(family, "m.pt"), check_settings=check) == (family, "m.pt")
    assert json.loads(session.dumps(c))["format"] == "maml-playground-session/1"
    edited = replace(c, task=replace(c.task, origin=(2.5, 1.0)))  # an edited family task keeps its origin
    assert session.loads(session.dumps(edited), check_settings=check) == (edited, None)
    old = json.loads(session.dumps(c))
    del old["task"]["origin"]  # a file written before tasks had an origin still opens
    assert session.loads(json.dumps(old), check_settings=check) == (c, None)


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.update(format="maml-playground/1"), "not a MAML Playground session"),
    (lambda d: d["controls"].update(inner_lr=-1), "inner lr α must be between"),
    (lambda d: d["controls"].update(bogus=1), "unknown setting"),
    (lambda d: d["task"].update(xs=[1, 2]), "differ in length"),
    (lambda d: d["task"].update(ys=["a", 1, 2]), "finite numbers"),
    (lambda d: d["task"].update(family="linear"), "differs from the controls"),
    (lambda d: d["task"].update(a=1.0), "both be numbers or both be null"),
    (lambda d: d["task"].update(target_x=[3, 2, 1, 0]), "increasing"),
    (lambda d: d["task"].update(target_y=None), "both be lists"),
    (lambda d: d["task"].update(origin=[1.0]), "task origin"),
    (lambda d: d["task"].update(origin=[1.0, "b"]), "finite numbers"),
    (lambda d: d["task"].update(origin=[1.0, 2.0], target_x=None, target_y=None), "task origin"),
    (lambda d: d.update(task=[1, 2]), "task must be an object"),
    (lambda d: d.update(extra=1), "unknown entries"),
])
def test_corrupt_sessions_are_refused_with_a_reason(mutate, fragment):
    data = json.loads(session.dumps(user_controls()))
    mutate(data)
    with pytest.raises(session.SessionError) as e:
        session.loads(json.dumps(data), "s.json", parse_preset)
    assert fragment in str(e.value) and str(e.value).startswith("s.json")


def test_unreadable_files(tmp_path):
    with pytest.raises(session.SessionError, match="not valid JSON"):
        session.loads("{nope", "x")
    with pytest.raises(session.SessionError, match="no such file"):
        session.read(tmp_path / "missing.json")
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(session.SessionError):
        session.read(tmp_path / "bin")


# ---- issue 13: what the editor makes opens again; hostile files are refused before reading ----
def test_a_session_with_as_many_points_as_the_editor_allows_round_trips(tmp_path):
    from core.settings import MAX_POINTS

    xs = tuple(-5 + 10 * i / MAX_POINTS for i in range(MAX_POINTS))
    c = replace(Controls(), task=DisplayTask("sinusoid", None, None, xs, tuple(0.5 for _ in xs)))
    session.write(tmp_path / "many.maml.json", c)
    back, _ = session.read(tmp_path / "many.maml.json")
    assert back.task.xs == xs
    one_more = json.loads(session.dumps(c))
    one_more["task"]["xs"].append(0.0)
    one_more["task"]["ys"].append(0.0)
    with pytest.raises(session.SessionError, match=f"at most {MAX_POINTS}"):
        session.loads(json.dumps(one_more), "s.json")


@pytest.mark.parametrize("text, needle", [
    ('{"format": "maml-playground-session/1", "controls": ' + "[" * 1000 + "]" * 1000 + "}", "nested"),
    ('{"format": "maml-playground-session/1", "controls": {"seed": ' + "9" * 5000 + "}}", "digits"),
])
def test_deep_nesting_and_huge_numbers_are_one_line_refusals(text, needle):
    with pytest.raises(session.SessionError, match=needle):
        session.loads(text, "s.json")


def test_a_nul_a_fifo_and_a_device_are_refused_before_reading(tmp_path):
    import os

    with pytest.raises(session.SessionError, match="NUL"):
        session.read(str(tmp_path / "a") + "\0.json")
    fifo = tmp_path / "f.maml.json"
    os.mkfifo(fifo)
    with pytest.raises(session.SessionError, match="FIFO"):
        session.read(fifo)
    if os.path.exists("/dev/zero"):
        with pytest.raises(session.SessionError, match="device"):
            session.read("/dev/zero")


def test_a_session_is_not_written_over_a_folder_or_device(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        session.write(tmp_path, Controls())
