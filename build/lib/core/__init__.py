"""MAML Playground engine: tasks, models, meta-learning algorithms, evaluation.

Nothing here imports Qt; the GUI in `gui/` only shows what this package computes.
"""
