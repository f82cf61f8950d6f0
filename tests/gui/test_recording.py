"""Recording the plots to MP4 and GIF: the writers (Qt-free), the Record action, closing the
window mid-recording, and `main.py --record`."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gui.encoders import GifWriter, Mp4Writer, RecordTargetError, check_target, open_writer

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")


def frame(i: int, h: int = 51, w: int = 75) -> np.ndarray:
    """A BGRA frame with a red block that moves with i."""
    f = np.full((h, w, 4), 40, np.uint8)
    f[10:20, 3 * i: 3 * i + 8] = (0, 0, 255, 255)
    return f


def decoded_mp4(path):
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = [(f.time, f.to_ndarray(format="rgb24")) for f in c.decode(s)]
        return s.codec_context.name, s.codec_context.pix_fmt, s.width, s.height, frames


def test_mp4_is_h264_yuv420p_at_even_size_with_real_timing(tmp_path):
    times = [0.0, 0.033, 0.066, 1.5, 1.533]  # a pause of 1.4 s lasts as long in the video
    w = Mp4Writer(tmp_path / "a.mp4")
    for i, t in enumerate(times):
        w.add(frame(i), t)
    w.close(1.6)
    codec, pix, width, height, frames = decoded_mp4(tmp_path / "a.mp4")
    assert (codec, pix, width, height) == ("h264", "yuv420p", 74, 50)  # 75 x 51 made even
    assert w.frames == len(frames) == len(times)
    assert [round(t, 3) for t, _ in frames] == times
    last = frames[-1][1]
    assert last[15, 3 * 4 + 4, 0] > 200 and last[15, 3 * 4 + 4, 2] < 60  # the red block, where it was


def test_gif_keeps_timing_merges_repeats_and_stores_changes(tmp_path):
    from PIL import Image, ImageSequence

    w = GifWriter(tmp_path / "a.gif")
    for i, t in [(0, 0.0), (1, 0.1), (1, 0.2), (1, 0.3), (2, 0.5)]:  # frame 1 shown three times: one frame
        w.add(frame(i), t)
    w.close(0.7)
    assert w.frames == 3
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (75, 51) and gif.info["loop"] == 0
        shown = [(f.info["duration"], np.asarray(f.convert("RGB"))) for f in ImageSequence.Iterator(gif)]
    assert [d for d, _ in shown] == [100, 400, 200]
    expected = frame(2)[..., 2::-1]  # the last frame, composed from the changed rectangles
    assert np.abs(shown[-1][1].astype(int) - expected).max() <= 8


def test_bad_targets_are_refused_before_anything_is_written(tmp_path):
    for path, words in [(tmp_path / "a.avi", "must end in .mp4 or .gif"), (tmp_path / "a", "must end in"),
                        (tmp_path / "no" / "a.mp4", "does not exist")]:
        with pytest.raises(RecordTargetError, match=words):
            open_writer(path)
        assert not path.exists()
    (tmp_path / "d.gif").mkdir()
    with pytest.raises(RecordTargetError, match="is a folder"):
        check_target(tmp_path / "d.gif")
    with pytest.raises(RecordTargetError, match="cannot record to /proc/a.mp4"):  # unwritable, even for root
        open_writer("/proc/a.mp4")


def test_a_recording_without_frames_leaves_no_file(tmp_path):
    for name in ("a.mp4", "a.gif"):
        w = open_writer(tmp_path / name)
        assert (tmp_path / name).exists()  # opened at start: a failure shows at once
        w.close(1.0)
        assert w.frames == 0 and not (tmp_path / name).exists()


def test_record_action_records_what_the_dialog_names(tmp_path, qtbot, open_window, monkeypatch):
    from PIL import Image

    from gui import export

    w = open_window()
    rec, action = w.demo.recorder, w.demo.record
    answer = (str(tmp_path / "talk.avi"), "MP4 video (*.mp4)")
    monkeypatch.setattr(export.QFileDialog, "getSaveFileName", lambda *a, **k: answer)
    action.trigger()  # F9 with a name whose extension is not a format: said, nothing starts
    assert not rec.active and not action.isChecked()
    assert "must end in .mp4 or .gif" in w.notice.text() and not (tmp_path / "talk.avi").exists()

    answer = (str(tmp_path / "talk"), "Animated GIF (*.gif)")  # no extension: the chosen filter's
    action.trigger()
    assert rec.active and action.isChecked() and rec.path == str(tmp_path / "talk.gif")
    assert rec.indicator.isVisible() and not w.centralWidget().isAncestorOf(rec.indicator)  # not recorded
    n = 6
    for i in range(n):
        w.show_notice(f"frame {i}")  # each frame differs (identical ones are merged)
        qtbot.waitUntil(lambda i=i: w.notice.text() == f"frame {i}")
        w.centralWidget().repaint()  # into the backing store the frames are copied from
        rec.capture()
    action.trigger()  # F9 again stops
    assert not rec.active and not action.isChecked() and not rec.indicator.isVisible()
    done = rec.finish()
    assert done.error is None and done.frames + done.dropped == n
    with Image.open(tmp_path / "talk.gif") as gif:
        assert gif.n_frames == done.frames >= 1 and gif.width == min(w.centralWidget().width(), GifWriter.max_width)


def test_closing_the_window_while_recording_leaves_a_playable_mp4(tmp_path, qtbot, open_window):
    w = open_window()
    path = tmp_path / "live.mp4"
    w.demo.exports.start_recording(path)
    w.controls.play.click()
    qtbot.waitUntil(lambda: w.demo.recorder.taken >= 5, timeout=60_000)  # frames from drawn snapshots
    w.close()  # the window's shutdown finishes the file
    done = w.demo.recorder.last
    assert done is not None and done.error is None and done.frames >= 1
    assert done.frames + done.dropped == w.demo.recorder.taken
    codec, pix, width, height, frames = decoded_mp4(path)
    assert (codec, pix) == ("h264", "yuv420p") and width % 2 == height % 2 == 0
    assert len(frames) == done.frames
    assert all(a[0] < b[0] for a, b in zip(frames, frames[1:]))  # real, increasing times
    assert not w.host.alive()


def test_a_busy_encoder_drops_frames_and_never_makes_the_window_wait(tmp_path):
    from gui.encoder_process import EncoderProcess

    enc = EncoderProcess(tmp_path / "busy.mp4", 51, 75, slots=3)
    os.kill(enc.process.pid, signal.SIGSTOP)  # the encoder stalls: no slot comes back
    try:
        offered = [enc.offer(frame(i), i / 30) for i in range(8)]  # would hang here if offering waited
    finally:
        os.kill(enc.process.pid, signal.SIGCONT)
    assert offered == [True] * 3 + [False] * 5
    assert not enc.offer(np.zeros((52, 75, 4), np.uint8), 0.5)  # larger than a slot: dropped too
    frames, error = enc.close(1.0)
    assert error is None and frames == 3
    assert len(decoded_mp4(tmp_path / "busy.mp4")[4]) == 3
    assert enc.close(2.0) == (3, None)  # closing again changes nothing


def test_the_file_is_finished_even_when_the_window_process_is_killed(tmp_path):
    path, script = tmp_path / "killed.mp4", tmp_path / "window.py"
    script.write_text(f"""import os, signal, sys
