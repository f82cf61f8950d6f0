"""Single-panel export (gui/export.py): the picture is encoded in memory and written whole
through core.safeio, so a failed or refused export leaves the user's path as it was."""
import os

from gui import export


def test_panel_exports_are_atomic(tmp_path, open_window, monkeypatch):
    w = open_window()
    notices = []
    out = w.demo.exports
    monkeypatch.setattr(out, "notice", lambda text, error=False: notices.append((text, error)))

    old = tmp_path / "maml.png"
    old.write_bytes(b"the user's old picture")
    assert out.export_panel("meta", old)
    assert old.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and old.stat().st_size > 5_000
    assert out.export_panel("eval", tmp_path / "eval.svg") and "<svg" in (tmp_path / "eval.svg").read_text()

    victim = tmp_path / "victim.txt"  # a link planted at the path: replaced, its target untouched
    victim.write_text("keep me")
    link = tmp_path / "linked.svg"
    link.symlink_to(victim)
    assert out.export_panel("loss", link)
    assert victim.read_text() == "keep me" and not link.is_symlink() and "<svg" in link.read_text()

    assert not out.export_panel("meta", tmp_path / "missing" / "x.png")  # refused with a message
    assert notices[-1][1] and "does not exist" in notices[-1][0]
    assert not out.export_panel("meta", tmp_path)  # a folder is never replaced
    assert notices[-1][1] and tmp_path.is_dir()

    def broken(view, title=""):
        raise RuntimeError("the painter gave up")

    monkeypatch.setattr(export, "svg_of_plot", broken)  # a failure while drawing: the old file stays whole
    assert not out.export_panel("eval", tmp_path / "eval.svg")
    assert "<svg" in (tmp_path / "eval.svg").read_text() and "gave up" in notices[-1][0]
    assert sorted(os.listdir(tmp_path)) == ["eval.svg", "linked.svg", "maml.png", "victim.txt"]  # no temporary left
