"""The headless CLI: train, evaluate, bench; clear one-line errors, never a traceback."""
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_train_then_evaluate_writes_the_documented_json(tmp_path, capsys):
    ckpt = tmp_path / "m.pt"
    code, out, _ = run(["train", "--iterations", "200", "--device", "cpu", "--save", str(ckpt), "--quiet"], capsys)
    assert code == 0 and ckpt.exists() and "trained 200 meta-iterations" in out
    data = torch.load(ckpt, weights_only=True)
    assert data["config"]["iterations"] == 200 and data["config"]["algorithm"] == "maml"
    report = tmp_path / "e.json"
    code, out, _ = run(["evaluate", str(ckpt), "--tasks", "50", "--steps", "3", "--json", str(report)], capsys)
    assert code == 0
    r = json.loads(report.read_text())
    assert r["steps"] == [0, 1, 2, 3]
    assert set(r["results"]) == {"checkpoint", "random", "pretrained"}
    for method in r["results"].values():
        assert set(method) == {"mean", "ci95", "median", "diverged"}
        assert len(method["mean"]) == 4 and all(math.isfinite(v) for v in method["mean"])
    assert r["config"]["tasks"] == 50 and r["config"]["shots"] == 10
    assert "step" in out and "checkpoint" in out  # the printed table


@pytest.mark.parametrize("algorithm,task,model", [("metasgd", "sinusoid", "mlp"), ("reptile", "linear", "two-param"),
                                                  ("alpha", "sine-ab", "two-param"), ("anil", "sinusoid", "mlp"),
                                                  ("imaml", "linear", "two-param"), ("fomaml", "sine-ab", "mlp")])
def test_every_algorithm_trains_saves_and_evaluates(tmp_path, capsys, algorithm, task, model):
    ckpt = tmp_path / "m.pt"
    code, _, err = run(["train", "--algorithm", algorithm, "--task", task, "--model", model, "--iterations", "30",
                        "--save", str(ckpt), "--quiet"], capsys)
    assert code == 0, err
    code, out, err = run(["evaluate", str(ckpt), "--tasks", "20", "--steps", "1"], capsys)
    assert code == 0, err
    assert f"{algorithm} / {task} / {model}" in out


@pytest.mark.parametrize("argv,needle", [
    (["train", "--inner-lr", "nan"], "finite"),
    (["train", "--inner-lr", "-0.1"], "non-negative"),
    (["train", "--outer-lr", "0"], "positive"),
    (["train", "--shots", "0"], "positive"),
    (["train", "--meta-batch", "10000000"], "too large"),
    (["train", "--outer-lr", "1e30"], "too large"),
    (["train", "--meta-batch", "abc"], "valid int"),
    (["train", "--task", "cosine"], "invalid choice"),
    (["train", "--algorithm", "anil", "--model", "two-param", "--iterations", "1"], "MLP"),
    (["train", "--iterations", "5", "--seconds", "1"], "not allowed"),
    (["evaluate", "/nonexistent/m.pt"], "no such file"),
    (["frobnicate"], "invalid choice"),
    # issue 13: every run option has the settings table's limits
    (["train", "--threads", "100000"], "threads must be between 1"),
    (["train", "--threads", "99999999999999999999"], "too large"),
    (["train", "--threads", "0"], "threads must be between 1"),
    (["train", "--seed", "99999999999999999999"], "seed must be between 0 and 2147483647"),
    (["train", "--iterations", "-1"], "iterations must be between 0"),
    (["train", "--seconds", "nan"], "finite"),
    (["evaluate", "x.pt", "--tasks", "100000000"], "tasks must be between 1"),
    (["evaluate", "x.pt", "--steps", "100000"], "steps must be between 0"),
    (["bench", "--seconds", "1e9"], "too large"),
    (["train", "--save", "", "--iterations", "1"], "file name is empty"),
    (["train", "--save", "/nonexistent-dir/m.pt", "--iterations", "1"], "does not exist"),
    (["train", "--save", "/", "--iterations", "1"], "directory"),
    (["train", "--save", "/dev/null", "--iterations", "1"], "device"),
    (["evaluate", "x.pt", "--json", "/nonexistent-dir/e.json"], "does not exist"),
])
def test_bad_input_is_one_clear_line_and_exit_2(capsys, argv, needle):
    code, _, err = run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], err
    assert "Traceback" not in err


