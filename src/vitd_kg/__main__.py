"""``python -m vitd_kg`` runs the CLI."""

from vitd_kg.cli import entry_point

if __name__ == "__main__":
    entry_point()
