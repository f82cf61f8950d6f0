"""Chinese and English: every visible string goes through Qt's translation, the catalogue is
complete and compiled, and the window in Chinese shows Chinese."""
import ast
import re
import string
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Calls whose string arguments the user reads.
SINKS = {"setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip", "setTitle",
         "setLabelText", "addAction", "addMenu", "QAction", "QLabel", "QPushButton", "QToolButton",
         "QCheckBox", "QRadioButton", "QGroupBox", "QDockWidget", "QMenu", "show_notice", "showMessage",
         "setHtml", "question", "warning", "critical", "information", "QMessageBox", "getOpenFileName",
         "getSaveFileName", "setLabel", "addRow", "setSpecialValueText", "setSuffix", "setPrefix"}
# Words that stay as they are in every language (names, units, formulas).
KEEP = {"MAML", "FOMAML", "iMAML", "ANIL", "CAVIA", "Reptile", "Meta-SGD", "Alpha", "MSE", "SGD", "Adam", "MLP",
        "GIF", "MP4", "PNG", "JSON", "CPU", "GPU", "CUDA", "it", "s", "ms", "x", "y", "K", "N", "a", "b", "sin",
        "fps", "Ctrl", "Shift", "Esc", "Space", "F9", "F11", "PageUp", "PageDown", "torch"}


def needs_translation(text: str) -> bool:
    if re.fullmatch(r"[\w.-]+\.\w{2,5}", text):  # a file name, e.g. a dialog's suggested demo.maml.json
        return False
    words = re.findall(r"[A-Za-z][A-Za-z-]+", re.sub(r"<[^>]+>|&\w+;", " ", text))
    return any(w not in KEEP for w in words)


