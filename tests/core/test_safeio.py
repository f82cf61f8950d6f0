"""core/safeio.py: special files, size, depth and huge numbers refused before reading; saves that
are atomic and never follow a planted link."""
import json
import os
import stat
import tempfile
import threading

import pytest

from core import safeio
from core.safeio import FileRefused


def _within(seconds, fn, *args):
    """fn(*args) in a thread; fails (instead of hanging the suite) if it does not return in time."""
    out = {}

    def body():
        try:
            out["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn.__name__} hung"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="FIFO"):
        _within(10, safeio.read_text, fifo, "preset")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} absent")
    with pytest.raises(FileRefused, match="device"):
        _within(10, safeio.read_bytes, device, 100, "checkpoint")


def test_a_directory_a_missing_file_and_a_nul_are_refused(tmp_path):
    with pytest.raises(FileRefused, match="directory"):
        safeio.read_text(tmp_path)
    with pytest.raises(FileRefused, match="no such file"):
        safeio.read_text(tmp_path / "none.json")
    with pytest.raises(FileRefused, match="NUL"):
        safeio.read_text(str(tmp_path / "a") + "\0b")


def test_a_file_over_the_limit_is_refused_by_its_length(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(safeio.MAX_JSON_BYTES + 1)  # sparse: no need to write 8 MB
    with pytest.raises(FileRefused, match="too large"):
        safeio.read_text(big)


def test_json_depth_and_huge_integers_are_refused_before_any_value_is_used():
    with pytest.raises(FileRefused, match="nested"):
        safeio.loads_json("[" * 1000 + "]" * 1000, "x")
    with pytest.raises(FileRefused, match="nested"):
        safeio.loads_json('{"a":' * 1000 + "1" + "}" * 1000, "x")
    with pytest.raises(FileRefused, match="digits"):
        safeio.loads_json('{"seed": ' + "9" * 5000 + "}", "x")
    # brackets inside strings do not count, and ordinary JSON passes
    assert safeio.loads_json(json.dumps({"name": "[" * 100, "xs": [1, 2.5, -3]}), "x")["xs"] == [1, 2.5, -3]
    with pytest.raises(FileRefused, match="not valid JSON"):
        safeio.loads_json("{", "x")


@pytest.mark.parametrize("bad, needle", [("", "empty"), ("a\0b", "NUL"), ("/no/such/dir/f.pt", "does not exist")])
def test_save_targets_refused_by_name(bad, needle):
    with pytest.raises(FileRefused, match=needle):
        safeio.check_target(bad, "checkpoint")


def test_save_targets_refused_by_kind(tmp_path):
    with pytest.raises(FileRefused, match="directory"):
        safeio.check_target(tmp_path, "checkpoint")
    if os.path.exists("/dev/null"):
        with pytest.raises(FileRefused, match="device"):
            safeio.check_target("/dev/null", "checkpoint")
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="FIFO"):
        safeio.atomic_write(fifo, lambda f: f.write(b"x"))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_refused_before_writing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(FileRefused, match="permission"):
            safeio.check_target(folder / "m.pt")
    finally:
        folder.chmod(0o700)


def test_atomic_write_replaces_whole_and_keeps_the_mode(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old")
    path.chmod(0o640)
    safeio.write_text(path, "new")
    assert path.read_text() == "new" and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.listdir(tmp_path) == ["s.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old")

    def boom(f):
        f.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        safeio.atomic_write(path, boom, binary=False)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["s.json"]


def test_a_link_planted_at_the_old_fixed_temp_name_is_left_alone(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    path = tmp_path / "m.pt"
    os.symlink(victim, str(path) + ".tmp")
    safeio.write_text(path, "checkpoint")
    assert victim.read_text() == "precious" and path.read_text() == "checkpoint"


def test_a_link_planted_at_the_very_temp_name_is_never_followed(tmp_path, monkeypatch):
    """Even an attacker who guesses the random name gets O_EXCL's refusal: mkstemp moves on."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    names = iter(["guessed", "guessed", "fresh"])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)
    os.symlink(victim, tmp_path / ".m.pt.guessed.part")
    safeio.write_text(tmp_path / "m.pt", "checkpoint")
    assert victim.read_text() == "precious"
    assert (tmp_path / "m.pt").read_text() == "checkpoint"
    assert os.path.islink(tmp_path / ".m.pt.guessed.part")


def test_strict_json_writes_null_for_non_finite():
    text = safeio.dumps_json({"a": [1.0, float("nan"), float("inf")], "b": {"c": -float("inf")}, "d": "x"})
    assert json.loads(text) == {"a": [1.0, None, None], "b": {"c": None}, "d": "x"}
    assert "NaN" not in text and "Infinity" not in text


def test_pathological_json_text_is_answered_not_hung():
    """Texts that make a backtracking scanner quadratic (an escaped quote repeated, brackets in a string)."""
    with pytest.raises(FileRefused, match="not valid JSON"):
        _within(30, safeio.loads_json, '"' + '\\"' * 1_000_000, "x")
    assert _within(30, safeio.loads_json, '"' + "[" * 1_000_000 + '"', "x") == "[" * 1_000_000
    with pytest.raises(FileRefused, match="nested"):
        _within(30, safeio.loads_json, "[" * 3_000_000, "x")
