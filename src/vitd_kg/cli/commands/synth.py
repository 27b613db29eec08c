"""``vitd-kg synth``: write a synthetic corpus of the bundled data's shape, for benchmarks."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("synth")
@click.option("--claims", "claims", type=click.IntRange(min=1), required=True, help="Claims to generate (rounded up to whole studies of 4).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same corpus.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Turtle file to write; the source text goes to source/synthetic-corpus.txt beside it, "
    "so the folder works as --data. Without it, the Turtle goes to standard output.",
)
def command(claims: int, seed: int, output: Path | None) -> None:
    """Generate a synthetic corpus: studies, populations, interventions, effects and claims
    quoting a generated text, deterministic for a seed (not evidence: for benchmarks)."""
    from vitd_kg.synth import generate

    corpus = generate(claims, seed=seed)
    if output is None:
        click.echo(corpus.turtle, nl=False)
        return
    text_file = corpus.write(output)
    click.echo(f"wrote {output} ({corpus.triples} triples, {corpus.claims} claims) and {text_file}", err=True)