def literal_text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def untranslated(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SINKS:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            text = literal_text(arg)
            if text is not None and needs_translation(text):
                found.append(f"{path.name}:{node.lineno}: {text[:60]!r}")
    return found


def test_every_visible_literal_goes_through_tr():
    found = [line for f in sorted((ROOT / "gui").glob("*.py")) for line in untranslated(f)]
    assert not found, "wrap these in tr(...):\n" + "\n".join(found)


def test_the_checker_finds_a_bare_label(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('w.setToolTip("Start meta-training")\nw.setText(tr("Play"))\nQLabel(f"{n} steps")\n'
                   'QLabel("MSE")\n', encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in untranslated(bad)] == ["'Start meta-training'", "' steps'"]


def test_the_catalogue_is_finished():
    from gui.i18n import status

    done, total = status("zh_CN")
    assert total > 100
    assert done / total >= 0.95, f"only {done} of {total} messages are translated"


def test_the_catalogue_holds_every_source_string(tmp_path):
    """A fresh scan of the sources finds no message that the shipped catalogue lacks."""
    from gui.i18n import ROOT as root
    from gui.i18n import sources, tool

    fresh = tmp_path / "fresh.ts"
    rel = [str(p.relative_to(root)) for p in sources()]
    subprocess.run([tool("lupdate"), *rel, "-locations", "none", "-ts", str(fresh)], cwd=root, check=True,
                   capture_output=True)
    import xml.etree.ElementTree as ET

    def sources_of(path):
        return {m.findtext("source") for m in ET.parse(path).getroot().iter("message")}

    from gui.i18n import ts_path
    missing = sources_of(fresh) - sources_of(ts_path("zh_CN"))
    assert not missing, f"run `python -m gui.i18n update` and translate: {sorted(missing)[:10]}"


def test_the_compiled_catalogue_matches_the_source(qapp):
    """Every finished translation in the .ts is what the shipped .qm gives (the .qm is not stale)."""
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import QTranslator

    from gui.i18n import qm_path, ts_path

    t = QTranslator()
    assert t.load(str(qm_path("zh_CN")))
    stale = []
    for m in ET.parse(ts_path("zh_CN")).getroot().iter("message"):
        tr_node = m.find("translation")
        if m.get("numerus") == "yes" or tr_node.get("type") == "unfinished" or not tr_node.text:
            continue
        if t.translate("", m.findtext("source")) != tr_node.text:
            stale.append(m.findtext("source"))
    assert not stale, f"run `python -m gui.i18n compile`: {stale[:5]}"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_translation_keeps_its_fields():
    """A template's translation must name the same fields ({0}, {iteration:,} ...), or the
    window's .format() would fail or drop a value."""
    import xml.etree.ElementTree as ET

    from gui.i18n import ts_path

    wrong = []
    for m in ET.parse(ts_path("zh_CN")).getroot().iter("message"):
        source, target = m.findtext("source"), m.findtext("translation") or ""
        if target and fields(source) != fields(target):
            wrong.append((source, target))
    assert not wrong, wrong[:5]


def test_the_trainers_notices_are_shown_in_the_windows_language(qapp):
    """The trainer sends a notice as its template and values; the window formats the template's
    translation (and falls back to the English text if a translation's fields do not match)."""
    from types import SimpleNamespace

    from gui import i18n
    from gui.main_window import _friendly

    snap = SimpleNamespace(message="Diverged at iteration 12 (meta-loss 3.1e+38); rolled back to iteration 8. "
                                   "Try a smaller learning rate, then Play.",
                           message_template="Diverged at iteration {iteration} (meta-loss {value:.3g}); rolled back "
                                            "to iteration {rolled_back}. Try a smaller learning rate, then Play.",
                           message_values={"iteration": 12, "value": 3.1e38, "rolled_back": 8})
    try:
        assert i18n.install("zh_CN")
        shown = _friendly(snap)
        assert "12" in shown and "3.1e+38" in shown and "8" in shown
        assert not re.search(r"[A-Za-z]{3,}", shown), shown
        snap.message_values = {"iteration": 12}  # a template whose values do not fit: the English text
        assert _friendly(snap) == snap.message
    finally:
        i18n.install("en")
    snap.message_values = {"iteration": 12, "value": 3.1e38, "rolled_back": 8}
    assert _friendly(snap) == snap.message


def test_install_and_back(qapp):
    from gui import i18n

    try:
        assert i18n.install("zh_CN") and i18n.current() == "zh_CN"
        assert i18n.tr("Play") != "Play"
        assert i18n.install("en") and i18n.tr("Play") == "Play"
    finally:
        i18n.install("en")
    with pytest.raises(ValueError, match="zh_CN"):
        i18n.check_language("fr")


# A visible text in Chinese may keep these (names, symbols, units, keys); any other Latin word is a miss.
LATIN_OK = KEEP | {"Meta", "SGD", "Alpha", "Playground", "lr", "Ctrl", "F1", "F11", "F9", "Esc", "Shift", "Delete",
                   "Enter", "Home", "End", "PageDown", "PageUp", "log", "cpu", "cuda", "auto", "mlp", "two-param",
                   "adam", "sgd", "maml", "fomaml", "reptile", "metasgd", "anil",
                   "alpha", "imaml", "cavia", "English", "nan", "inf", "e", "SVG",
                   "Finn", "Ti", "loss"}  # the last three: Algorithm 1's citation and symbols (T_i, loss_i)


def english_left(window) -> list[str]:
    """Visible texts of the window that still hold an English word."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QMenu

    texts = []
    for cls, get in ((QLabel, "text"), (QAbstractButton, "text"), (QGroupBox, "title"), (QMenu, "title")):
        for wdg in window.findChildren(cls):
            if wdg.isVisibleTo(window) or cls is QMenu:
                texts.append(getattr(wdg, get)())
    # pyqtgraph's own plot menus (its "Export...") are the library's, not ours
    texts += [a.text() for a in window.findChildren(QAction) if not type(a.parent()).__module__.startswith("pyqtgraph")]
    for box in window.findChildren(QComboBox):  # every choice, not only the one shown
        if box.isVisibleTo(window):
            texts += [box.itemText(i) for i in range(box.count())]
    left = []
    for text in texts:
        plain = re.sub(r"<[^>]+>|&\w+;|&", " ", text)
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", plain) if w not in LATIN_OK]
        if words:
            left.append(f"{text[:70]!r}: {words}")
    return left


def test_view_language_rebuilds_the_window_in_chinese_around_the_same_trainer(qtbot, open_window, wait_snapshot):
    from gui import i18n
    from gui.language import WINDOWS

    w = open_window(playing=True)
    w.demo.explain.setChecked(True)
    host = w.host
    wait_snapshot(w, lambda s: s.iteration > 0)
    zh = next(a for a in w.demo.languages.actions() if a.text() == i18n.LANGUAGES["zh_CN"])
    try:
        zh.trigger()
        new = WINDOWS.current
        assert new is not w and new.host is host and host.alive() and not w.isVisible()
        assert new.demo.explain.isChecked()  # what the user set up carries over
        assert new.menuBar().actions()[0].text() == "文件(&F)"
        before = host.iterations
        qtbot.waitUntil(lambda: new.snapshot is not None and new.snapshot.iteration > before + 5, timeout=30_000)
        try:
            qtbot.waitUntil(lambda: english_left(new) == [], timeout=10_000)
        except Exception:
            raise AssertionError("English left in the Chinese window:\n" + "\n".join(english_left(new))) from None
        en = next(a for a in new.demo.languages.actions() if a.text() == "English")
        en.trigger()
        back = WINDOWS.current
        assert back is not new and back.menuBar().actions()[0].text() == "&File" and host.alive()
        back.close()  # the last window stops the trainer
    finally:
        i18n.install("en")
    assert not host.alive()


def test_a_session_remembers_its_language(qtbot, open_window, tmp_path):
    from gui import i18n
    from gui.language import WINDOWS

    w = open_window()
    path = tmp_path / "zh.maml.json"
    try:
        assert i18n.install("zh_CN")
        assert w.demo.documents.save_session(str(path))
        assert '"language": "zh_CN"' in path.read_text(encoding="utf-8")
        i18n.install("en")
        assert w.demo.documents.open_session(str(path))  # the window comes back in Chinese
        new = WINDOWS.current
        assert new is not w and i18n.current() == "zh_CN" and new.menuBar().actions()[0].text() == "文件(&F)"
        new.close()
    finally:
        i18n.install("en")
