"""Fixtures for the window's tests that change what the whole app shares."""
import pytest


@pytest.fixture
def dark_again():
    """The app has one theme: a test that switches it leaves it as found."""
    from gui import style

    yield
    style.themes.set(style.DARK)
