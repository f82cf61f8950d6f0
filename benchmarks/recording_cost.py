"""What recording costs the window: `main.py --autoplay --quit-after S --stats` with and without
`--record`, interleaved for a few rounds in the same run (the machine is shared and noisy), the
window's `draws` compared, and each recording decoded to count its frames.

    DISPLAY=:105 python benchmarks/recording_cost.py [--seconds 60] [--rounds 2] [--format mp4]
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_window(seconds: float, stats: Path, record: Path | None) -> dict:
    cmd = [sys.executable, str(ROOT / "main.py"), "--autoplay", "--quit-after", str(seconds), "--stats", str(stats)]
    if record is not None:
        cmd += ["--record", str(record)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(stats.read_text(encoding="utf-8"))
    out["said"] = done.stdout.strip()
    return out


def frames_in(path: Path) -> int:
    """Frames a decoder finds in the file (PyAV for MP4, Pillow for GIF)."""
    if path.suffix == ".gif":
        from PIL import Image

        with Image.open(path) as gif:
            return gif.n_frames
    import av

    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--format", choices=("mp4", "gif"), default="mp4")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            order = (False, True) if r % 2 == 0 else (True, False)  # alternate which goes first
            for recording in order:
                target = Path(tmp) / f"r{r}.{a.format}" if recording else None
                s = run_window(a.seconds, Path(tmp) / "stats.json", target)
                drawing_s = a.seconds - max(0.0, (s["first_frame_s"] or 0) - (s["window_shown_s"] or 0))
                row = dict(round=r, record=recording, draws=s["draws"], draws_per_s=round(s["draws"] / drawing_s, 1),
                           draw_ms_p50=s["draw_ms_p50"], frame_ms_p99=s["frame_ms_p99"],
                           first_frame_s=s["first_frame_s"], iterations=s["iterations"])
                if target is not None:
                    row.update(file_frames=frames_in(target), size_mb=round(target.stat().st_size / 1e6, 2),
                               said=s["said"])
                rows.append(row)
                print(json.dumps(row), flush=True)
    for r in range(a.rounds):
        off, on = (next(x for x in rows if x["round"] == r and x["record"] == rec) for rec in (False, True))
        print(f"round {r}: draws {off['draws']} without, {on['draws']} with recording "
              f"({100 * (on['draws'] - off['draws']) / max(off['draws'], 1):+.1f}%); "
              f"draws/s {off['draws_per_s']} vs {on['draws_per_s']}; {on['file_frames']} frames in the file")
    total_off = sum(x["draws"] for x in rows if not x["record"])
    total_on = sum(x["draws"] for x in rows if x["record"])
    print(f"all rounds: draws {total_off} without, {total_on} with recording "
          f"({100 * (total_on - total_off) / max(total_off, 1):+.1f}%)")


if __name__ == "__main__":
    main()
