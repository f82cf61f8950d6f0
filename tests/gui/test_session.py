"""Session files through the real window: save, change everything, reopen, get it back exactly."""
from dataclasses import fields

from core.controls import Controls, DisplayTask
from gui.presets import PRESETS


def controls_dict(c):
    return {f.name: getattr(c, f.name) for f in fields(Controls)}


def test_session_round_trip_with_clicked_points_and_a_drawn_target(tmp_path, open_window, wait_snapshot):
    w = open_window()
    # What the task editor's clicks and drawing produce: a user task with points and a target.
    target_x = tuple(float(x) for x in range(-5, 6))
    target_y = tuple(float(x) * 0.3 - 1.0 for x in range(-5, 6))
    task = DisplayTask("sinusoid", None, None, (-2.5, 0.25, 3.75), (1.5, -0.5, 2.0), target_x, target_y)
    w.shared.update(task=task, inner_lr=0.03, seed=5, shots=7, display_steps=15, meta_batch=12)
    wait_snapshot(w, lambda s: s.task == task)
    saved = w.shared.get()
    path = tmp_path / "demo.maml.json"
    assert w.demo.documents.save_session(path)

    w.demo.documents.open_preset(PRESETS / "linear.json")
    wait_snapshot(w, lambda s: s.family == "linear")
    assert w.shared.get().task != task

    assert w.demo.documents.open_session(path)
    now = w.shared.get()
    assert controls_dict(now) == controls_dict(saved)
    assert now.task == task and now.task.target_x == target_x
    snap = wait_snapshot(w, lambda s: s.family == "sinusoid" and s.task == task)
    assert list(snap.support_x) == list(task.xs)
    drawn = w.panels["meta"].drawn
    assert list(drawn[1]) == list(task.xs)


def test_a_corrupt_or_foreign_session_changes_nothing(tmp_path, open_window):
    w = open_window()
    before = w.shared.get()
    for name, text in (("garbage.json", "{nope"), ("foreign.json", '{"format": "something-else/2"}'),
                       ("preset.json", '{"inner_lr": 0.1}'),
                       ("bad.json",
                        '{"format": "maml-playground-session/1", "controls": {"shots": -1}, "task": null}')):
        path = tmp_path / name
        path.write_text(text)
        assert not w.demo.documents.open_session(path)
        assert w.shared.get() is before
        assert w.notice.isVisible() and name in w.notice.text()
    assert not w.demo.documents.open_session(tmp_path / "missing.json")
    assert w.shared.get() is before
