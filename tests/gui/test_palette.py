"""The method colours under simulated colour-vision deficiency: Machado, Oliveira and Fernandes
(2009) full-severity matrices in linear RGB, then CIEDE2000 in CIELAB. Every pair of colours a
panel shows together must stay at least MIN_DE apart for every simulated viewer; the previous
palette (kept here as data) fails the same check, so the check can tell them apart."""
import itertools

import numpy as np
import pytest

from gui import style

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
MIN_DE = 10.0  # CIEDE2000; about 2.3 is a just-noticeable difference between two large patches
OLD = {"dark": {"meta": "#4cc9f0", "random": "#ff8c42", "pretrained": "#c77dff", "compare": "#5be38c"},
       "light": {"meta": "#0061c2", "random": "#d94400", "pretrained": "#7b2cbf", "compare": "#008a3e"}}


def linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """Linear sRGB -> CIELAB (D65)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb_linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(hex_colour: str, viewer: str) -> np.ndarray:
    return lab(np.clip(MACHADO[viewer] @ linear(hex_colour), 0, 1))


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    lbar, cbarp = (L1 + L2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        hbar = h1 + h2
    elif abs(h1 - h2) <= 180:
        hbar = (h1 + h2) / 2
    else:
        hbar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(hbar - 30)) + 0.24 * np.cos(np.radians(2 * hbar))
         + 0.32 * np.cos(np.radians(3 * hbar + 6)) - 0.20 * np.cos(np.radians(4 * hbar - 63)))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = -2 * np.sqrt(cbarp ** 7 / (cbarp ** 7 + 25 ** 7)) * np.sin(np.radians(60 * np.exp(-((hbar - 275) / 25) ** 2)))
    dl, dc = (L2 - L1) / sl, (c2 - c1) / sc
    return float(np.sqrt(dl ** 2 + dc ** 2 + (d_big_h / sh) ** 2 + rt * dc * (d_big_h / sh)))


def closest(colours: dict[str, str]) -> tuple[float, str, str, str]:
    """The least distinct pair, for any simulated viewer: (distance, viewer, name, name)."""
    return min((ciede2000(seen(colours[p], v), seen(colours[q], v)), v, p, q)
               for v in MACHADO for p, q in itertools.combinations(colours, 2))


def test_ciede2000_matches_published_pairs():
    # Sharma, Wu and Dalal (2005), test data pairs 1, 7 and 17
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(27.1492, abs=1e-4)


def test_a_deuteranope_sees_grey_for_red_and_green_alike():
    red, green = seen("#d62728", "deuteranopia"), seen("#2ca02c", "deuteranopia")
    assert ciede2000(red, green) < ciede2000(seen("#d62728", "normal"), seen("#2ca02c", "normal")) / 3


@pytest.mark.parametrize("theme", [style.DARK, style.LIGHT], ids=lambda t: t.name)
def test_methods_stay_apart_for_every_simulated_viewer(theme):
    """The four methods share the held-out and loss plots: each pair, for each viewer."""
    de, viewer, p, q = closest(theme.methods)
    assert de >= MIN_DE, f"{theme.name}: {p} and {q} are {de:.1f} apart for {viewer}"


@pytest.mark.parametrize("theme", [style.DARK, style.LIGHT], ids=lambda t: t.name)
def test_each_panel_s_colours_stay_apart_and_off_the_background(theme):
    """One init panel: the method's curve fades from 'before' to its colour over the true
    curve and the support points, on the panel's background."""
    for method, colour in theme.methods.items():
        shown = {method: colour, "before": theme.before, "true": theme.true, "support": theme.support,
                 "panel": theme.panel}
        de, viewer, p, q = closest(shown)
        assert de >= MIN_DE, f"{theme.name}, {method} panel: {p} and {q} are {de:.1f} apart for {viewer}"


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_previous_palette_fails_the_same_check(name):
    de, viewer, *_ = closest(OLD[name])
    assert de < MIN_DE and viewer != "normal"


def test_each_method_has_its_own_marker_and_line_style():
    marks = [style.MARKS[m] for m in style.METHODS]
    for field in ("symbol", "glyph", "dash", "bar"):
        assert len({getattr(k, field) for k in marks}) == len(marks), field
    assert all(style.method_title(m).startswith(style.MARKS[m].glyph) for m in style.METHODS)
