"""Start-up: flags, the QApplication, the window, and a clean exit (thread joined, code 0).

    python main.py [--autoplay] [--quit-after S] [--screenshot PNG] [--stats JSON] [--preset FILE] [--tour]
                   [--record MP4|GIF] [--presenter] [--explain] [--theme dark|light]

Everything that can be refused is refused before the window opens, with one line on stderr and
exit status 2: a flag out of the settings table's limits, a --stats or --screenshot path that
cannot be written, a bad preset, no display to open the window on.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import signal
import subprocess
import sys
import time

EXIT_USAGE = 2


class StartError(Exception):
    """A reason not to open the window: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + message
        raise StartError(f"{self.prog}: {message}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The flags, and the files they name checked (no torch here: the trainer's process is not
    started yet; `check_limits` reads the settings table once it is)."""
    from core import safeio

    p = _Parser(prog="main.py", description="MAML Playground: watch meta-learning work, live.")
    p.add_argument("--autoplay", action="store_true", help="start meta-training at once")
    p.add_argument("--quit-after", metavar="SECONDS",
                   help="close the window after this many seconds (limits: core/settings.py's quit_after)")
    p.add_argument("--screenshot", metavar="PNG", help="save a picture of the window just before quitting")
    p.add_argument("--stats", metavar="JSON", help="write frame timings, iterations, errors and state here at exit")
    p.add_argument("--preset", metavar="FILE", help="a JSON object of settings (Controls fields) to start from")
    p.add_argument("--tour", action="store_true", help="start the guided tour (→ / ← move, Esc leaves); with "
                   "--autoplay it plays itself, shown whole before --quit-after")
    p.add_argument("--record", metavar="MP4|GIF", help="record the plots from the start to this .mp4 or .gif "
                   "(written when the app quits)")
    p.add_argument("--presenter", action="store_true", help="start in presenter mode (full screen, large text)")
    p.add_argument("--explain", action="store_true", help="start with the explanations shown")
    p.add_argument("--theme", choices=("dark", "light"), default="dark", help="start in this theme")
    p.add_argument("--lang", choices=("en", "zh_CN"), help="the window's language (default: the system's, "
                   "Simplified Chinese for a Chinese locale, else English; View > Language changes it)")
    args = p.parse_args(argv)
    if args.record:
        from gui.encoders import RecordTargetError, check_target

        try:
            check_target(args.record)
        except RecordTargetError as e:
            raise StartError(f"main.py: --record: {e}") from None
    for flag, what in (("stats", "statistics"), ("screenshot", "screenshot")):
        if getattr(args, flag) is not None:
            try:
                safeio.check_target(getattr(args, flag), what)
            except safeio.FileRefused as e:
                raise StartError(f"main.py: --{flag}: {e}") from None
    return args


def check_limits(args) -> None:
    """Flags against the settings table (core.settings.RUN); StartError with its one-line reason."""
    from core.settings import RUN

    if args.quit_after is not None:
        try:
            args.quit_after = RUN["quit_after"].parse(args.quit_after)
        except ValueError as e:
            raise StartError(f"main.py: argument --quit-after: {e}") from None


def display_problem(env=os.environ) -> str | None:
    """Why Qt could not open a window here, in words (None: it can, as far as we can tell).
    Qt itself aborts with "Reinstalling the application may fix this problem", which it will not."""
    if not _uses_xcb(env):
        return None  # offscreen, wayland, vnc, eglfs...: the user chose, Qt says what is wrong
    if not env.get("DISPLAY"):
        return ("no display to open the window on: DISPLAY is not set (run it in a desktop session, "
                "or set QT_QPA_PLATFORM=offscreen for pictures without a screen)")
    return None


def _uses_xcb(env) -> bool:
    platform = env.get("QT_QPA_PLATFORM", "")
    return platform.startswith("xcb") or (not platform and not env.get("WAYLAND_DISPLAY"))


class XcbCheck:
    """The libraries Qt's xcb plugin needs that the system lacks, asked of `ldd` in the background
    (it takes ~0.1 s) while the trainer's process starts; nothing is checked where ldd is absent."""

    def __init__(self, env=os.environ):
        self.proc = None
        plugin = _xcb_plugin()
        ldd = shutil.which("ldd")
        if _uses_xcb(env) and plugin and ldd:
            try:
                self.proc = subprocess.Popen([ldd, plugin], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                             text=True)
            except OSError:
                self.proc = None

    def problem(self) -> str | None:
        if self.proc is None:
            return None
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            return None
        missing = [line.split()[0] for line in out.splitlines() if "not found" in line]
        if not missing:
            return None
        return (f"Qt's xcb platform cannot load: missing {', '.join(missing)} (on Debian or Ubuntu: "
                "apt-get install libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1)")


