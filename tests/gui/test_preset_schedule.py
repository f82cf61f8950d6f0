"""Issue 12: a preset with 500 display steps on the two-scalar model loads, trains and draws in
the real window, on the step schedule 0, 1, 10, 100, 500; the preset's description and claim
show under the headline."""
import json

import numpy as np

SCHEDULE = (0, 1, 10, 100, 500)


def test_a_500_step_two_scalar_preset_loads_trains_and_draws(tmp_path, qtbot, open_window, wait_snapshot):
    preset = tmp_path / "long.json"
    preset.write_text(json.dumps({
        "name": "Long adaptation", "description": "Two scalars, 500 fine-tuning steps.",
        "family": "sine-ab", "model": "two-param", "outer_optimizer": "sgd", "inner_lr": 0.03,
        "outer_lr": 0.01, "meta_batch": 10, "display_steps": 500,
        "claim": {"steps": 100, "factor": 10, "iterations": 300, "seconds": 5}}))
    w = open_window()
    assert w.demo.documents.open_preset(preset)
    assert w.preset_line.isVisible()
    # the whole description and claim (a short window shows its first lines, the rest in the tooltip)
    assert "500 fine-tuning steps" in w.preset_line.full and "Claim:" in w.preset_line.full
    w.shared.update(playing=True)
    snap = wait_snapshot(w, lambda s: s.model == "two-param" and s.iteration >= 50
                         and s.curve_steps.get("meta") == SCHEDULE and s.evaluation is not None
                         and s.evaluation.steps[-1] == 500)
    w.shared.update(playing=False)
    for name in ("meta", "random"):
        assert snap.curves[name].shape == (len(SCHEDULE), len(snap.grid_x))
        assert np.isfinite(snap.curves[name]).all()
    assert snap.landscape.paths["meta"].shape == (501, 2)  # the parameter space shows every step
    panel = w.panels["meta"]
    qtbot.waitUntil(lambda: panel._steps == SCHEDULE, timeout=10_000)
    assert panel.drawn[0].shape[0] == len(SCHEDULE) and len(panel.pens()) == len(SCHEDULE)
    legend = panel.legend.text()
    assert all(f"{s:,}" in legend for s in SCHEDULE[1:]) and "steps" in legend
    assert "after 500 steps" in w.panels["random"].readout.toolTip()
    ev_axis = w.eval.plot.getPlotItem().getAxis("bottom")
    qtbot.waitUntil(lambda: "log scale" in ev_axis.labelText, timeout=10_000)
    assert "after 500 steps" in w.eval.readout.text()
    # the meta-learned init fitted the task far better after 500 steps than before
    assert snap.display_mse["meta"][-1] < 0.1 * snap.display_mse["meta"][0]
