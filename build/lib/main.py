"""MAML Playground: `python main.py` opens the window; subcommands run headless.

    python main.py [--autoplay] [--quit-after S] [--screenshot PNG] [--stats JSON] [--preset FILE]
    python main.py train | evaluate | bench ...   (see `python main.py train --help`)
"""
import sys

HEADLESS = ("train", "evaluate", "bench")


def main(argv: list[str]) -> int:
    if argv and argv[0] in HEADLESS:
        from core.cli import main as cli_main  # no Qt is imported on this path
        return cli_main(argv)
    from gui.app import main as gui_main
    return gui_main(argv)


def run() -> None:
    """The `maml-playground` command (pyproject.toml's gui-scripts entry)."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
