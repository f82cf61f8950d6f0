"""Start-up: flags, the QApplication, the window, and a clean exit (thread joined, code 0).

    python main.py [--autoplay] [--quit-after S] [--screenshot PNG] [--stats JSON] [--preset FILE]
                   [--presenter] [--explain] [--theme dark|light]
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import signal
import sys
import time
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="main.py", description="MAML Playground: watch meta-learning work, live.")
    p.add_argument("--autoplay", action="store_true", help="start meta-training at once")
    p.add_argument("--quit-after", type=float, metavar="SECONDS", help="close the window after this many seconds")
    p.add_argument("--screenshot", metavar="PNG", help="save a picture of the window just before quitting")
    p.add_argument("--stats", metavar="JSON", help="write frame timings and iterations here at exit")
    p.add_argument("--preset", metavar="FILE", help="a JSON object of settings (Controls fields) to start from")
    p.add_argument("--presenter", action="store_true", help="start in presenter mode (full screen, large text)")
    p.add_argument("--explain", action="store_true", help="start with the explanations shown")
    p.add_argument("--theme", choices=("dark", "light"), default="dark", help="start in this theme")
    args = p.parse_args(argv)
    if args.quit_after is not None and not (math.isfinite(args.quit_after) and args.quit_after > 0):
        p.error("--quit-after must be a positive number of seconds")
    return args


def initial_controls(args):
    """Defaults, overridden by the preset; a bad preset stops here with a clear message.
    Returns (controls, checkpoint to load at start or None)."""
    from dataclasses import replace

    import numpy as np

    from core.controls import Controls
    from core.display import new_display_task
    from gui.presets import read_preset

    if args.preset:
        c, checkpoint, _ = read_preset(args.preset, playing=args.autoplay)
        return c, checkpoint
    c = Controls()
    task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))  # a fresh task
    return replace(c, task=task, playing=bool(args.autoplay)), None


def create_window(controls, host=None):
    """Style the running QApplication, then show and start the window (also used by the tests).
    host: where the trainer runs; by default a new child process (`core.host.ProcessHost`).
    A host started earlier (`ProcessHost.spawn()`) is handed the controls here."""
    from PySide6.QtWidgets import QApplication

    from core.host import ProcessHost
    from gui import style
    from gui.main_window import MainWindow

    if host is None:
        host = ProcessHost(controls)
    else:
        host.begin(controls)
    app = QApplication.instance()
    app.setApplicationName("MAML Playground")
    style.apply(app)
    window = MainWindow(host)
    # Everything built so far (Qt wrappers, torch, numpy) lives as long as the window: keep it out of
    # the collector's full passes, which otherwise walk it all and stall a frame now and then.
    gc.freeze()
    sys.setswitchinterval(0.001)  # the pipe's reader thread gets the lock between two paints, not 5 ms later
    window.resize(window.first_size())
    window.move(0, 0)
    window.show()
    window.start()
    return window


def since_process_start() -> float:
    """Seconds since this process started (Linux's /proc; 0 elsewhere), so the first-frame time
    includes the interpreter's start and the imports before main()."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def main(argv: list[str]) -> int:
    started = time.perf_counter() - since_process_start()
    args = parse_args(argv)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))  # Ctrl+C while starting: quiet exit
    from core.host import ProcessHost

    # The trainer's process first: it imports torch on the other core while this one builds the window.
    host = ProcessHost.spawn()
    import torch

    torch.set_num_threads(1)  # the GUI's own torch work (loading files, task curves) is tiny
    from gui.validation import PresetError

    try:
        controls, checkpoint = initial_controls(args)
    except PresetError as e:
        print(f"main.py: bad preset: {e}", file=sys.stderr)
        host.stop()
        return 2

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = create_window(controls, host)
    window.started_at = started
    window.demo.start_as(presenter=args.presenter, explain=args.explain, light=args.theme == "light")
    if checkpoint:
        window.demo.load_checkpoint_from(checkpoint)
    app.aboutToQuit.connect(window.shutdown)

    # Ctrl+C in the terminal closes the window like Ctrl+Q; the idle timer lets Python run the handler.
    signal.signal(signal.SIGINT, lambda *_: (setattr(window, "ask_before_close", False), window.close()))
    window.ask_before_close = not args.quit_after  # a person at the window: ask before losing their task
    idle = QTimer()
    idle.timeout.connect(lambda: None)
    idle.start(200)

    window.screenshot_path = args.screenshot  # taken in closeEvent, whatever closes the window
    if args.quit_after:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    code = app.exec()
    window.shutdown()
    if window.screenshot_failed:
        print(f"main.py: could not write the screenshot {args.screenshot}", file=sys.stderr)
        code = code or 1
    if args.stats:
        Path(args.stats).write_text(json.dumps(run_stats(window), indent=2) + "\n", encoding="utf-8")
    return code


def run_stats(window) -> dict:
    """--stats: what the viewer got (draws, repaint times, ticks) and what the trainer did."""
    snap, host = window.snapshot, window.host
    timing = dict(host.info.get("timing", {}) or (snap.timing if snap else {}))
    playing = timing.get("playing_s", 0.0)
    iterations = host.iterations
    return dict(window.stats.summary(), iterations=iterations, training_s=round(playing, 3),
                trainer_its_per_s=round(iterations / playing, 1) if playing > 0 else 0.0,
                trainer_timing_s={k: round(v, 3) for k, v in timing.items()},
                host=type(host).__name__, device=snap.device if snap else "unknown",
                first_frame_s=window.first_frame_s, window_shown_s=window.shown_s)