def _xcb_plugin() -> str | None:
    """Found without importing PySide6: importing it replaces `__import__` with a hook that reads the
    source of every module imported after it (torch's ~800 cost ~0.3 s where torch is imported), so
    the settings table and whatever it imports come first."""
    from importlib.util import find_spec

    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = os.path.join(spec.submodule_search_locations[0], "Qt", "plugins", "platforms", "libqxcb.so")
    return plugin if os.path.isfile(plugin) else None


def initial_controls(args):
    """Defaults, overridden by the preset; a bad preset stops here with a clear message.
    Returns (controls, checkpoint to load at start or None, the preset's description or "")."""
    from dataclasses import replace

    import numpy as np

    from core.controls import Controls
    from core.display import new_display_task
    from gui.presets import read_preset

    if args.preset:
        return read_preset(args.preset, playing=args.autoplay)
    c = Controls()
    task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))  # a fresh task
    return replace(c, task=task, playing=bool(args.autoplay)), None, ""


def create_window(controls, host=None, lang: str | None = None):
    """Style the running QApplication, then show and start the window (also used by the tests).
    host: where the trainer runs; by default a new child process (`core.host.ProcessHost`).
    A host started earlier (`ProcessHost.spawn()`) is handed the controls here.
    lang: the window's language (None: as installed, English unless main() chose otherwise)."""
    from PySide6.QtWidgets import QApplication

    from core.host import ProcessHost
    from gui import i18n, style
    from gui.language import WINDOWS
    from gui.main_window import MainWindow

    if host is None:
        host = ProcessHost(controls)
    else:
        host.begin(controls)
    app = QApplication.instance()
    app.setApplicationName("MAML Playground")
    if lang is not None and not i18n.install(lang):
        print(f"main.py: the {lang} translation is missing ({i18n.qm_path(lang)}); the window is in English",
              file=sys.stderr)
    style.apply(app)
    window = MainWindow(host)
    WINDOWS.current = window
    show_window(window)
    return window


