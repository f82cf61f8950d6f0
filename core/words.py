"""The window's languages, and a marker for user-visible text in the Qt-free engine.

`QT_TR_NOOP("text")` returns the text unchanged; the name is the one `pyside6-lupdate` looks for,
so labels and help written here land in the translation catalogue, and the window shows
`gui.i18n.tr(label)`. The engine itself stays in English (the CLI is not translated).
"""


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 (the name lupdate recognises)
    return text


# Each in its own language, as View > Language shows them; sessions remember one of these.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
