"""The tour's scene files: the shipped ones load and tell the story; a bad one is refused clearly."""
import json
from pathlib import Path

import pytest

from core.controls import Controls
from core.settings import SETTINGS
from core.tour import LANGUAGES, PANELS, TourError, load_tour, pace, parse_scene

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
GOOD = {"title": {"en": "A task", "zh_CN": "任务"}, "caption": {"en": "One sine wave.", "zh_CN": "一条正弦曲线。"},
        "settings": {"inner_lr": 0.05, "playing": True}, "task": {"a": 2.0, "b": 1.0}, "seconds": 5}


def scene(**changes):
    return parse_scene(json.dumps({**GOOD, **changes}), "s", RESOURCES)


def test_the_shipped_tour_tells_the_articles_story():
    scenes = load_tour(RESOURCES / "tour", RESOURCES)
    assert 6 <= len(scenes) <= 8
    assert [s.name for s in scenes] == sorted(s.name for s in scenes)
    for s in scenes:
        for lang in LANGUAGES:
            title, caption = s.text(lang)
            assert title and 40 < len(caption) <= 200, (s.name, lang)  # a caption, not a paragraph
        assert any("\u4e00" <= ch <= "\u9fff" for ch in s.text("zh_CN")[1]), s.name  # really Chinese
        c = s.controls()
        assert c.task is not None and c.task.family == c.family
        for key, value in s.changes.items():
            assert SETTINGS[key].problem(value) is None
    by = {s.name: s for s in scenes}
    algorithms = {s.changes.get("algorithm", Controls.algorithm) for s in scenes}
    assert {"maml", "alpha", "imaml"} <= algorithms  # MAML, then what Alpha MAML and iMAML change
    assert any(s.controls().model == "two-param" for s in scenes)  # the two-scalar picture
    assert any(s.controls().playing for s in scenes)  # meta-training live
    assert any(s.checkpoint is not None for s in scenes)  # after meta-training: the shipped model
    steps = [s.controls().display_steps for s in scenes if s.checkpoint is not None]
    assert 1 in steps and 10 <= max(steps) and any(n >= 100 for n in steps)  # after 1 step, 10, 100 (the article's)
    assert any(s.panels["explain"] for s in by.values())


def test_a_scene_starts_from_the_defaults_whatever_came_before():
    s = scene()
    c = s.controls()
    assert (c.inner_lr, c.playing, c.outer_lr) == (0.05, True, Controls.outer_lr)
    assert (c.task.a, c.task.b) == (2.0, 1.0) and len(c.task.xs) == c.shots
    assert s.controls() == c  # the same task points every time: stepping back shows the same picture
    assert s.panels == {p: False for p in PANELS} and not s.reset and s.checkpoint is None


def test_a_caption_missing_its_language_falls_back_to_english_only_when_asked_for_another():
    s = scene()
    assert s.text("zh_CN") == ("任务", "一条正弦曲线。")
    assert s.text("fr") == ("A task", "One sine wave.")


@pytest.mark.parametrize("changes, fragment", [
    ({"caption": {"en": "only English"}}, "'zh_CN'"),
    ({"caption": "text"}, "caption must be an object of texts by language"),
    ({"title": {"en": "x", "zh_CN": "  "}}, "title needs a non-empty 'zh_CN'"),
    ({"caption": {"en": "x", "zh_CN": "y", "de": "z"}}, "unknown languages ['de']"),
    ({"settings": {"inner_lr": 7}}, "inner lr α must be between"),
    ({"settings": {"colour": "red"}}, "unknown setting 'colour'"),
    ({"settings": {"algorithm": "anil", "model": "two-param"}}, "ANIL"),
    ({"settings": [1]}, "settings must be an object"),
    ({"task": {"a": 99, "b": 1}}, "task a must be a number in"),
    ({"task": {"a": 1}}, "task must be"),
    ({"reset": "yes"}, "reset must be true or false"),
    ({"checkpoint": "checkpoints/none.pt"}, "not found under"),
    ({"panels": {"landscape": True}}, "panels must map explain / pretrained"),
    ({"panels": {"explain": 1}}, "panels must map"),
    ({"seconds": 0}, "seconds must be a number in"),
    ({"seconds": True}, "seconds must be a number in"),
    ({"speed": 3}, "unknown field(s) speed"),
])
def test_a_bad_scene_says_which_field_and_why(changes, fragment):
    with pytest.raises(TourError) as e:
        scene(**changes)
    assert fragment in str(e.value)
    assert str(e.value).startswith("s: ")


def test_a_bad_file_in_the_folder_names_the_file(tmp_path):
    (tmp_path / "01-good.json").write_text(json.dumps(GOOD), encoding="utf-8")
    (tmp_path / "02-bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(TourError) as e:
        load_tour(tmp_path, RESOURCES)
    assert "02-bad.json" in str(e.value) and "not valid JSON" in str(e.value)
    (tmp_path / "02-bad.json").unlink()
    assert [s.name for s in load_tour(tmp_path, RESOURCES)] == ["01-good"]
    with pytest.raises(TourError, match="no scene files"):
        load_tour(tmp_path / "empty", RESOURCES)


def test_pace_keeps_the_scenes_times_or_shrinks_them_to_fit():
    scenes = [scene(seconds=s) for s in (4, 6, 10)]
    assert pace(scenes) == [4, 6, 10] and pace(scenes, 30) == [4, 6, 10]
    shrunk = pace(scenes, 10)
    assert sum(shrunk) == pytest.approx(10) and shrunk[2] == pytest.approx(5)
    assert pace(scenes, -3) == [0, 0, 0]  # the deadline passed already: show them all at once
