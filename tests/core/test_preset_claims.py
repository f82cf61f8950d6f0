"""Every shipped preset states a claim (core.claims) and keeps it (core.claim_check): trained headless for the
claim's iterations (or from its checkpoint), compared on held-out tasks. Also the claim format's
checks and the display-step schedule the presets draw with."""
import json

import pytest
import torch

from core.claim_check import check, from_checkpoint
from core.claims import Claim, parse_claim
from core.snapshots import eval_steps, step_schedule
from gui.presets import PRESETS, read_preset

SHIPPED = sorted(PRESETS.glob("*.json"))


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_preset_keeps_its_claim_on_held_out_tasks(path):
    c, checkpoint, text = read_preset(path)
    claim = parse_claim(json.loads(path.read_text())["claim"], path.name)
    assert "Claim:" in text  # the promise is part of what the window shows
    learner = from_checkpoint(c, checkpoint) if checkpoint else None
    verdict = check(c, claim, learner)
    assert verdict.holds, f"{path.name}: {verdict}"


def test_the_article_preset_fits_by_100_steps_and_the_random_init_does_not():
    """Issue 12: two scalars on a sin(x + b), drawn at 0/1/10/100 steps; MAML fitted, random not."""
    c, _, _ = read_preset(PRESETS / "article-sine-ab.json")
    assert (c.family, c.model) == ("sine-ab", "two-param")
    assert step_schedule(c.display_steps) == (0, 1, 10, 100)
    verdict = check(c, Claim(steps=100, factor=10, below=0.02, iterations=300))
    assert verdict.holds, str(verdict)
    assert verdict.mse["random"] > 0.1  # visibly off the task (RMS error above 0.3 on amplitudes up to 2)


def test_the_compare_preset_draws_meta_sgd_with_the_steps_it_trained_with():
    c, _, _ = read_preset(PRESETS / "compare-maml-metasgd.json")
    verdict = check(c, Claim(steps=10, factor=1, iterations=200))
    assert verdict.holds and verdict.mse["compare"] < 10, str(verdict)  # not 5e31: 1 step, as trained


def test_a_claim_that_does_not_hold_says_why():
    c, _, _ = read_preset(PRESETS / "linear.json")
    verdict = check(c, Claim(steps=10, factor=1e6, iterations=50))
    assert not verdict.holds and "not 1e+06x below random" in str(verdict)


def test_a_claim_reads_as_one_english_sentence():
    assert Claim(steps=100, factor=5, below=0.05, iterations=400, seconds=5).text() == (
        "Claim: after ~5 s of meta-training, the held-out MSE of MAML after 100 steps is ≥ 5x below the random "
        "init's and below 0.05.")
    assert Claim(steps=1, against="pretrained", iterations=0).text("MAML and Meta-SGD") == (
        "Claim: at once, the held-out MSE of MAML and Meta-SGD after 1 step is ≥ 3x below the pretrained init's.")


def test_every_word_of_a_claim_goes_through_the_given_translation():
    """The window passes its tr: the sentence and each phrase in it are templates a translator sees whole."""
    text = Claim(steps=100, factor=5, below=0.05, iterations=400, seconds=5).text("MAML", tr=lambda s: f"<{s}>")
    assert text == ("<Claim: <after ~5 s of meta-training>, the held-out MSE of MAML after <100 steps> is ≥ 5x "
                    "below the <random> init's< and below 0.05>.>")


@pytest.mark.parametrize("bad, words", [
    ([1, 2], "must be an object"),
    ({"factor": 3}, "needs \"steps\""),
    ({"steps": 0}, "between 1 and 500"),
    ({"steps": 1.5}, "must be an integer"),
    ({"steps": True}, "must be an integer"),
    ({"steps": 1, "factor": float("nan")}, "must be a number"),
    ({"steps": 1, "against": "oracle"}, "against must be one of"),
    ({"steps": 1, "bogus": 1}, "unknown claim field 'bogus'"),
])
def test_bad_claims_are_refused_with_a_reason(bad, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace("+", r"\+")):
        parse_claim(bad)


def test_a_preset_with_a_bad_claim_is_refused(tmp_path):
    from gui.validation import PresetError

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "x", "claim": {"steps": -1}}))
    with pytest.raises(PresetError, match="claim steps"):
        read_preset(path)


def test_the_step_schedule_is_every_step_to_10_then_log_like():
    assert step_schedule(1) == (0, 1)
    assert step_schedule(10) == tuple(range(11))
    assert step_schedule(11) == (0, 1, 10, 11)
    assert step_schedule(100) == (0, 1, 10, 100)
    assert step_schedule(500) == (0, 1, 10, 100, 500)
    assert eval_steps(5) == tuple(range(11))
    assert eval_steps(500) == (*range(11), 20, 50, 100, 200, 500)
    assert eval_steps(100) == (*range(11), 20, 50, 100)


def test_display_steps_go_to_500_in_presets_and_sessions_and_no_further(tmp_path):
    from dataclasses import replace

    from core import session
    from core.controls import Controls
    from gui.validation import PresetError, parse_preset

    assert parse_preset('{"display_steps": 500}')["display_steps"] == 500
    with pytest.raises(PresetError, match="display steps must be between 1 and 500"):
        parse_preset('{"display_steps": 501}')
    c = replace(Controls(), display_steps=500)
    path = tmp_path / "s.maml.json"
    session.write(path, c)
    assert session.read(path, parse_preset)[0].display_steps == 500
