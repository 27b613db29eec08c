"""``python -m vitd_kg`` runs the CLI."""

from .cli import entry_point

entry_point()
