"""One table of settings: the CLI, the window's checks and the checkpoint check agree at every limit."""
import math

import pytest

from core.cli import UsageError, build_parser
from core.settings import SETTINGS, check_config
from gui import validation


def _cli_accepts(flag: str, text: str) -> bool:
    try:
        build_parser().parse_args(["train", flag, text])
    except UsageError:
        return False
    return True


def _probes(s):
    """(value, its CLI text, accepted?) at and around the limits, plus NaN and negatives."""
    if s.kind is str:
        return [(c, c, True) for c in s.choices] + [("bogus", "bogus", False)]
    if s.kind is tuple:
        lo, hi, n = s.lo, s.hi, s.max_layers
        cases = [(lo,), (hi,), (hi + 1,), (lo - 1,), (-5,), (40,) * n, (40,) * (n + 1), (lo + 1, hi - 1)]
        return [(v, ",".join(map(str, v)), len(v) <= n and all(lo <= x <= hi for x in v)) for v in cases]
    if s.kind is int:
        values = [s.lo, s.hi, s.lo + 1, s.hi - 1, s.lo - 1, s.hi + 1, -1, 0]
        probes = [(v, str(v), s.lo <= v <= s.hi) for v in values]
        return probes + [(math.nan, "nan", False), (2.5, "2.5", False)]
    eps = 1e-9
    values = [s.lo, s.hi, s.lo * (1 + 1e-6) + eps, s.hi * (1 - 1e-6), s.lo * (1 - 1e-6) - eps, s.hi * (1 + 1e-6),
              -1.0, -s.hi, 0.0]
    probes = [(v, repr(v), s.lo <= v <= s.hi) for v in values]
    return probes + [(math.nan, "nan", False), (math.inf, "inf", False)]


CLI_SETTINGS = [s for s in SETTINGS.values() if s.cli]


@pytest.mark.parametrize("setting", CLI_SETTINGS, ids=[s.name for s in CLI_SETTINGS])
def test_cli_and_window_accept_the_same_values(setting):
    for value, text, expected in _probes(setting):
        window = validation.check(setting.name, value) is None
        cli = _cli_accepts(setting.flag, text)
        ckpt = check_config({setting.alias or setting.name: list(value) if setting.kind is tuple else value}) is None
        assert (window, cli, ckpt) == (expected,) * 3, (setting.name, text)


def test_every_cli_setting_is_a_flag_with_the_tables_default():
    args = build_parser().parse_args(["train"])
    for s in CLI_SETTINGS:
        assert getattr(args, s.name) == s.default, s.name


def test_the_window_derives_its_ranges_from_the_table():
    for s in validation.WINDOW:
        if s.kind is float:
            assert validation.FLOAT_LIMITS[s.name] == (s.lo, s.hi)
        elif s.kind is int:
            assert validation.INT_LIMITS[s.name] == (s.lo, s.hi)
    assert validation.CPU_META_BATCH < SETTINGS["meta_batch"].hi  # the device rule only narrows


def test_algorithm_settings_are_collected_from_their_classes():
    from core.algorithms import REGISTRY
    for cls in REGISTRY.values():
        for s in cls.settings:
            assert SETTINGS[s.name] is s and cls.name in s.algorithms


def test_reset_settings_are_the_trainers_reset_keys():
    """'needs a reset' in the table is what makes the trainer rebuild (core.controls.RESET_KEYS)."""
    from dataclasses import fields

    from core.controls import RESET_KEYS, Controls
    controls = {f.name for f in fields(Controls)}
    assert {s.name for s in SETTINGS.values() if not s.live and s.name in controls} == set(RESET_KEYS)
