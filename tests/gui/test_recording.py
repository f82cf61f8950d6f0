"""Recording the live view to a GIF: a frame per capture, an indicator outside the frames."""
import numpy as np


def test_recording_writes_a_gif_with_one_frame_per_capture(tmp_path, qtbot, open_window):
    from PIL import Image, ImageSequence

    w = open_window()
    path = tmp_path / "demo.gif"
    w.demo.recorder.start(path, fps=10, timed=False)  # frames only when captured: deterministic
    assert w.demo.recorder.indicator.isVisible() and "REC" in w.demo.recorder.indicator.text()
    assert not w.centralWidget().isAncestorOf(w.demo.recorder.indicator)  # not in the recorded frames
    n = 7
    for i in range(n):
        w.show_notice(f"frame {i}")  # each frame differs (identical frames would be merged)
        w.demo.recorder.capture()
    assert w.demo.recorder.stop() == str(path)
    w.demo.recorder.wait()  # written by a background thread
    assert not w.demo.recorder.indicator.isVisible()
    with Image.open(path) as gif:
        assert gif.n_frames == n
        assert gif.width == min(w.centralWidget().width(), 1280)
        assert gif.info["duration"] == 100
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
    assert not np.array_equal(frames[0], frames[-1])


def test_record_action_and_closing_while_recording(tmp_path, qtbot, open_window):
    w = open_window()
    path = tmp_path / "live.gif"
    w.demo.recorder.start(path, fps=20)  # the real timer
    w.controls.play.click()
    qtbot.waitUntil(lambda: len(w.demo.recorder.frames) >= 5, timeout=30_000)
    w.close()  # closing while recording writes what was recorded
    assert path.stat().st_size > 1000
    assert not w.host.alive()
