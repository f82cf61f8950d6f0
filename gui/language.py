"""Changing the window's language while it runs: View > Language, and the rebuild it takes.

Qt translates a string when it is set, so a language change means setting every text again.
Rather than teach each widget to redo its own texts, the window is built anew around the same
trainer (its process, controls and snapshots carry on; the loss history, the rewind archive and
training never stop) and takes over what the user set up in the old one: presenter mode, theme,
Explain, the controls column, text size, size and place, the preset line, the tour's scene, the
unsaved-task guard and the run's statistics. A recording in progress is finished first (its file
is complete and playable) and the notice says so.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup

from gui import i18n
from gui.i18n import tr


class Windows:
    """The window now showing (main.py's quit timer, Ctrl+C and --stats follow it across rebuilds)."""

    current = None


WINDOWS = Windows()


def add_menu(demo, view_menu) -> None:
    """View > Language: one checkable entry per language, each in its own language."""
    menu = view_menu.addMenu(tr("&Language"))
    group = QActionGroup(menu)
    for lang, name in i18n.LANGUAGES.items():
        action = QAction(name, menu, checkable=True)
        action.setChecked(lang == i18n.current())
        action.triggered.connect(lambda _=False, x=lang: switch(demo.window, x))
        group.addAction(action)
        menu.addAction(action)
    demo.languages = group


def switch(window, lang: str):
    """Show `window`'s run in `lang`; returns the window now showing (the same one when nothing
    changed, or when the catalogue is missing: then a notice says so)."""
    if lang == i18n.current():
        return window
    if not i18n.install(lang):
        window.demo.notice(tr("The {0} translation is missing: the window stays as it is").format(
            i18n.LANGUAGES[lang]), error=True)
        return window
    return rebuild(window)


def rebuild(old):
    """A new window in the current language, around `old`'s trainer; `old` closes without
    stopping it."""
    from gui.app import show_window
    from gui.main_window import MainWindow

    demo = old.demo
    if demo.recorder.active:
        demo.recorder.finish()  # the file is whole; a new recording can start in the new window
    tour = demo.tour.handover() if demo.tour.active else None
    new = MainWindow(old.host)
    for attr in ("started_at", "ask_before_close", "screenshot_path", "saved_task", "errors", "stats",
                 "first_frame_s", "shown_s"):
        setattr(new, attr, getattr(old, attr))
    if old.preset_path is not None:  # the preset's own words, in the new language
        from gui.presets import description

        new.show_preset(description(old.preset_path, old.shared.get()), old.preset_path)
    new.demo.presenter.text_steps = demo.presenter.text_steps  # the theme (and its scale) is global already
    for name in ("light", "explain", "sidebar"):
        getattr(new.demo, name).setChecked(getattr(demo, name).isChecked())
    presenting = demo.present.isChecked()
    geometry = old.geometry()
    old.release()  # its timers stop and it lets go of the trainer, which carries on
    show_window(new, position=False)
    if presenting:
        new.demo.present.setChecked(True)
    else:
        new.setGeometry(geometry)
    old.close()
    old.deleteLater()
    if tour is not None:
        new.demo.tour.take_over(tour)
    WINDOWS.current = new
    return new
