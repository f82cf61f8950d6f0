"""Chinese and English through Qt's own translation: `tr`, the language choice and the catalogue.

Every user-visible string in gui/ is written `tr("...")` (and core's labels `QT_TR_NOOP("...")`,
core/words.py), in one empty translation context, so `pyside6-lupdate` finds them all and a
subclass never changes a string's context. The translations live in
resources/i18n/maml_playground_zh_CN.ts (the source of truth, edited with Qt Linguist or by hand),
compiled to the .qm that the app loads:

    python -m gui.i18n update     # re-scan the sources into the .ts (keeps translations), compile the .qm
    python -m gui.i18n status     # how many messages are finished
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from core.words import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
CATALOGUE = "maml_playground"
SOURCE_LANGUAGE = "en"

_translator: QTranslator | None = None
_current = SOURCE_LANGUAGE


def tr(text: str) -> str:
    """The current language's version of `text` (the text itself in English or when untranslated)."""
    return QCoreApplication.translate("", text)


def ts_path(lang: str) -> Path:
    return I18N / f"{CATALOGUE}_{lang}.ts"


def qm_path(lang: str) -> Path:
    return I18N / f"{CATALOGUE}_{lang}.qm"


def system_language() -> str:
    """The system locale's language if we have it (any Chinese locale reads Simplified), else English."""
    name = QLocale.system().name()
    if name.startswith("zh"):
        return "zh_CN"
    return name if name in LANGUAGES else SOURCE_LANGUAGE


def check_language(lang: str) -> str:
    """`lang` when known; ValueError with the choices otherwise (for --lang and sessions)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def current() -> str:
    return _current


def install(lang: str) -> bool:
    """Make `lang` the running application's language. False (and English) when its compiled
    catalogue is missing or unreadable; the caller says so."""
    global _translator, _current
    app = QCoreApplication.instance()
    check_language(lang)
    if _translator is not None:
        app.removeTranslator(_translator)
        _translator = None
    _current = SOURCE_LANGUAGE
    if lang == SOURCE_LANGUAGE:
        return True
    translator = QTranslator(app)
    if not (qm_path(lang).is_file() and translator.load(str(qm_path(lang)))):
        return False
    app.installTranslator(translator)
    _translator, _current = translator, lang
    return True


# ---- the catalogue: scan, compile, count ----
def sources() -> list[Path]:
    """Every Python file whose strings the user can see."""
    files = [*(ROOT / "gui").glob("*.py"), *(ROOT / "core").rglob("*.py"), ROOT / "main.py"]
    return sorted(f for f in files if f.is_file())


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease from the interpreter's own environment."""
    here = Path(sys.executable).parent / f"pyside6-{name}"
    return str(here) if here.exists() else f"pyside6-{name}"


def update(lang: str = "zh_CN") -> None:
    rel = [str(p.relative_to(ROOT)) for p in sources()]
    ts_path(lang).parent.mkdir(parents=True, exist_ok=True)
    ts = str(ts_path(lang).relative_to(ROOT))
    subprocess.run([tool("lupdate"), *rel, "-no-obsolete", "-locations", "none", "-ts", ts], cwd=ROOT, check=True)
    compile_qm(lang)


def compile_qm(lang: str = "zh_CN") -> None:
    subprocess.run([tool("lrelease"), str(ts_path(lang)), "-qm", str(qm_path(lang))], cwd=ROOT, check=True)


def status(lang: str = "zh_CN") -> tuple[int, int]:
    """(finished, total) messages in the .ts."""
    messages = ET.parse(ts_path(lang)).getroot().iter("message")
    total = finished = 0
    for m in messages:
        total += 1
        t = m.find("translation")
        if t is not None and t.get("type") not in ("unfinished", "vanished", "obsolete") and (
                (t.text or "").strip() or any((n.text or "").strip() for n in t.iter("numerusform"))):
            finished += 1
    return finished, total


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "update":
        update()
    elif command == "compile":
        compile_qm()
    done, total = status()
    print(f"zh_CN: {done} of {total} messages finished ({100 * done / max(total, 1):.1f}%)")
