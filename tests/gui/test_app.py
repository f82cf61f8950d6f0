"""main.py as a user runs it (subprocesses, offscreen), and the preset checks."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gui.validation import PresetError, check, parse_preset

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")


def run_main(*args, timeout=90):
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def test_quit_after_while_training_exits_cleanly(tmp_path):
    stats, shot = tmp_path / "s.json", tmp_path / "w.png"
    r = run_main("--autoplay", "--quit-after", "3", "--stats", str(stats), "--screenshot", str(shot))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    data = json.loads(stats.read_text())
    assert set(data) >= {"frames", "frame_ms_p50", "frame_ms_p99", "frame_ms_max", "iterations", "device",
                         "draws", "draw_ms_p50", "draw_ms_p99", "training_s", "trainer_its_per_s"}
    assert data["iterations"] > 0 and data["frames"] > 0 and data["device"] == "cpu"
    assert data["host"] == "ProcessHost" and 0 < data["draws"] <= data["snapshots_taken"]
    assert data["training_s"] > 0 and data["trainer_its_per_s"] == pytest.approx(
        data["iterations"] / data["training_s"], rel=0.01)
    assert data["first_frame_s"] > 0  # reported, not judged: the machine is shared
    assert 0 < data["first_frame_cpu_s"]
    assert shot.stat().st_size > 10_000


# main.py run as a user runs it, recording which modules its (the window's) process loaded by the time
# it quits, after its first drawn snapshot (--stats says when)
IMPORT_PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: print("PROBE", json.dumps({"modules": sorted(sys.modules)})))
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""
# what only recording, exporting, testing or compiling needs: none of it belongs to opening the window
# (PySide6.QtSvg is not among them: pyqtgraph imports it itself)
OPTIONAL = ("av", "PIL", "hypothesis", "pyqtgraph.exporters", "sympy")


def test_opening_the_window_imports_no_torch_and_no_optional_module(tmp_path):
    stats = tmp_path / "s.json"
    r = subprocess.run([sys.executable, "-c", IMPORT_PROBE, "--autoplay", "--quit-after", "2", "--stats", str(stats)],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    data = json.loads(stats.read_text())
    assert data["first_frame_s"] is not None and data["iterations"] > 0
    modules = json.loads(r.stdout.split("PROBE ", 1)[1])["modules"]
    # the trainer's process imports torch; the window's only draws numpy arrays (~1.5 s of CPU saved)
    assert [m for m in modules if m.split(".")[0] == "torch"] == []
    assert [m for m in modules if m.split(".")[0] in OPTIONAL or m.startswith(OPTIONAL)] == []


def children_cpu_s(pid: int) -> float:
    """CPU seconds used so far by the direct children of `pid` (the trainer's process among them)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:  # ppid; utime and stime follow at fields 11 and 12
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def test_ctrl_c_in_the_terminal_closes_cleanly(tmp_path):
    stats = tmp_path / "s.json"
    p = subprocess.Popen([sys.executable, "main.py", "--autoplay", "--stats", str(stats)], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        # Ctrl+C while starting is a quiet exit 130 by design; this test is about Ctrl+C while training. The
        # trainer's process trains only once the window has sent it the controls, so wait for its CPU time
        # (torch's import is ~1.5-3 s of it) rather than the wall clock, which a loaded machine stretches.
        while children_cpu_s(p.pid) < 5.0 and p.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        while p.poll() is None and time.time() < deadline:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert err == ""
    assert json.loads(stats.read_text())["iterations"] > 0


def test_a_bad_preset_is_refused_with_a_clear_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"inner_lr": -0.5}))
    r = run_main("--preset", str(bad), "--quit-after", "1")
    assert r.returncode == 2
    assert "inner lr α must be between" in r.stderr and str(bad) in r.stderr


def test_a_good_preset_is_applied(tmp_path):
    good = tmp_path / "article.json"
    good.write_text(json.dumps({"family": "sine-ab", "model": "two-param", "inner_lr": 0.01, "outer_lr": 0.01,
                                "meta_batch": 10, "task": {"a": 1.5, "b": 0.5}}))
    stats = tmp_path / "s.json"
    r = run_main("--preset", str(good), "--autoplay", "--quit-after", "2", "--stats", str(stats))
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(stats.read_text())["iterations"] > 0


@pytest.mark.parametrize("text, fragment", [
    ("[1, 2]", "must be a JSON object"),
    ("{not json", "not valid JSON"),
    ('{"alpha": 0.1}', "unknown setting 'alpha'"),
    ('{"inner_lr": "fast"}', "must be a number"),
    ('{"inner_lr": 1e9}', "between"),
    ('{"shots": 2.5}', "whole number"),
    ('{"shots": 0}', "between 1 and"),
    ('{"algorithm": "sgd"}', "must be one of"),
    ('{"playing": "yes"}', "true or false"),
    ('{"hidden": [40, -1]}', "layer sizes"),
    ('{"task": {"a": 9, "b": 0}}', "task a must be"),
    ('{"task": [1, 2]}', "task must be"),
    ('{"algorithm": "anil", "model": "two-param"}', "ANIL"),
])
def test_preset_errors_name_the_field(text, fragment):
    with pytest.raises(PresetError, match=None) as e:
        parse_preset(text, "p.json")
    assert fragment in str(e.value) and str(e.value).startswith("p.json: ")


def test_preset_values_and_checks():
    c = parse_preset('{"inner_lr": 1, "family": "linear", "task": {"a": 1, "b": 2}, "hidden": [20]}')
    assert c == {"inner_lr": 1.0, "family": "linear", "task": (1.0, 2.0), "hidden": (20,)}
    assert check("inner_lr", float("nan")) and check("outer_lr", -1e-3) and check("meta_batch", True)
    assert check("inner_lr", 0.01) is None and check("display_steps", 50) is None
