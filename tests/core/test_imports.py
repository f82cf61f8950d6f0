"""core/ must never import Qt (or anything built on it): it runs headless and in tests."""
import ast
import pathlib
import subprocess
import sys

CORE = pathlib.Path(__file__).resolve().parents[2] / "core"
QT = ("PySide6", "PyQt", "pyqtgraph", "superqt", "qtpy")


def is_qt(module: str) -> bool:
    return module.split(".")[0].startswith(QT)


def qt_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if is_qt(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and is_qt(node.module):
            found.append(node.module)
    return found


def test_detector_sees_qt_imports():
    # the checker itself: it must flag every spelling
    src = "import PySide6.QtCore\nfrom PyQt5 import QtWidgets\nimport pyqtgraph as pg\n" \
          "from superqt import QLabeledSlider\nimport qtpy\nif True:\n    from PySide6 import QtGui\n"
    assert len(qt_imports(src)) == 6
    assert qt_imports("import numpy\nfrom core.models import MLP\nimport torch\n") == []


def test_core_sources_do_not_import_qt():
    files = sorted(CORE.rglob("*.py"))  # the algorithms/ package too
    names = {f.relative_to(CORE).as_posix() for f in files}
    assert {"tasks.py", "models.py", "algorithms/__init__.py", "algorithms/base.py", "trainer.py"} <= names
    offenders = {f.relative_to(CORE).as_posix(): qt_imports(f.read_text(encoding="utf-8")) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_core_loads_no_qt():
    modules = ["core.tasks", "core.models", "core.algorithms", "core.evaluate", "core.checkpoint",
               "core.controls", "core.trainer", "core.reference"]
    # and whatever else core/ holds now (cli, bench, ...)
    found = (".".join(("core",) + f.relative_to(CORE).with_suffix("").parts) for f in CORE.rglob("*.py"))
    modules += sorted(m for m in found if not m.endswith("__init__") and m not in modules)
    code = (f"import {', '.join(modules)}; import sys; "
            f"bad = sorted(m for m in sys.modules if m.startswith({QT!r})); "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
