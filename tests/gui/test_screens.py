"""The window on small screens: the init panels keep half the height, nothing is cut (titles,
MSE readouts, headline, status bar), the sidebar collapses, the text grows, flags start it so."""
import pytest
from PySide6.QtCore import QPoint

from gui import style
from gui.main_window import MIN_SIZE, TASK_SHARE


@pytest.fixture(autouse=True)
def normal_theme():
    yield  # the app has one theme: leave it as found
    style.themes.set(style.DARK)


def top_in(w, widget) -> int:
    return widget.mapTo(w, QPoint(0, 0)).y()


def fits(w) -> list[str]:
    """What is cut or overlapping, in words (empty: all fits)."""
    bad = []
    task_bottom = top_in(w, w.task_area) + w.task_area.height()
    if w.task_area.height() < TASK_SHARE * w.height() - 1:
        bad.append(f"init panels {w.task_area.height()} px of {w.height()}")
    if top_in(w, w.train_area) < task_bottom:
        bad.append("the loss row overlaps the init panels")
    if w.headline.heightForWidth(w.headline.width()) > w.headline.height():
        bad.append("headline cut")
    for card in (*w.panels.values(), w.loss, w.eval):
        if card.isHidden():
            continue
        if card.title.sizeHint().width() > card.title.width():
            bad.append(f"title {card.title.text()!r} cut")
        if card.readout.heightForWidth(card.readout.width()) > card.readout.height():
            bad.append(f"readout of {card.title.text()!r} cut: {card.readout.size()}, "
                       f"{card.readout.heightForWidth(card.readout.width())} needed, {w.size()}")
        if card.legend.heightForWidth(card.legend.width()) > card.legend.height():
            bad.append(f"legend of {card.title.text()!r} cut: {card.legend.size()}, "
                       f"{card.legend.heightForWidth(card.legend.width())} needed, {w.size()}")
    for k, label in w.status.items():
        if label.isVisible() and label.width() < label.sizeHint().width():
            bad.append(f"status {k} {label.text()!r} cut")
    return bad


@pytest.mark.parametrize("presenter", [False, True])
def test_small_screens_with_explain_on_fit(qtbot, open_window, presenter):
    w = open_window()
    w.demo.explain.setChecked(True)
    w.demo.present.setChecked(presenter)
    assert (style.themes.current.scale > 1) == presenter
    w.showNormal()  # presenter mode's fonts and controls, at the sizes below (offscreen has one 800 px screen)
    for size in ((1024, 768), (1280, 720), MIN_SIZE):
        w.resize(*size)

        def settled(s=size):
            assert (w.width(), w.height()) == s
            assert fits(w) == []

        qtbot.waitUntil(settled, timeout=10_000)


def test_text_size_steps_and_back(open_window):
    w = open_window()
    body = style.themes.current.body_pt
    for _ in range(3):
        w.demo.presenter.text_size(1)  # Ctrl+=
    assert style.themes.current.scale == pytest.approx(1.1 ** 3, abs=1e-3)
    assert w.controls.play.font().pointSize() == style.themes.current.body_pt > body
    for _ in range(20):
        w.demo.presenter.text_size(-1)  # Ctrl+-, down to its floor
    assert 0.7 < style.themes.current.scale < 1
    w.demo.presenter.text_size(0)  # Ctrl+0
    assert style.themes.current.scale == 1.0 and w.controls.play.font().pointSize() == body


def test_the_sidebar_collapses_and_comes_back(qtbot, open_window):
    w = open_window()
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.width() == 1280)
    wide = w.panels["meta"].width()
    w.demo.sidebar.trigger()  # Ctrl+B, or the toolbar's button
    assert w.sidebar.isHidden()
    qtbot.waitUntil(lambda: w.panels["meta"].width() > wide + 100)
    collapsed = w.panels["meta"].width()
    w.demo.sidebar.trigger()
    assert w.sidebar.isVisible()
    qtbot.waitUntil(lambda: w.panels["meta"].width() < collapsed - 100)  # the controls take their room again


def test_flags_start_the_window_as_asked(qtbot, open_window):
    from gui.app import parse_args

    args = parse_args(["--explain", "--theme", "light"])
    assert args.explain and not args.presenter and args.theme == "light"
    w = open_window()
    w.demo.start_as(presenter=args.presenter, explain=args.explain, light=args.theme == "light")
    assert style.themes.current.name == "light" and w.demo.explainer.on and not w.demo.presenter.on
    from gui.app import StartError

    with pytest.raises(StartError, match="--theme"):  # one line and exit 2, as every refused flag
        parse_args(["--theme", "blue"])