from pathlib import Path
import numpy as np
sys.path.insert(0, {str(ROOT)!r})
from gui.encoder_process import EncoderProcess
if __name__ == "__main__":
    enc = EncoderProcess(Path({str(path)!r}), 51, 75, slots=4)
    for i in range(4):
        enc.offer(np.full((51, 75, 4), 50 * i, np.uint8), i / 10)
    os.kill(os.getpid(), signal.SIGKILL)  # no close(): the encoder sees its pipe end and closes the file
""")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == -signal.SIGKILL
    deadline, frames = time.time() + 60, None
    while frames is None and time.time() < deadline:
        try:
            frames = decoded_mp4(path)[4]
        except Exception:  # not finished yet (no index written)
            time.sleep(0.2)
    assert frames is not None and len(frames) == 4


def recorded(out: str) -> int:
    m = re.search(r"Recorded (\d+) frames", out)
    assert m, out
    return int(m.group(1))


def frames_in(path: Path) -> int:
    if path.suffix == ".gif":
        from PIL import Image

        with Image.open(path) as gif:
            return gif.n_frames
    return len(decoded_mp4(path)[4])


@pytest.mark.parametrize("name", ["cli.mp4", "cli.gif"])
def test_main_records_from_the_start_until_it_quits(tmp_path, name):
    path = tmp_path / name
    r = subprocess.run([sys.executable, "main.py", "--autoplay", "--record", str(path), "--quit-after", "8"],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    n = recorded(r.stdout)
    assert n >= 1 and frames_in(path) == n  # every frame it reports is in the file, which decodes


def test_ctrl_c_finishes_the_recording(tmp_path):
    path = tmp_path / "ctrl-c.mp4"
    p = subprocess.Popen([sys.executable, "main.py", "--autoplay", "--record", str(path)], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 90
        while not path.exists() and p.poll() is None and time.time() < deadline:
            time.sleep(0.2)  # the file is opened as the window starts
        time.sleep(6)  # while training and recording
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert frames_in(path) == recorded(out) >= 1


def test_main_refuses_a_bad_record_path_at_once(tmp_path):
    r = subprocess.run([sys.executable, "main.py", "--record", str(tmp_path / "x.avi")], cwd=ROOT, env=ENV,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "cannot record to" in r.stderr and "must end in .mp4 or .gif" in r.stderr
    assert not (tmp_path / "x.avi").exists()
