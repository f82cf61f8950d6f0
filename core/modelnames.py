"""The models by name, as plain data for the settings table (core.models builds them)."""

MODELS = ("mlp", "two-param")
