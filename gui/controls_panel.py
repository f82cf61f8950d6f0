"""The control sidebar: every widget writes SharedControls; `sync` mirrors it back.

The shared controls are the single source of truth: the trainer may change them too
(it pauses itself on divergence, draws a task for a new family), so the window calls
`sync` whenever they change and the widgets follow without re-emitting.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider, QLabeledSlider
from superqt.utils import signals_blocked

from core.algorithms import ALGORITHM_LABELS, REGISTRY
from core.controls import Controls, SharedControls
from core.display import as_user_task, new_display_task, with_params, with_support
from core.families import FAMILIES, get_family
from core.gpu import cuda_available
from core.settings import SETTINGS, belongs
from core.words import QT_TR_NOOP
from gui import style, validation
from gui.i18n import tr
from gui.widgets import LogSlider

PARAM_NAMES = {"sinusoid": (QT_TR_NOOP("amplitude A"), QT_TR_NOOP("phase φ")),
               "sine-ab": (QT_TR_NOOP("amplitude a"), QT_TR_NOOP("phase b")),
               "linear": (QT_TR_NOOP("slope a"), QT_TR_NOOP("intercept b"))}
USER = "user"  # the family combo's entry for a task the user clicks or draws
MODEL_LABELS = {"mlp": "MLP 1-40-40-1", "two-param": QT_TR_NOOP("two scalars (article)")}
RESETS = QT_TR_NOOP("Changing this restarts meta-training from a fresh initialisation.")
# the setup rows' labels, also naming the setting in "… → …: meta-training restarts"
SETUP_LABELS = {"algorithm": QT_TR_NOOP("Algorithm"), "family": QT_TR_NOOP("Task family"),
                "model": QT_TR_NOOP("Model"), "seed": QT_TR_NOOP("Seed"), "device": QT_TR_NOOP("Device")}


def _int_slider(name: str, value: int, tip: str) -> QLabeledSlider:
    s = QLabeledSlider(Qt.Horizontal)
    s.setRange(*validation.INT_LIMITS[name])
    s.setValue(value)
    s.setToolTip(tip)
    return s


def _group(title: str) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setLabelAlignment(Qt.AlignRight)
    form.setContentsMargins(8, 10, 8, 6)
    form.setVerticalSpacing(5)  # the column must fit 900 px with every group open
    return box, form


class ControlsPanel(QWidget):
    """Grouped, labelled controls with tooltips."""

    message = Signal(str)  # a refusal or a notice for the window to show
    pretrainedToggled = Signal(bool)
    saveRequested = Signal()
    loadRequested = Signal()

    def __init__(self, shared: SharedControls, rng: np.random.Generator | None = None):
        super().__init__()
        self.shared = shared
        self.rng = rng or np.random.default_rng()
        self._synced: Controls | None = None
        self._playing_shown: bool | None = None
        c = shared.get()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)

        # --- run -------------------------------------------------------------------------------
        run = QGroupBox(tr("Meta-training"))
        row = QHBoxLayout(run)
        self.play = QPushButton(tr("Play"))
        self.play.setObjectName("play")
        self.play.setProperty("look", "play")  # gui.look paints it from its own palette (Theme.play_palette)
        bold = QFont()  # the weight alone: its size follows the panel's
        bold.setBold(True)
        self.play.setFont(bold)
        self.play.setCheckable(True)
        self.play.setToolTip(tr("Start or pause meta-training (Space)"))
        self.step = QPushButton(tr("Step"))
        self.step.setToolTip(tr("Run exactly one meta-iteration (S)"))
        self.reset = QPushButton(tr("Reset"))
        self.reset.setToolTip(tr("Start meta-training again from a fresh initialisation (R)"))
        for b in (self.play, self.step, self.reset):
            b.setMinimumHeight(38)
            row.addWidget(b, 2 if b is self.play else 1)
        lay.addWidget(run)

        # --- what is learned -------------------------------------------------------------------
        box, form = _group(tr("Setup (changes reset)"))
        self.algorithm = QComboBox()
        for name, cls in REGISTRY.items():
            self.algorithm.addItem(tr(cls.label), name)
        self.algorithm.setToolTip("\n".join(f"{tr(cls.label)}: {tr(cls.description)}" for cls in REGISTRY.values())
                                  + "\n" + tr(RESETS))
        self.family = QComboBox()
        for name, fam in FAMILIES.items():
            self.family.addItem(f"{tr(fam.title)}: {fam.label}", name)
        self.family.addItem(tr("your own task (click / draw)"), USER)
        self.family.setToolTip(tr("Which kind of task is meta-learned and shown.") + "\n" + tr(RESETS) + "\n"
                               + tr("Your own task: click on a panel to add points or draw a curve; "
                                    "meta-training goes on with the family it was on."))
        self.model = QComboBox()
        for name in validation.MODELS:
            self.model.addItem(tr(MODEL_LABELS[name]), name)
        self.model.setToolTip(tr("The network adapted to each task: the paper's MLP, or the article's model "
                                 "with just two scalars (the family's own formula).") + "\n" + tr(RESETS))
        self.seed = QSpinBox()
        self.seed.setRange(*validation.INT_LIMITS["seed"])
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip(tr("Random seed of the initialisations and task sampling.") + "\n" + tr(RESETS))
        self.device = QComboBox()
        for d in validation.DEVICES:
            self.device.addItem(d, d)
        self._cuda = cuda_available()  # without torch: the window never imports it to start
        if not self._cuda:
            self.device.model().item(validation.DEVICES.index("cuda")).setEnabled(False)
        self.device.setToolTip(tr("Where meta-training runs; auto picks CUDA when present.") + "\n" + tr(RESETS))
        for name in ("algorithm", "family", "model", "seed", "device"):
            form.addRow(tr(SETUP_LABELS[name]), getattr(self, name))
        lay.addWidget(box)

        # --- live hyperparameters ----------------------------------------------------------------
        box, form = _group(tr("Hyperparameters (live)"))
        self.alpha = LogSlider(*validation.FLOAT_LIMITS["inner_lr"], c.inner_lr, tr("inner lr α"))
        self.alpha.setToolTip(tr("α: step size of the inner SGD steps that adapt to each task "
                                 "(log scale; type a value and press Enter)"))
        self.beta = LogSlider(*validation.FLOAT_LIMITS["outer_lr"], c.outer_lr, tr("outer lr β"))
        self.beta.setToolTip(tr("β: step size of the meta-update of the initialisation (log scale)"))
        self.inner_steps = _int_slider("inner_steps", c.inner_steps,
                                       tr("Inner SGD steps per task during meta-training"))
        self.shots = _int_slider("shots", c.shots, tr("K: support points per task, in training and on the panels"))
        self.meta_batch = _int_slider("meta_batch", c.meta_batch, tr(
            "Tasks per meta-iteration (type a value in the box; up to {0:,} on a GPU, {1:,} on the CPU)").format(
            SETTINGS["meta_batch"].hi, validation.CPU_META_BATCH))
        if not self._cuda:
            self.meta_batch.setMaximum(validation.CPU_META_BATCH)
        form.addRow(tr("Inner lr α"), self.alpha)
        form.addRow(tr("Outer lr β"), self.beta)
        form.addRow(tr("Inner steps"), self.inner_steps)
        form.addRow(tr("K shots"), self.shots)
        form.addRow(tr("Meta-batch"), self.meta_batch)
        self.lam = LogSlider(*validation.FLOAT_LIMITS["lam"], c.lam, tr("iMAML λ"))
        self.lam.setToolTip(tr("iMAML's λ: how strongly each task's solution is pulled back to the "
                               "initialisation"))
        hyper = SETTINGS["hyper_lr"]  # its limit starts at 0, which a log slider cannot show
        self.hyper_lr = LogSlider(hyper.slider_lo, hyper.hi, max(c.hyper_lr, hyper.slider_lo),
                                  tr("hypergradient lr"))
        self.hyper_lr.setToolTip(tr("Alpha MAML: step size of the hypergradient update that learns α"))
        form.addRow("iMAML λ", self.lam)
        form.addRow(tr("α's lr"), self.hyper_lr)
        self._hp_form = form
        lay.addWidget(box)

        # --- the displayed task ----------------------------------------------------------------
        box, form = _group(tr("Displayed task"))
        self.task_form = form  # the window adds the task editor's buttons here
        self.new_task = QPushButton(tr("New task"))
        self.new_task.setToolTip(tr("Draw a new random task and new support points (N)"))
        self.new_points = QPushButton(tr("New points"))
        self.new_points.setToolTip(tr("Same task, K new support points"))
        buttons = QHBoxLayout()
        for b in (self.new_task, self.new_points):
            b.setMinimumHeight(b.sizeHint().height())  # a tight column must not clip their text
            buttons.addWidget(b)
        form.addRow(buttons)
        self.param_a, self.param_b = QLabeledDoubleSlider(Qt.Horizontal), QLabeledDoubleSlider(Qt.Horizontal)
        self.label_a, self.label_b = QLabel(), QLabel()
        for s in (self.param_a, self.param_b):
            s.setDecimals(2)
        form.addRow(self.label_a, self.param_a)
        form.addRow(self.label_b, self.param_b)
        self.display_steps = _int_slider("display_steps", c.display_steps,
                                         tr("N: inner steps drawn on the panels (before, after 1 step, ..., "
                                            "after N)"))
        form.addRow(tr("Steps shown"), self.display_steps)
        self.pretrained = QCheckBox(tr("Show pretrained baseline panel"))
        self.pretrained.setToolTip(tr("A third panel: one network trained by plain regression on all tasks, "
                                      "then fine-tuned the same way"))
        form.addRow(self.pretrained)
        lay.addWidget(box)

        files = QHBoxLayout()
        self.save = QPushButton(tr("Save checkpoint…"))
        self.save.setToolTip(tr("Write the current meta-initialisation to a .pt file"))
        self.load = QPushButton(tr("Load checkpoint…"))
        self.load.setToolTip(tr("Replace the meta-initialisation with one from a .pt file"))
        files.addWidget(self.save)
        files.addWidget(self.load)
        lay.addLayout(files)
        lay.addStretch(1)

        for box in self.findChildren(QLineEdit):  # superqt's value boxes: transparent, frameless
            if box.styleSheet():  # its own stylesheet would pin its palette when polished (not the theme's)
                box.setStyleSheet("")
                box.setFrame(False)
        self._set_family_ranges(c.family)
        self.sync(c)
        self._connect()
        self._measured_pt = style.themes.current.body_pt  # the font the value boxes were measured in
        style.themes.follow(self.apply_theme)

    def apply_theme(self, theme) -> None:
        """The Play button's colours (its own palette over the window's). superqt's slider value
        boxes size themselves to their font: measure them again once presenter mode's font has
        reached them (re-setting the suffix is the public way). Only when the font size changed:
        a colour-only switch (Ctrl+T) would relayout every box."""
        self.play.setPalette(theme.play_palette())
        if theme.body_pt != self._measured_pt:
            self._measured_pt = theme.body_pt
            QTimer.singleShot(0, self, self._measure_value_boxes)

    def _measure_value_boxes(self) -> None:
        for box in self.findChildren(QLineEdit):
            if hasattr(box, "setSuffix"):
                box.setSuffix(box.suffix())

    def _connect(self) -> None:
        self.play.toggled.connect(self.set_playing)
        self.step.clicked.connect(self.step_once)
        self.reset.clicked.connect(self.reset_training)
        self.algorithm.currentIndexChanged.connect(
            lambda: self._reset_change("algorithm", self.algorithm.currentData()))
        self.family.currentIndexChanged.connect(lambda: self.set_family(self.family.currentData()))
        self.model.currentIndexChanged.connect(lambda: self._reset_change("model", self.model.currentData()))
        self.seed.valueChanged.connect(lambda v: self._reset_change("seed", int(v)))
        self.device.currentIndexChanged.connect(lambda: self._reset_change("device", self.device.currentData()))
        self.alpha.valueChanged.connect(lambda v: self._live("inner_lr", v))
        self.beta.valueChanged.connect(lambda v: self._live("outer_lr", v))
        self.alpha.rejected.connect(self.message)
        self.beta.rejected.connect(self.message)
        self.inner_steps.valueChanged.connect(lambda v: self._live("inner_steps", int(v)))
        self.meta_batch.valueChanged.connect(lambda v: self._live("meta_batch", int(v)))
        self.lam.valueChanged.connect(lambda v: self._live("lam", float(v)))
        self.hyper_lr.valueChanged.connect(lambda v: self._live("hyper_lr", float(v)))
        self.lam.rejected.connect(self.message)
        self.hyper_lr.rejected.connect(self.message)
        self.display_steps.valueChanged.connect(lambda v: self._live("display_steps", int(v)))
        self.shots.valueChanged.connect(lambda v: self.set_shots(int(v)))
        self.new_task.clicked.connect(self.draw_new_task)
        self.new_points.clicked.connect(self.draw_new_points)
        self.param_a.valueChanged.connect(lambda _: self._moved_task())
        self.param_b.valueChanged.connect(lambda _: self._moved_task())
        self.pretrained.toggled.connect(self.pretrainedToggled)
        self.save.clicked.connect(self.saveRequested)
        self.load.clicked.connect(self.loadRequested)

    # ---- actions (also used by the keyboard shortcuts) -------------------------------------
    def set_playing(self, playing: bool) -> None:
        self.shared.update(playing=bool(playing))
        self._show_playing(playing)

    def toggle_play(self) -> None:
        self.play.setChecked(not self.play.isChecked())

    def step_once(self) -> None:
        """One meta-iteration; pauses first so that it is exactly one."""
        if self.shared.get().playing:
            self.play.setChecked(False)
        self.shared.post("step")

    def reset_training(self) -> None:
        self.shared.post("reset")

    def draw_new_task(self) -> None:
        c = self.shared.get()
        self.shared.update(task=new_display_task(c.family, c.shots, self.rng))

    def draw_new_points(self) -> None:
        c = self.shared.get()
        if c.task is not None:
            self.shared.update(task=with_support(c.task, c.shots, self.rng))

    def set_family(self, family: str) -> None:
        c = self.shared.get()
        if family == USER:  # show your own task; meta-training keeps its family
            if c.task is None or not c.task.is_user:
                self.shared.update(task=as_user_task(c.task, c.family))
                self.message.emit(tr("Your own task: click to add points, drag to move, right-click to remove, "
                                     "✎ Draw to sketch a curve. Meta-training still samples {0} tasks").format(
                    tr(get_family(c.family).title)))
            return
        if family == c.family:
            if c.task is not None and c.task.is_user:  # back from your own task to the family's
                self.shared.update(task=new_display_task(family, c.shots, self.rng))
            return
        self._set_family_ranges(family)
        self.shared.update(family=family, task=new_display_task(family, c.shots, self.rng))
        self.message.emit(tr("{0} → {1}: meta-training restarts").format(tr(SETUP_LABELS["family"]),
                                                                       tr(get_family(family).title)))

    def set_shots(self, k: int) -> None:
        c = self.shared.get()
        task = with_support(c.task, k, self.rng) if c.task is not None else None
        self.shared.update(shots=k, task=task)

    def _moved_task(self) -> None:
        c = self.shared.get()
        if c.task is None or c.task.is_user:
            return
        self.shared.update(task=with_params(c.task, self.param_a.value(), self.param_b.value()))

    def _live(self, name: str, value) -> None:
        reason = validation.check(name, value)
        if reason:  # the widgets' own ranges make this rare; refuse and put the widget back
            self.message.emit(reason)
            self._synced = None
            self.sync(self.shared.get())
            return
        self.shared.update(**{name: value})

    def _reset_change(self, name: str, value) -> None:
        if getattr(self.shared.get(), name) == value:
            return
        c = self.shared.get()
        refused = None
        if name == "device" and value == "cuda" and not self._cuda:
            refused = tr("CUDA is not available on this machine")
        elif name in ("algorithm", "model"):
            refused = validation.check_combination(value if name == "algorithm" else c.algorithm,
                                                   value if name == "model" else c.model)
        if refused:
            self.message.emit(refused)
            self._synced = None
            self.sync(c)
            return
        self.shared.update(**{name: value})
        shown = tr(ALGORITHM_LABELS[value]) if name == "algorithm" and value in ALGORITHM_LABELS else value
        self.message.emit(tr("{0} → {1}: meta-training restarts").format(tr(SETUP_LABELS[name]), shown))

    # ---- mirroring the shared controls ------------------------------------------------------
    def _set_family_ranges(self, family: str) -> None:
        fam = get_family(family)
        na, nb = PARAM_NAMES.get(family, ("a", "b"))
        na, nb = tr(na), tr(nb)
        self.label_a.setText(na[0].upper() + na[1:])
        self.label_b.setText(nb[0].upper() + nb[1:])
        for s, (lo, hi), name in ((self.param_a, fam.a_range, na), (self.param_b, fam.b_range, nb)):
            with signals_blocked(s):
                s.setRange(lo, hi)
            s.setToolTip(tr("The displayed task's {0} ({1}); the support points follow").format(name, fam.label))

    def _show_playing(self, playing: bool) -> None:
        if self._playing_shown is playing:
            return
        self._playing_shown = playing
        self.play.setText(tr("Pause") if playing else tr("Play"))
        self.play.setIcon(self.style().standardIcon(QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))

    def sync(self, c: Controls) -> None:
        """Make every widget show `c` without emitting anything."""
        if c is self._synced:
            return
        old, self._synced = self._synced, c
        if old is None or old.family != c.family:
            self._set_family_ranges(c.family)
        pairs = ((self.play, lambda w: w.setChecked(c.playing)),
                 (self.algorithm, lambda w: w.setCurrentIndex(w.findData(c.algorithm))),
                 (self.family, lambda w: w.setCurrentIndex(w.findData(USER if c.task is not None and c.task.is_user
                                                                      else c.family))),
                 (self.model, lambda w: w.setCurrentIndex(w.findData(c.model))),
                 (self.seed, lambda w: w.setValue(c.seed) if w.value() != c.seed else None),
                 (self.device, lambda w: w.setCurrentIndex(w.findData(c.device))),
                 (self.inner_steps, lambda w: w.setValue(c.inner_steps) if w.value() != c.inner_steps else None),
                 (self.shots, lambda w: w.setValue(c.shots) if w.value() != c.shots else None),
                 (self.meta_batch, lambda w: w.setValue(c.meta_batch) if w.value() != c.meta_batch else None),
                 (self.display_steps,
                  lambda w: w.setValue(c.display_steps) if w.value() != c.display_steps else None))
        for w, set_ in pairs:
            with signals_blocked(w):
                set_(w)
        self._show_playing(c.playing)
        if self.alpha.value() != c.inner_lr:
            self.alpha.set_value(c.inner_lr)
        if self.beta.value() != c.outer_lr:
            self.beta.set_value(c.outer_lr)
        if self.lam.value() != c.lam:
            self.lam.set_value(c.lam)
        if self.hyper_lr.value() != c.hyper_lr and c.hyper_lr > 0:
            self.hyper_lr.set_value(c.hyper_lr)
        for name, w in (("lam", self.lam), ("hyper_lr", self.hyper_lr)):  # only where it means something
            self._hp_form.setRowVisible(w, belongs(SETTINGS[name], c.algorithm))
        task = c.task
        for s, v in ((self.param_a, task and task.a), (self.param_b, task and task.b)):
            s.setEnabled(v is not None)
            if v is not None and abs(s.value() - v) > 1e-9:
                with signals_blocked(s):
                    s.setValue(v)
