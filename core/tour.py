"""The guided tour's scenes: data files (resources/tour/*.json) read and checked here, Qt-free.

A scene is a JSON object:

    {"title":   {"en": "...", "zh_CN": "..."},
     "caption": {"en": "...", "zh_CN": "..."},
     "settings": {Controls fields, checked by core/settings.py's table, as a preset's are},
     "task": {"a": 1.5, "b": 0.5},          optional: the task shown (else the seed's)
     "reset": true,                         optional: restart meta-training from a fresh init
     "checkpoint": "checkpoints/x.pt",      optional, relative to resources/: load this init
     "panels": {"explain": true},           optional: the panels it turns on (others go off)
     "seconds": 8}                          how long it stays when the tour plays itself

Every scene starts from the default controls plus its own settings, so a scene looks the same
whichever scene came before it (stepping back works). A bad file raises `TourError` naming the
file and the field.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from core.controls import Controls
from core.families import FAMILIES
from core.settings import check_controls

LANGUAGES = ("en", "zh_CN")  # every caption and title in each of these
PANELS = ("explain", "pretrained")  # what a scene may switch on; absent ones are off
KEYS = {"title", "caption", "settings", "task", "reset", "checkpoint", "panels", "seconds"}
MAX_SECONDS = 600.0


class TourError(ValueError):
    """A scene file that cannot be used; the message says which file and field, and why."""


@dataclass(frozen=True)
class Scene:
    name: str  # the file's stem: what --stats and the logs call it
    title: dict[str, str]  # language -> a few words
    caption: dict[str, str]  # language -> a sentence or two for the audience
    changes: dict  # Controls fields the scene sets (validated), besides the task
    task: tuple[float, float] | None  # (a, b) of the task shown, or None: the seed's own
    reset: bool  # restart meta-training from a fresh initialisation
    checkpoint: Path | None  # an initialisation to load, or None
    panels: dict[str, bool]  # every name in PANELS -> shown
    seconds: float  # how long it stays when the tour plays itself

    def text(self, language: str) -> tuple[str, str]:
        """(title, caption) in this language, English when it has none."""
        lang = language if language in self.caption else "en"
        return self.title[lang], self.caption[lang]

    def controls(self) -> Controls:
        """The defaults plus the scene's settings, with its task (drawn as a preset's is)."""
        import numpy as np

        from core.display import new_display_task, with_params

        c = replace(Controls(), **self.changes)
        task = new_display_task(c.family, c.shots, np.random.default_rng(c.seed))
        if self.task is not None:
            task = with_params(task, *self.task)
        return replace(c, task=task)


def _words(data, key: str, where: str) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise TourError(f"{where}: {key} must be an object of texts by language, e.g. "
                        f"{{\"en\": \"...\", \"zh_CN\": \"...\"}}, not {value!r}")
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise TourError(f"{where}: {key} needs a non-empty {lang!r} text")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise TourError(f"{where}: {key} has unknown languages {sorted(unknown)}; known: {', '.join(LANGUAGES)}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _task(data, family: str, where: str) -> tuple[float, float] | None:
    task = data.get("task")
    if task is None:
        return None
    fam = FAMILIES[family]
    if not isinstance(task, dict) or set(task) != {"a", "b"}:
        raise TourError(f"{where}: task must be {{\"a\": number, \"b\": number}}, not {task!r}")
    for key, (lo, hi) in (("a", fam.a_range), ("b", fam.b_range)):
        if not _number(task[key]) or not lo <= task[key] <= hi:
            raise TourError(f"{where}: task {key} must be a number in [{lo:g}, {hi:g}] for the "
                            f"{family} family (got {task[key]!r})")
    return float(task["a"]), float(task["b"])


def parse_scene(text: str, name: str, resources: Path, where: str | None = None) -> Scene:
    """One scene from its JSON text; TourError says what is wrong."""
    where = where or name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TourError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise TourError(f"{where}: a scene must be a JSON object with a title, a caption and settings")
    unknown = set(data) - KEYS
    if unknown:
        raise TourError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KEYS))}")
    title, caption = _words(data, "title", where), _words(data, "caption", where)
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise TourError(f"{where}: settings must be an object of settings, e.g. {{\"inner_lr\": 0.01}}")
    try:
        changes = check_controls(settings, f"{where}: settings")
    except ValueError as e:
        raise TourError(str(e)) from None
    task = _task(data, changes.get("family", Controls.family), where)
    if not isinstance(data.get("reset", False), bool):
        raise TourError(f"{where}: reset must be true or false, not {data['reset']!r}")
    checkpoint = data.get("checkpoint")
    if checkpoint is not None:
        if not isinstance(checkpoint, str):
            raise TourError(f"{where}: checkpoint must be a path under resources/, not {checkpoint!r}")
        path = (resources / checkpoint).resolve()
        if not path.is_file():
            raise TourError(f"{where}: checkpoint {checkpoint!r} not found under {resources}")
        checkpoint = path
    panels = data.get("panels", {})
    if not isinstance(panels, dict) or any(k not in PANELS or not isinstance(v, bool) for k, v in panels.items()):
        raise TourError(f"{where}: panels must map {' / '.join(PANELS)} to true or false, not {panels!r}")
    seconds = data.get("seconds")
    if not _number(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise TourError(f"{where}: seconds must be a number in (0, {MAX_SECONDS:g}] (how long the scene "
                        f"stays when the tour plays itself), not {seconds!r}")
    return Scene(name, title, caption, changes, task, bool(data.get("reset", False)), checkpoint,
                 {p: bool(panels.get(p, False)) for p in PANELS}, float(seconds))


def load_tour(folder: Path, resources: Path | None = None) -> list[Scene]:
    """Every *.json scene in `folder`, in file-name order; TourError on the first bad one."""
    folder = Path(folder)
    resources = resources if resources is not None else folder.parent
    files = sorted(folder.glob("*.json"))
    if not files:
        raise TourError(f"{folder}: no scene files (*.json)")
    scenes = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise TourError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
        scenes.append(parse_scene(text, path.stem, resources, str(path)))
    return scenes


def pace(scenes: list[Scene], within: float | None = None) -> list[float]:
    """Seconds each scene stays when the tour plays itself: the scenes' own, shrunk evenly when
    they would not all fit in `within` seconds (a run that quits after a set time shows them all)."""
    own = [s.seconds for s in scenes]
    total = sum(own)
    if within is None or total <= within:
        return own
    factor = max(within, 0.0) / total
    return [s * factor for s in own]
