"""The window's training rate against the headless engine, in one run, plus what the viewer gets.

    python benchmarks/live_vs_headless.py [--window-s 30] [--headless-s 20] [--json OUT] [--text OUT]
    python benchmarks/live_vs_headless.py --snapshot-cpu 15   (the trainer's CPU per snapshot, alone)

1. `main.py train --seconds 20 --device cpu`: the engine alone (its own it/s line), before and
   after the window (the ratio is to their mean).
2. `main.py --autoplay --quit-after 30 --stats`: the window (Xvfb if DISPLAY is set, else
   offscreen), its trainer in a child process; rate = iterations / seconds the trainer played.
3. Drag latency: the real window, training; a support point dragged with scripted mouse
   events, one move every 30-90 ms; latency = from the move event to the end of the repaint
   that shows a snapshot computed for that move's task.
Default settings throughout. Prints the figures; never asserts on them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def headless(seconds: float) -> dict:
    out = subprocess.run([sys.executable, "main.py", "train", "--seconds", str(seconds), "--device", "cpu", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    m = re.search(r"trained (\d+) meta-iterations in ([\d.]+) s \((\d+) it/s\)", out)
    its, secs = int(m.group(1)), float(m.group(2))
    return {"iterations": its, "seconds": secs, "its_per_s": its / secs}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere or once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def window(seconds: float) -> dict:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "s.json"
        cmd = [sys.executable, "main.py", "--autoplay", "--quit-after", str(seconds), "--stats", str(stats)]
        with subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as proc:
            # CPU per second of the window's process and of each child (the trainer's) while training:
            # from 8 s in (start-up over) to 4 s before the end
            time.sleep(min(8.0, seconds / 3))
            kids, t0 = children(proc.pid), time.perf_counter()
            start = [cpu_seconds(p) for p in (proc.pid, *kids)]
            time.sleep(max(seconds - 4.0 - min(8.0, seconds / 3), 1.0))
            end = [cpu_seconds(p) for p in (proc.pid, *kids)]
            span = time.perf_counter() - t0
            out, err = proc.communicate()
        r = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
        if r.returncode != 0 or r.stderr:
            print(r.stderr, file=sys.stderr)
        data = json.loads(stats.read_text())
    used = [None if a is None or b is None else (b - a) / span for a, b in zip(start, end)]
    data["window_cpu_per_s"] = used[0]
    data["trainer_cpu_per_s"] = max((u for u in used[1:] if u is not None), default=None)
    shown = data.get("first_frame_s") or 0.0
    data["draws_per_s"] = data["draws"] / max(seconds - shown, 1e-9)
    data["exit_code"], data["stderr"] = r.returncode, r.stderr
    data["platform"] = "xvfb" if env.get("DISPLAY") and "QT_QPA_PLATFORM" not in env else "offscreen"
    return data


def drag_latency(moves: int = 120) -> dict:
    """In this process: the real window and its trainer process, driven from the app's own event
    loop (timers, as a user's events arrive; no qWait); returns latency percentiles (ms)."""
    import numpy as np
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gui.app import create_window, initial_controls, parse_args
    from gui.task_editor import TaskEditor

    app = QApplication.instance() or QApplication(sys.argv[:1])
    controls, _, _ = initial_controls(parse_args(["--autoplay"]))
    w = create_window(controls)
    drawn: list[tuple[object, float]] = []
    w.snapshotDrawn.connect(lambda snap, t: drawn.append((snap.task, t)))
    panel = w.panels["meta"]
    vp = panel.plot.viewport()
    pix = lambda x, y: TaskEditor.to_pixel(panel, x, y).toPoint()  # noqa: E731
    rng = random.Random(0)
    pending: list[tuple[float, object]] = []  # (event time, task it produced)
    state = {"k": 0, "start": None, "deadline": time.monotonic() + 60}

    def begin():
        if (w.snapshot is None or w.snapshot.iteration < 200) and time.monotonic() < state["deadline"]:
            QTimer.singleShot(50, begin)  # training first
            return
        task = w.shared.get().task
        state["start"] = (task.xs[0], task.ys[0])
        QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, pix(*state["start"]))
        QTimer.singleShot(50, move)

    def move():
        k, (x0, y0) = state["k"], state["start"]
        if k == moves:
            QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, pix(x0, y0))
            QTimer.singleShot(500, app.quit)
            return
        t_event = time.perf_counter()
        QTest.mouseMove(vp, pix(x0 + 1.5 * np.sin(k / 9), y0 + 1.5 * np.cos(k / 7)))
        task = w.editor.task()  # what this move makes (written now, or by the throttle's trailing edge)
        if not pending or pending[-1][1] != task:
            pending.append((t_event, task))
        state["k"] = k + 1
        QTimer.singleShot(rng.randint(30, 90), move)

    QTimer.singleShot(0, begin)
    app.exec()
    training = w.snapshot.state == "training"
    w.close()
    # a move counts when its task is painted before any later move's task is; if a later one came
    # first, this move's picture was never shown (superseded), and is counted apart
    latencies, superseded = [], 0
    for i, (t_event, t) in enumerate(pending):
        later = {task for _, task in pending[i + 1:]} - {t}
        shown = None
        for task_drawn, t_end in drawn:
            if t_end < t_event:
                continue
            if task_drawn == t:
                shown = t_end
                break
            if task_drawn in later:
                break
        if shown is None:
            superseded += 1
        else:
            latencies.append((shown - t_event) * 1000)
    ms = np.array(latencies)
    return {"moves": len(pending), "measured": len(latencies), "superseded": superseded, "training": training,
            "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "max_ms": round(float(ms.max()), 1)}


def snapshot_cpu(seconds: float) -> dict:
    """In this process: the trainer in a thread (default settings, playing), a reader taking a
    snapshot every 1/60 s; the trainer thread's CPU time (not wall time: robust to a busy machine)
    per snapshot built and per meta-iteration."""
    import threading

    import torch

    from core.controls import Controls, Mailbox, SharedControls
    from core.publisher import Publisher
    from core.runner import StepRunner
    from core.trainer import Trainer

    torch.set_num_threads(1)
    spent = {"build": 0.0, "builds": 0, "steps": 0.0}

    def timed(cls, name, key):
        inner = getattr(cls, name)

        def run(*args, **kwargs):
            t = time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[key] += time.thread_time() - t
                spent["builds"] += key == "build"
        setattr(cls, name, run)

    timed(Publisher, "build", "build")
    timed(StepRunner, "run", "steps")
    shared, mailbox = SharedControls(Controls(playing=True)), Mailbox()
    trainer, stop = Trainer(shared, mailbox), threading.Event()

    def read():
        while not stop.wait(1 / 60):
            mailbox.take()

    threading.Thread(target=read, daemon=True).start()
    threading.Timer(seconds, stop.set).start()
    t0 = time.thread_time()
    trainer.run(stop)
    total = time.thread_time() - t0
    return {"iterations": trainer.iteration, "snapshots": spent["builds"], "cpu_s": total,
            "build_ms": 1000 * spent["build"] / max(spent["builds"], 1),
            "step_ms": 1000 * spent["steps"] / max(trainer.iteration, 1),
            "build_share": spent["build"] / total, "steps_share": spent["steps"] / total}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--window-s", type=float, default=30.0)
    ap.add_argument("--headless-s", type=float, default=20.0)
    ap.add_argument("--json")
    ap.add_argument("--text")
    ap.add_argument("--drag-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--snapshot-cpu", type=float, metavar="S",
                    help="only: the trainer in a thread for S seconds, its CPU per snapshot and per iteration")
    args = ap.parse_args()
    if args.snapshot_cpu:
        r = snapshot_cpu(args.snapshot_cpu)
        print(f"snapshot cpu  trainer thread {r['cpu_s']:.1f} CPU s: {r['iterations']} it at {r['step_ms']:.2f} ms, "
              f"{r['snapshots']} snapshots at {r['build_ms']:.2f} ms (steps {100 * r['steps_share']:.0f}%, snapshots "
              f"{100 * r['build_share']:.0f}% of its CPU)")
        return 0
    if args.drag_only:
        print(json.dumps(drag_latency()))
        return 0
    lines = [f"live_vs_headless: {platform.node()}, {os.cpu_count()} cores, default settings, "
             f"{time.strftime('%Y-%m-%d %H:%M')}"]

    def say(text):
        print(text, flush=True)
        lines.append(text)

    # the engine alone before and after the window: this shared machine's speed drifts, so the
    # window is compared with the mean of both, and both are printed
    before = headless(args.headless_s)
    say(f"headless  main.py train --seconds {args.headless_s:g} (before): {before['iterations']} it in "
        f"{before['seconds']:.1f} s = {before['its_per_s']:.0f} it/s")
    win = window(args.window_s)
    after = headless(args.headless_s)
    say(f"headless  main.py train --seconds {args.headless_s:g} (after):  {after['iterations']} it in "
        f"{after['seconds']:.1f} s = {after['its_per_s']:.0f} it/s")
    head = {"before": before, "after": after, "its_per_s": (before["its_per_s"] + after["its_per_s"]) / 2}
    say(f"window    main.py --autoplay --quit-after {args.window_s:g} ({win['platform']}, trainer in a "
        f"{win['host']}): {win['iterations']} it in {win['training_s']:.1f} s playing = "
        f"{win['trainer_its_per_s']:.0f} it/s; exit {win['exit_code']}, "
        f"stderr {'empty' if not win['stderr'] else 'NOT empty'}")
    t = win["trainer_timing_s"]
    say(f"          trainer time: steps {t['steps']:.1f} s, snapshots {t['publish']:.2f} s "
        f"(of which held-out evaluation {t['eval']:.2f} s), pretrained baseline {t['pretrain']:.2f} s")
    ratio = win["trainer_its_per_s"] / head["its_per_s"]
    rate = win["trainer_its_per_s"]
    say(f"ratio     window / headless = {ratio:.2f} (against before alone {rate / before['its_per_s']:.2f}, "
        f"after alone {rate / after['its_per_s']:.2f})")
    say(f"draws     {win['draws']} repaints with a new snapshot = {win['draws_per_s']:.1f}/s "
        f"(timer ticks {win['frames']}); repaint p50 {win['draw_ms_p50']} ms, p99 {win['draw_ms_p99']} ms; "
        f"tick interval p50 {win['frame_ms_p50']} ms, p99 {win['frame_ms_p99']} ms")
    if win["window_cpu_per_s"] is not None:
        per_draw = 1000 * win["window_cpu_per_s"] / max(win["draws_per_s"], 1e-9)
        say(f"cpu       window process {win['window_cpu_per_s']:.2f} s/s ({per_draw:.1f} ms a drawn frame), "
            f"trainer process {win['trainer_cpu_per_s']:.2f} s/s (from /proc, 8 s in to 4 s "
            f"before the end)")
    say(f"start-up  window painted {win['window_shown_s']} s, first snapshot drawn {win['first_frame_s']} s")
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    r = subprocess.run([sys.executable, __file__, "--drag-only"], cwd=ROOT, env=env, capture_output=True, text=True)
    drag = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else {"error": r.stderr[-2000:]}
    if "error" in drag:
        say(f"drag      failed: {drag['error']}")
    else:
        say(f"drag      {drag['measured']} of {drag['moves']} moves drawn, {drag['superseded']} superseded by a later "
            f"move (training: {drag['training']}): "
            f"latency p50 {drag['p50_ms']} ms, p95 {drag['p95_ms']} ms, max {drag['max_ms']} ms "
            f"(move event -> end of the repaint showing it)")
    if args.json:
        Path(args.json).write_text(json.dumps({"headless": head, "window": win, "ratio": ratio, "drag": drag},
                                              indent=1) + "\n")
    if args.text:
        Path(args.text).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
