"""Soak: the window autoplaying for a long time; memory over time and frame times.

    python benchmarks/soak.py [--minutes 30] [--display :97] [--out docs/bench/soak]
Starts Xvfb if the display is free, runs `main.py --autoplay --quit-after`, samples the
process's resident memory every 10 s, presses N (new task) once a minute to keep the
drawing paths busy, and prints memory growth after the first minute and the frame p99.
Kept out of CI: it runs for half an hour.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--display", default=":97")
    ap.add_argument("--out", default=str(ROOT / "docs" / "bench" / "soak"))
    a = ap.parse_args()
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DISPLAY=a.display)
    env.pop("QT_QPA_PLATFORM", None)
    xvfb = None
    if subprocess.run(["xdpyinfo"], env=env, capture_output=True).returncode != 0:
        xvfb = subprocess.Popen(["Xvfb", a.display, "-screen", "0", "1920x1080x24"], stderr=subprocess.DEVNULL)
        time.sleep(1)
    seconds = int(a.minutes * 60)
    stats = out.with_suffix(".json")
    app = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--autoplay", "--quit-after", str(seconds),
                            "--stats", str(stats)], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    samples, t0, last_key = [], time.monotonic(), 0.0
    while app.poll() is None:
        t = time.monotonic() - t0
        try:
            samples.append((round(t, 1), round(rss_mb(app.pid), 1)))
        except FileNotFoundError:
            break
        if t - last_key >= 60:
            subprocess.run(["xdotool", "search", "--name", "MAML", "windowfocus", "--sync", "key", "n"],
                           env=env, capture_output=True, timeout=10)
            last_key = t
        time.sleep(10)
    err = app.stderr.read()
    if xvfb:
        xvfb.terminate()
    with open(out.with_suffix(".csv"), "w") as f:
        f.write("seconds,rss_mb\n" + "".join(f"{s},{m}\n" for s, m in samples))
    s = json.loads(stats.read_text()) if stats.exists() else {}
    after_1min = next(m for t, m in samples if t >= 60)
    end = samples[-1][1]
    print(f"exit {app.returncode}, stderr {len(err)} chars; {len(samples)} samples over {samples[-1][0]:.0f} s")
    print(f"RSS at 1 min {after_1min:.1f} MB, at end {end:.1f} MB: growth {100 * (end - after_1min) / after_1min:+.2f}%"
          f" (max {max(m for _, m in samples):.1f} MB)")
    print(f"frames {s.get('frames')}, frame p50 {s.get('frame_ms_p50')} ms, p99 {s.get('frame_ms_p99')} ms, "
          f"max {s.get('frame_ms_max')} ms, iterations {s.get('iterations')}")
    if err:
        print("stderr:", err[:2000])


if __name__ == "__main__":
    main()
