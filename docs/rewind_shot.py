"""Takes docs/rewind.png: a preset meta-trained for a few seconds, paused, then scrubbed back on
the timeline to an early iteration, as a user would (the slider's keys), and the window grabbed.

    DISPLAY=:106 python docs/rewind_shot.py [--preset resources/presets/article-sine-ab.json]
        [--seconds 8] [--back 0.08] [--out docs/rewind.png]
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default=str(ROOT / "resources/presets/article-sine-ab.json"))
    p.add_argument("--seconds", type=float, default=8.0, help="meta-training before scrubbing back")
    p.add_argument("--back", type=float, default=0.08, help="replay this fraction of the way through")
    p.add_argument("--out", default=str(ROOT / "docs/rewind.png"))
    p.add_argument("--light", action="store_true", help="the light theme")
    p.add_argument("--scale", type=float, default=1.0, help="presenter mode's enlargement")
    a = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import create_window
    from gui.presets import read_preset

    app = QApplication(sys.argv[:1])
    controls, _, _ = read_preset(a.preset, playing=True)
    w = create_window(controls)
    from gui import style

    style.themes.set_light(a.light)
    style.themes.set_scale(a.scale)

    poll = QTimer()
    poll.setInterval(200)

    def started():  # the trainer's process may take a while to start on a busy machine
        if w.snapshot is not None:
            poll.stop()
            QTimer.singleShot(int(a.seconds * 1000), scrub)

    def scrub():
        w.controls.play.click()  # pause
        w.timeline.slider.setValue(int(w.snapshot.iteration * a.back))  # as a drag would
        QTimer.singleShot(2500, shoot)

    def shoot():
        ok = w.grab().save(a.out)
        print(f"{a.out}: {'written' if ok else 'FAILED'}; {w.timeline.readout.text()}")
        w.close()
        app.quit()

    poll.timeout.connect(started)
    poll.start()
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
