"""The window's languages, and a marker for user-visible text in the Qt-free engine.

`QT_TR_NOOP("text")` returns the text unchanged; the name is the one `pyside6-lupdate` looks for,
so labels and help written here land in the translation catalogue, and the window shows
`gui.i18n.tr(label)`. The engine itself stays in English (the CLI is not translated).
"""


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 (the name lupdate recognises)
    return text


# Each in its own language, as View > Language shows them; sessions remember one of these.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


class TranslatableError(ValueError):
    """An error whose words are kept as a template and its values: the window shows them in its
    language (`shown(tr)`) while the message itself, which the CLI prints, stays English."""

    def __init__(self, template: str, **values):
        super().__init__(template.format(**values) if values else template)
        self.template, self.values = template, values

    def shown(self, translate=str) -> str:
        text = translate(self.template)
        return text.format(**self.values) if self.values else text
