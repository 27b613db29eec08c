"""``vitd-kg cache info|clear``: what the cache keeps for data folders and releases, and removing it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click


def _cache():
    from vitd_kg.cli.options import graph_options
    from vitd_kg.storage.cache import Cache, CacheSettings

    options = graph_options()
    settings = CacheSettings.from_environment(options.cache_mode, options.cache_dir)
    folder = settings.location
    return settings, (Cache.at(folder, create=False) if folder.exists() else None)


@click.group("cache")
def command() -> None:
    """The cache: for each data folder or release of 4 MB or more (or any, with --cache on),
    an on-disk Oxigraph store and the claims, audit findings and counts computed from it,
    so that later commands on unchanged files neither parse them nor compute those again.

    Entries are found by the files' content (SHA-256), so an edited file is never served
    from the cache; the entry of a folder whose files changed is replaced. The folder is
    ~/.cache/vitd-kg, or --cache-dir / $VITD_KG_CACHE_DIR; `vitd-kg --cache off` (or
    VITD_KG_CACHE=off) turns it off.
    """


@command.command("info")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
def info(output_format: str) -> None:
    """List the cache's entries: the files each was built from, its size, what it holds, when it was last used."""
    settings, cache = _cache()
    entries = cache.entries() if cache is not None else []
    if output_format == "json":
        click.echo(json.dumps({"folder": str(settings.location), "mode": settings.mode,
                               "entries": [e.to_dict() for e in entries]}, indent=2))
        return
    total = sum(e.bytes for e in entries)
    click.echo(f"cache folder {settings.location} (mode {settings.mode}): "
               f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, {_size(total)}")
    for entry in entries:
        holds = (["on-disk store"] if entry.has_store else []) + entry.results
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.used)) if entry.used else "?"
        click.echo(f"{entry.key[:12]}  {_size(entry.bytes):>9}  last used {used}  holds: {', '.join(holds) or 'nothing yet'}")
        for source in entry.sources[:5]:
            click.echo(f"    {source}")
        if len(entry.sources) > 5:
            click.echo(f"    ... ({len(entry.sources)} files)")


@command.command("clear")
@click.option("--data", "data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Remove only the entry of this data folder, file or release (as it is now).")
def clear(data: Path | None) -> None:
    """Remove the cache's entries (all of them, or the one of --data). Entries in use by a
    running command are kept and named."""
    settings, cache = _cache()
    if cache is None:
        click.echo(f"nothing to remove: {settings.location} does not exist")
        return
    keys = None
    if data is not None:
        wanted = set(_source_paths(data))
        keys = [e.key for e in cache.entries() if wanted & set(e.sources)]
    removed, busy = cache.clear(keys)
    click.echo(f"removed {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} from {settings.location}")
    for key in busy:
        click.echo(f"kept {key[:12]}: in use by a running command", err=True)


def _source_paths(source: Path) -> list[str]:
    """The absolute paths of the files a data source (or release folder) is read from, as entries record them."""
    from vitd_kg.publishing.release import QUADS_DUMP, is_release
    from vitd_kg.rdf.sources import data_sources

    if source.is_dir() and is_release(source):
        return [str((source / QUADS_DUMP).resolve())]
    return [str(f.path.resolve()) for f in data_sources(source) if f.path is not None]


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count} B"  # pragma: no cover
