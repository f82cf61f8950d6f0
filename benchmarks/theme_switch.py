"""How long a theme switch (Ctrl+T) and a presenter switch (F11) take on a shown window.

    QT_QPA_PLATFORM=offscreen python benchmarks/theme_switch.py [--rounds 20]
Each round triggers the menu action once (on, then off in the next round) and times the call
(the restyle), then the call and the event loop's turn after it (events it posted and the
repaint of the whole window), with the training thread paused, after a first snapshot is drawn.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(app, action, rounds: int) -> tuple[list[float], list[float]]:
    call, painted = [], []
    for _ in range(rounds):
        app.processEvents()
        t0 = time.perf_counter()
        action.trigger()
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        call.append((t1 - t0) * 1000)
        painted.append((t2 - t0) * 1000)
    return call, painted


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    import torch
    from PySide6.QtWidgets import QApplication

    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui.app import create_window
    from tests.conftest import fresh_controls

    w = create_window(fresh_controls())
    t_end = time.perf_counter() + 60
    while w.snapshot is None and time.perf_counter() < t_end:
        app.processEvents()
    for _ in range(20):
        app.processEvents()
    for name, action in (("theme", w.demo.light), ("presenter", w.demo.present)):
        for what, ms in zip(("restyle", "+ repaint"), timed(app, action, a.rounds)):
            print(f"{name:9s} {what:9s}: median {statistics.median(ms):6.1f} ms  max {max(ms):6.1f} ms  "
                  f"({a.rounds} rounds)")
    w.close()


if __name__ == "__main__":
    main()