def show_window(window, position: bool = True) -> None:
    """Show and start a built window (at its first size and place unless `position` is False)."""
    # Everything built so far (Qt wrappers, torch, numpy) lives as long as the window: keep it out of
    # the collector's full passes, which otherwise walk it all and stall a frame now and then.
    gc.freeze()
    sys.setswitchinterval(0.001)  # the pipe's reader thread gets the lock between two paints, not 5 ms later
    if position:
        window.resize(window.first_size())
        window.move(0, 0)
    window.show()
    window.start()


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
    # No collections while starting: torch's and Qt's imports set off ~500 of them (0.4-0.8 s here), and
    # what start-up builds lives as long as the window anyway (show_window freezes it, then they resume).
    gc.disable()
    try:
        args = parse_args(argv)
        problem = display_problem()
        if problem:
            raise StartError(f"main.py: {problem}")
    except StartError as e:
        print(e, file=sys.stderr)
        return EXIT_USAGE
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))  # Ctrl+C while starting: quiet exit
    from core.host import ProcessHost

    # The trainer's process first (forked: this process is still bare, see core.host.start_method):
    # it imports torch on the other core while this one builds the window.
    host = ProcessHost.spawn()
    xcb = XcbCheck()
    from gui.validation import PresetError

    try:
        check_limits(args)
        controls, checkpoint, description = initial_controls(args)
        problem = xcb.problem()
        if problem:
            raise StartError(f"main.py: {problem}")
    except StartError as e:
        print(e, file=sys.stderr)
        host.stop()
        return EXIT_USAGE
    except PresetError as e:
        print(f"main.py: bad preset: {e}", file=sys.stderr)
        host.stop()
        return EXIT_USAGE

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from gui import i18n
    from gui.language import WINDOWS

    window = create_window(controls, host, args.lang or i18n.system_language())
    gc.enable()
    window.started_at = started
    cpu: dict[str, float] = {}  # this process's CPU seconds at the first frame: a figure a busy machine skews less
    window.snapshotDrawn.connect(lambda *_: cpu.setdefault("first_frame_cpu_s", round(time.process_time(), 3)))
    window.demo.start_as(presenter=args.presenter, explain=args.explain, light=args.theme == "light")
    if args.preset:  # its description in the window's language (read_preset's is English)
        from gui.presets import description as describe

        window.show_preset(describe(args.preset, controls) or description, args.preset)
    if checkpoint:
        window.demo.load_checkpoint_from(checkpoint)
    # View > Language builds a new window around the same trainer: what follows acts on the current one
    app.aboutToQuit.connect(lambda: WINDOWS.current.shutdown())

    def close(ask: bool = True) -> None:
        if not ask:
            WINDOWS.current.ask_before_close = False
        WINDOWS.current.close()

    # Ctrl+C in the terminal closes the window like Ctrl+Q; the idle timer lets Python run the handler.
    # The handler runs inside whatever Python code Qt was calling (a paint of the controls, in gui.look):
    # closing there would leave that paint to flush a window without a handle. The event loop closes it.
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, lambda: close(ask=False)))
    window.ask_before_close = not args.quit_after  # a person at the window: ask before losing their task
    idle = QTimer()
    idle.timeout.connect(lambda: None)
    idle.start(200)

    window.screenshot_path = args.screenshot  # taken in closeEvent, whatever closes the window
    if args.record:  # from the first drawn snapshot; the window's shutdown finishes the file
        window.demo.exports.start_recording(args.record)
    until = started + args.quit_after - 1.0 if args.quit_after else None  # autoplay shows every scene by then
    if args.tour and not window.demo.tour.start(args.autoplay, until):
        print(f"main.py: bad tour scene: {window.demo.tour.error}", file=sys.stderr)
        window.shutdown()
        return 2
    if args.quit_after:
        QTimer.singleShot(int(args.quit_after * 1000), close)
    code = app.exec()
    window = WINDOWS.current
    window.shutdown()
    if window.screenshot_failed:
        print(f"main.py: could not write the screenshot {args.screenshot}", file=sys.stderr)
        code = code or 1
    recording = window.demo.recorder.last if args.record else None
    if recording is not None:
        print(f"main.py: {recording.summary()}", file=sys.stderr if recording.error else sys.stdout)
        code = code or (1 if recording.error else 0)
    if args.stats:
        from core import safeio

        try:
            safeio.write_text(args.stats, safeio.dumps_json(run_stats(window, **cpu), indent=2), "statistics")
        except (OSError, ValueError) as e:
            print(f"main.py: could not write --stats {args.stats}: {getattr(e, 'strerror', None) or e}",
                  file=sys.stderr)
            code = code or 1
    return code


def run_stats(window, first_frame_cpu_s: float | None = None) -> dict:
    """--stats: what the viewer got (draws, repaint times, ticks), what the trainer did, every
    error notice the window showed (in order) and the trainer's state at exit."""
    snap, host = window.snapshot, window.host
    timing = dict(host.info.get("timing", {}) or (snap.timing if snap else {}))
    playing = timing.get("playing_s", 0.0)
    iterations = host.iterations
    return dict(window.stats.summary(), iterations=iterations, training_s=round(playing, 3),
                trainer_its_per_s=round(iterations / playing, 1) if playing > 0 else 0.0,
                trainer_timing_s={k: round(v, 3) for k, v in timing.items()},
                host=type(host).__name__, device=snap.device if snap else "unknown",
                first_frame_s=window.first_frame_s, window_shown_s=window.shown_s,
                first_frame_cpu_s=first_frame_cpu_s,
                tour_scenes=list(window.demo.tour.shown), errors=list(window.errors),
                state=snap.state if snap else "unknown")
