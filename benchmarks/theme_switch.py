"""How long a theme switch (Ctrl+T), a presenter switch (F11, and F11 then Esc), the sidebar
(Ctrl+B) and a text-size step (Ctrl+=, then Ctrl+0) take on a shown window.

    QT_QPA_PLATFORM=offscreen python benchmarks/theme_switch.py [--rounds 20]
Each round triggers the menu action once (on, then off in the next round) and times the call
(the restyle, wall clock and GUI-thread CPU), then in GUI-thread CPU the call and the event
loop's work until the switch is on screen (events it posted, relayouts, the repaint of the whole
window: what the user waits for), with training paused after a first snapshot is drawn (so no new
snapshot is drawn inside a round). The "repaint" row is the floor: every plot and the window
repainted with nothing changed. Presenter mode split in two: "resize" (the window to the whole
screen and back, no restyle: the relayout the window system forces) and "scale" (its restyle
alone at the window's size). Offscreen, the screen is 800x800 (the window shrinks from 1600x900).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

WHAT = ("restyle", "restyle CPU", "thread CPU")
SETTLE_MS = 150  # the event loop's time after a switch (its paints end well inside it)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(app, action, rounds: int) -> tuple[list[float], list[float], list[float]]:
    """Per round, in ms: the call (wall clock), the call in the GUI thread's own CPU time, and the
    call with the event loop's work after it until the switch is on screen, in that thread's CPU
    time (what the window loses, whatever else runs on the machine)."""
    call, call_cpu, cpu = [], [], []
    for _ in range(rounds):
        settle(app)
        t0, c0 = time.perf_counter(), time.thread_time()
        action.trigger()
        t1, c1 = time.perf_counter(), time.thread_time()
        settle(app)
        c2 = time.thread_time()
        call.append((t1 - t0) * 1000)
        call_cpu.append((c1 - c0) * 1000)
        cpu.append((c2 - c0) * 1000)
    return call, call_cpu, cpu


def settle(app) -> None:
    """The event loop, idle-waiting, until the switch is on screen: the repaint, what the switch
    queued (a refit on a zero timer, a relayout, a deferred repaint) and the repaints they ask
    for. Qt paints a window on a timer of its own, so a few `processEvents` turns can end before
    the paint; waiting costs no CPU, and the "repaint" row waits the same."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(SETTLE_MS, loop.quit)
    loop.exec()


class Repaint:
    """The floor, as an action: the whole window and every plot repainted, nothing changed."""

    def __init__(self, window):
        self.window = window

    def trigger(self) -> None:
        import pyqtgraph as pg

        for view in self.window.findChildren(pg.GraphicsView):
            view.viewport().update()
        self.window.update()


class Resize:
    """Presenter mode's resize alone, as an action: the window to the whole screen and back, no
    restyle (the floor of the relayout and repaint that the window system forces)."""

    def __init__(self, window):
        self.window, self.normal, self.full = window, window.geometry(), window.screen().geometry()
        self.on = False

    def trigger(self) -> None:
        self.on = not self.on
        self.window.setGeometry(self.full if self.on else self.normal)


class Scale:
    """Presenter mode's restyle alone, as an action: its font and line scale on and off at the
    window's present size (new fonts and their relayout, no resize)."""

    def __init__(self, window):
        self.presenter, self.on = window.demo.presenter, False

    def trigger(self) -> None:
        from gui import style

        self.on = not self.on
        paint_once = getattr(self.presenter, "paint_once", None)  # as presenter mode does (since it does)
        if paint_once is not None:
            paint_once()
        style.themes.set_scale(self.presenter.presenter_scale() if self.on else 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--only", nargs="*", help="rows to measure (theme, presenter, resize, scale, sidebar, F11/Esc, "
                    "text size)")
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
    w.controls.set_playing(False)  # snapshots drawn in a round would count as the switch's
    t_end = time.perf_counter() + 1.0  # the last ones in flight arrive and are drawn
    while time.perf_counter() < t_end:
        app.processEvents()
    def report(name, ms):
        for what, got in zip(WHAT, ms):
            print(f"{name:9s} {what:11s}: median {statistics.median(got):6.1f} ms  max {max(got):6.1f} ms  "
                  f"({a.rounds} rounds)")

    shortcuts = {a.shortcut().toString(): a for a in w.actions()}
    report("repaint", timed(app, Repaint(w), a.rounds))
    for name, action in (("theme", w.demo.light), ("presenter", w.demo.present),
                         ("resize", Resize(w)), ("scale", Scale(w)),
                         ("sidebar", getattr(w.demo, "sidebar", None))):
        if action is not None and (not a.only or name in a.only):
            report(name, timed(app, action, a.rounds))
    # presenter mode on with F11's action, off with Esc's; the text size one step up, then back to normal
    for name, on, off in (("F11/Esc", w.demo.present, shortcuts.get("Esc")),
                          ("text size", shortcuts.get("Ctrl+="), shortcuts.get("Ctrl+0"))):
        if on is None or off is None or (a.only and name not in a.only):
            continue
        ms = ([], [], [])
        for i in range(a.rounds):
            for part, got in zip(ms, timed(app, on if i % 2 == 0 else off, 1)):
                part.extend(got)
        report(name, ms)
    w.close()


if __name__ == "__main__":
    main()