PLOT_MIN_PX = 70  # the least height of a plot's data area (px): its curve and three ticks read from the back


def plot_heights(w) -> dict[str, int]:
    """The height of each shown plot's data area (its view box), in pixels."""
    cards = {**{m: p for m, p in w.panels.items() if not p.isHidden()}, "loss": w.loss, "eval": w.eval}
    return {name: round(card.plot.getPlotItem().getViewBox().sceneBoundingRect().height())
            for name, card in cards.items()}


@pytest.fixture
def language(request):
    from gui import i18n

    assert i18n.install(request.param)
    yield request.param
    i18n.install("en")


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_every_plot_keeps_a_usable_height(qtbot, open_window, language):
    """1024x768, 1280x720 and 1920x1080 with Explain on, presenter off and on, both themes, in
    English and Chinese: every plot keeps PLOT_MIN_PX, the task panels half the window, and
    nothing is cut."""
    w = open_window()
    assert (w.demo.explain.text() == "E&xplain") == (language == "en")  # the window speaks it
    w.demo.explain.setChecked(True)
    for presenter in (False, True):
        w.demo.present.setChecked(presenter)
        w.showNormal()  # presenter mode's fonts and controls, at the sizes below
        for light in (False, True):
            w.demo.presenter.set_light(light)
            for size in ((1024, 768), (1280, 720), (1920, 1080)):
                w.resize(*size)

                def settled(s=size, case=(presenter, light)):
                    assert (w.width(), w.height()) == s
                    assert fits(w) == []
                    low = {k: h for k, h in plot_heights(w).items() if h < PLOT_MIN_PX}
                    assert not low, f"plots squeezed at {s}, (presenter, light) {case}: {low}"

                qtbot.waitUntil(settled, timeout=10_000)


TOUR_PLOT_MIN_PX = 30  # with the tour's captions on a 720 px screen in presenter mode: small, but a plot


def test_the_tours_captions_leave_the_training_row_a_plot(qtbot, open_window):
    """The tour's caption bar along the bottom takes about a fifth of a 720 px screen in presenter
    mode. The init panels then keep TOUR_TASK_SHARE of what is left, so the training row keeps a
    plot (it was squeezed to its axes, the legend under them); without the tour, half again."""
    w = open_window()
    w.demo.present.setChecked(True)
    w.showNormal()
    assert w.demo.tour.start(False, None)
    try:
        for size in ((1024, 768), (1280, 720), (1920, 1080)):
            w.resize(*size)

            def settled(s=size):
                assert (w.width(), w.height()) == s and w.demo.tour.bar.isVisible()
                assert [bad for bad in fits(w) if not bad.startswith("init panels")] == []
                low = {k: h for k, h in plot_heights(w).items() if h < TOUR_PLOT_MIN_PX}
                assert not low, f"plots squeezed at {s} with the tour's captions: {low}"

            qtbot.waitUntil(settled, timeout=10_000)
    finally:
        w.demo.tour.leave()
    qtbot.waitUntil(lambda: not w.demo.tour.bar.isVisible() and fits(w) == [], timeout=10_000)


def test_a_presets_description_keeps_two_lines_on_a_short_window(qtbot, open_window):
    """A long description and claim: two lines on a projector's 720 px (the rest in its tooltip),
    three on a taller window, where it fits whole."""
    from gui.main_window import PRESET_LINES

    w = open_window()
    w.showNormal()
    text = ("The article's worked example: a·sin(x + b) with a, b ~ U(0, 2), 10 evenly spaced x, a model of two "
            "scalars, plain SGD; the fit drawn before and after 1, 10 and 100 steps (α = 0.02). Claim: after ~5 s "
            "of meta-training, the held-out MSE of MAML after 100 steps is ≥ 10x below the random init's.")
    w.show_preset(text)
    lines = lambda: w.preset_line.text().count("\n") + 1  # noqa: E731
    w.demo.present.setChecked(True)
    w.showNormal()  # presenter mode's fonts, at the size below
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: w.size().height() == 720 and lines() == PRESET_LINES[0] and fits(w) == [],
                    timeout=10_000)
    assert w.preset_line.text().endswith("…") and text in w.preset_line.toolTip()
    w.demo.present.setChecked(False)
    w.showNormal()
    w.resize(1920, 1080)
    qtbot.waitUntil(lambda: w.size().height() == 1080 and fits(w) == [], timeout=10_000)
    assert lines() <= PRESET_LINES[1] and not w.preset_line.text().endswith("…")
