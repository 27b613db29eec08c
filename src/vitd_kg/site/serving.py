"""The site one file at a time, as ``vitd-kg serve`` answers it under ``/site/``.

The home page, the claim pages and their evidence maps are rendered when asked, by
the same templates and code as ``vitd-kg docs`` (:func:`vitd_kg.site.build.render_page`),
so a claim's IRI answers with its page at once. Any other file of the site (the
ontology reference, the model pictures, ...) comes from a whole build of the site,
made once, on the first request for one, into a folder the server owns.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Callable

from vitd_kg import resources
from vitd_kg.site.build import SiteInputs, render_page, write_site

_MAP = re.compile(r"maps/([A-Za-z0-9_.-]+)\.svg")
_ASSETS = ("style.css", "favicon.svg")


class SitePages:
    """The site's files by path (``index.html``, ``claims/<id>.html``, ...), made on first request.

    ``inputs`` makes the :class:`SiteInputs` (the claims, the audit ...) when first
    needed; ``folder`` is where the whole site is built if a file needs it.
    """

    def __init__(self, inputs: Callable[[], SiteInputs], folder: Path) -> None:
        self._make_inputs = inputs
        self._inputs: SiteInputs | None = None
        self._folder = Path(folder)
        self._built = False
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def inputs(self) -> SiteInputs:
        with self._lock:
            if self._inputs is None:
                self._inputs = self._make_inputs()
            return self._inputs

    def get(self, path: str) -> bytes | None:
        """The file at ``path`` under the site's root, or ``None`` if the site has none there."""
        path = path or "index.html"
        if path in self._cache:
            return self._cache[path]
        content = self._render(path)
        if content is not None:
            self._cache[path] = content
        return content

    def _render(self, path: str) -> bytes | None:
        if path in _ASSETS:
            return resources.templates_dir().joinpath(path).read_bytes()
        if path == "index.html" or path.startswith("claims/"):
            html = render_page(self.inputs(), path)
            return html.encode("utf-8") if html is not None else None
        match = _MAP.fullmatch(path)
        if match:
            return self._evidence_map(match.group(1))
        return self._from_whole_site(path)

    def _evidence_map(self, claim_id: str) -> bytes | None:
        from vitd_kg.errors import InputError
        from vitd_kg.site.evidence_map import evidence_map_graph
        from vitd_kg.site.graphviz_output import render

        inputs = self.inputs()
        if claim_id not in {c.id for c in inputs.claims or []}:
            return None
        try:
            return render(evidence_map_graph(inputs.chain(claim_id)), "svg")
        except InputError:
            return None

    def _from_whole_site(self, path: str) -> bytes | None:
        with self._lock:
            if not self._built:
                self._folder.mkdir(parents=True, exist_ok=True)
                inputs = self._inputs if self._inputs is not None else self._make_inputs()
                self._inputs = inputs
                write_site(self._folder, inputs)
                self._built = True
        root = self._folder.resolve()
        target = (root / path).resolve()
        if root not in target.parents or not target.is_file():
            return None
        return target.read_bytes()
