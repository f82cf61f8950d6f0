"""The files a demo opens and saves: presets, sessions, checkpoints and the shipped trained model.

Each has a path-taking method (what tests call) and a dialog wrapper. Every refusal is a
notice in the window and leaves the state unchanged.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog

from core.controls import Controls
from gui import presets
from gui.i18n import tr


class Documents(QObject):
    def __init__(self, window, notice):
        super().__init__(window)
        self.window = window
        self.notice = notice  # notice(text, error=False)

    def apply(self, c: Controls, loaded=None, reset: bool = True) -> None:
        """Replace every control (and the task) at once; a reset starts training from the
        preset's seed, a checkpoint (already read and validated) then replaces the initialisation."""
        w = self.window
        w.shared.update(**{f.name: getattr(c, f.name) for f in fields(Controls)})
        if reset:
            w.shared.post("reset")
        if loaded is not None:
            w.shared.post("load", loaded)

    # ---- presets and sessions --------------------------------------------------------------
    def open_preset(self, path) -> bool:
        from core.checkpoint import load

        try:  # everything read and checked first: a refused preset or checkpoint changes nothing
            c, checkpoint, _ = presets.read_preset(path, playing=self.window.shared.get().playing)
            loaded = load(checkpoint) if checkpoint else None
        except ValueError as e:  # PresetError (its words in the window's language), CheckpointError
            self.notice(e.shown(tr) if hasattr(e, "shown") else str(e), error=True)
            return False
        self.apply(c, loaded)
        text = presets.description(path, c)
        self.notice(tr("Preset: {0}").format(text))
        self.window.show_preset(text, path)
        return True

    def open_session(self, path) -> bool:
        from core.session import SessionError

        try:
            c, checkpoint, language = presets.read_session(path, with_language=True)
            if checkpoint:
                from core.checkpoint import load

                loaded = load(Path(path).parent / checkpoint)
        except (SessionError, ValueError) as e:
            self.notice(str(e), error=True)
            return False
        self.apply(c, loaded if checkpoint else None, reset=True)
        self.window.saved_task = self.window.shared.get().task
        self.window.show_preset("")  # a session is not the preset any more
        window = self.window
        if language is not None:  # the session's language: the window is rebuilt in it (gui/language.py)
            from gui.language import switch

            window = switch(window, language)
        window.demo.notice(tr("Opened session {0}").format(Path(path).name))
        return True

    def save_session(self, path) -> bool:
        from core import session

        try:
            from gui.i18n import current

            session.write(path, self.window.shared.get(), language=current())
        except OSError as e:
            self.notice(tr("Could not save {0}: {1}").format(path, e.strerror or e), error=True)
            return False
        except ValueError as e:  # safeio.FileRefused: a folder, a device, an empty name
            self.notice(tr("Could not save: {0}").format(e), error=True)
            return False
        self.window.saved_task = self.window.shared.get().task
        self.notice(tr("Saved session to {0}").format(path))
        return True

    # ---- checkpoints -----------------------------------------------------------------------
    def load_checkpoint_from(self, path) -> bool:
        from core.checkpoint import CheckpointError, load

        try:
            loaded = load(path)
        except CheckpointError as e:
            self.notice(str(e), error=True)
            return False
        self.window.shared.post("load", loaded)
        return True

    def save_checkpoint_to(self, path) -> bool:
        """Checked here first (a folder, a device, no permission: said at once); the trainer writes it."""
        from core import safeio

        try:
            path = safeio.check_target(path, "checkpoint")
        except safeio.FileRefused as e:
            self.notice(tr("Could not save: {0}").format(e), error=True)
            return False
        self.window.shared.post("save", path)
        return True

    @Slot()
    def load_trained_model(self) -> bool:
        """The shipped checkpoint with its own settings (alpha, K, ...), so the panels show what it learned."""
        from core.checkpoint import CheckpointError, load

        try:
            loaded = load(presets.TRAINED)
        except CheckpointError as e:
            self.notice(str(e), error=True)
            return False
        cfg, c = loaded.config, self.window.shared.get()
        keep = {k: cfg[k] for k in ("inner_lr", "outer_lr", "inner_steps", "shots", "meta_batch",
                                    "outer_optimizer", "seed") if k in cfg}
        # its own setup too (whatever model is selected, e.g. the two scalars), in the same update
        # as the rest, so the trainer never sees its parameters with another model's controls
        keep.update(algorithm=cfg["algorithm"], family=cfg["task"], model=cfg["model"], hidden=tuple(cfg["hidden"]))
        if cfg["task"] != c.family or cfg.get("shots", c.shots) != c.shots or c.task is None:
            import numpy as np

            from core.display import new_display_task

            keep["task"] = new_display_task(cfg["task"], cfg.get("shots", c.shots),
                                            np.random.default_rng(cfg.get("seed", 0)))
        self.window.shared.update(**keep)
        self.window.shared.post("load", loaded)
        self.notice(tr("Loaded the trained model: MAML after {0:,} meta-iterations").format(cfg.get("iterations", 0)))
        return True

    # ---- dialogs ---------------------------------------------------------------------------
    @Slot()
    def ask_preset(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, tr("Open preset"), str(presets.PRESETS),
                                              tr("Presets") + " (*.json)")
        if path:
            self.open_preset(path)

    @Slot()
    def ask_open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, tr("Open session"), "",
                                              tr("Sessions") + " (*.maml.json *.json)")
        if path:
            self.open_session(path)

    @Slot()
    def ask_save_session(self) -> bool:
        """A file dialog, then save; False if the user cancelled or the save failed."""
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Save session"), "demo.maml.json",
                                              tr("Sessions") + " (*.maml.json)")
        return bool(path) and self.save_session(path)