def test_corrupt_checkpoint_is_refused_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x04not a checkpoint at all")
    code, _, err = run(["evaluate", str(bad)], capsys)
    assert code == 2 and "not a readable checkpoint" in err and len(err.strip().splitlines()) == 1


def test_divergence_keeps_last_finite_parameters_and_exits_3(tmp_path, capsys):
    ckpt = tmp_path / "d.pt"
    # beyond the inner lr's limit since the one settings table; the outer lr at its limit diverges as surely
    code, _, err = run(["train", "--outer-lr", "1", "--iterations", "200", "--save", str(ckpt), "--quiet"], capsys)
    assert code == 3 and "diverged at iteration" in err
    data = torch.load(ckpt, weights_only=True)
    assert all(torch.isfinite(v).all() for v in data["state_dict"].values())


def test_bench_prints_ratios_to_the_plain_loop(tmp_path, capsys):
    out_json = tmp_path / "b.json"
    code, out, _ = run(["bench", "--seconds", "0.05", "--device", "cpu", "--no-compile", "--json", str(out_json)],
                       capsys)
    assert code == 0 and "plain loop" in out and "x loop" in out
    rows = json.loads(out_json.read_text())["rows"]
    assert rows[0]["ratio"] == pytest.approx(1.0)
    assert {r["name"].split(" (")[0] for r in rows} >= {"MAML", "FOMAML", "Reptile", "Meta-SGD"}


def test_ctrl_c_keeps_and_saves_what_it_has(tmp_path):
    ckpt = tmp_path / "i.pt"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", "--seconds", "120", "--save", str(ckpt)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert p.stdout.readline().startswith("iter")  # training is under way
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "interrupted" in err and "Traceback" not in err
    data = torch.load(ckpt, weights_only=True)
    assert data["config"]["iterations"] > 0


def test_headless_commands_import_no_qt():
    code = ("import sys; sys.argv=['main.py','train','--iterations','2','--quiet']; import runpy; "
            "runpy.run_path('main.py', run_name='not_main'); from core.cli import main; main(sys.argv[1:]); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'superqt'))]")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_an_unwritable_save_is_refused_before_training(tmp_path, capsys):
    """Issue 13: the whole run was lost to a traceback after it; now nothing is trained."""
    code, out, err = run(["train", "--iterations", "100000", "--save", str(tmp_path / "no" / "m.pt")], capsys)
    assert code == 2 and "does not exist" in err and "trained" not in out


def test_sigterm_saves_like_sigint(tmp_path):
    ckpt = tmp_path / "t.pt"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", "--seconds", "120", "--save", str(ckpt)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert p.stdout.readline().startswith("iter")
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "interrupted" in err and "Traceback" not in err
    assert torch.load(ckpt, weights_only=True)["config"]["iterations"] > 0


def test_a_second_ctrl_c_during_the_save_waits_for_it(tmp_path, capsys, monkeypatch):
    """The signal arrives while the checkpoint is being written: no traceback, the file is whole."""
    from core import checkpoint

    real = checkpoint.save

    def slow_save(*a, **kw):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        real(*a, **kw)

    monkeypatch.setattr(checkpoint, "save", slow_save)
    code, out, err = run(["train", "--iterations", "3", "--quiet", "--save", str(tmp_path / "m.pt")], capsys)
    assert code == 0 and "please wait" in err and "saved" in out
    assert torch.load(tmp_path / "m.pt", weights_only=True)["config"]["iterations"] == 3
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers given back


def test_evaluate_json_is_strict_json_with_null_for_non_finite(tmp_path, capsys, monkeypatch):
    from core import cli

    assert run(["train", "--iterations", "2", "--quiet", "--save", str(tmp_path / "m.pt")], capsys)[0] == 0
    real = cli.evaluate

    def with_nan(*a, **kw):
        r = real(*a, **kw)
        r.mean[1] = float("nan")
        return r

    monkeypatch.setattr(cli, "evaluate", with_nan)
    out = tmp_path / "e.json"
    code, _, err = run(["evaluate", str(tmp_path / "m.pt"), "--tasks", "3", "--steps", "2", "--json", str(out)],
                       capsys)
    assert code == 0, err
    text = out.read_text()
    assert "NaN" not in text
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert data["results"]["checkpoint"]["mean"][1] is None
