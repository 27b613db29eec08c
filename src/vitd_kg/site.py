"""The documentation site that ``vitd-kg docs OUTDIR`` builds.

Pages (static HTML, no script, no font or file from the network):

* ``index.html``: what the dataset is, the model diagram, counts;
* ``ontology.html``: the ontology reference by pyLODE (every class and property with
  label, definition, domain, range and external mappings);
* ``vocabularies.html``: the ontology's named individuals (designs, evidence levels,
  modalities, relations, ...) and every mapping to an external term;
* ``shapes.html``: the SHACL shapes in words (or a note where none are bundled);
* ``queries.html``: every bundled query with the question it answers, and its text;
* ``dataset.html``: the dataset's VoID/DCAT description;
* ``claims.html`` and ``claims/<id>.html``: every claim with its evidence map.

The site is built in a temporary folder next to OUTDIR and renamed into place, so
OUTDIR is either the old site or the new one, never half of each.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, resources
from .errors import InputError, VitdKgError
from .graph import DataDir, load_store
from .namespaces import ONTOLOGY_IRI, PREFIXES, claim_id
from .sparql import bundled_queries, run_query, read_query

#: The pages of the site, in navigation order: (file, title).
PAGES = [
    ("index.html", "Overview"),
    ("ontology.html", "Ontology reference"),
    ("vocabularies.html", "Vocabularies & mappings"),
    ("shapes.html", "SHACL shapes"),
    ("queries.html", "Queries"),
    ("dataset.html", "Dataset (VoID/DCAT)"),
    ("claims.html", "Claims & evidence maps"),
]


@dataclass(frozen=True)
class SiteReport:
    """What a build wrote: the folder and the pages, relative to it."""

    folder: Path
    pages: list[str]


def curie(iri: str) -> str:
    """A CURIE for an IRI in a known namespace, the IRI itself otherwise."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _environment():
    try:
        import jinja2
    except ImportError:
        raise VitdKgError(
            "building the site needs Jinja2, which is not installed",
            hint="install the documentation extra: pip install 'vitd-kg[docs]'",
            exit_code=2,
        ) from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vitd_kg", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["curie"] = curie
    env.globals.update(pages=PAGES, version=__version__)
    return env


def prepare_outdir(outdir: Path, *, force: bool) -> None:
    """Refuse an OUTDIR that is a file, or a non-empty folder without ``force``."""
    if outdir.exists() and not outdir.is_dir():
        raise InputError("exists and is not a folder", file=str(outdir),
                         hint="choose a folder path for the site")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise InputError(
            "the folder is not empty",
            file=str(outdir),
            hint="choose an empty or new folder, or pass --force to replace its contents with the site",
        )
    if not outdir.parent.is_dir():
        raise InputError(f"its parent folder {outdir.parent} does not exist", file=str(outdir),
                         hint="create the parent folder first")


def build_site(outdir: Path, *, data_dir: DataDir = None, force: bool = False) -> SiteReport:
    """Build the documentation site into ``outdir``, atomically.

    ``outdir`` must be new or empty unless ``force`` (then its contents are replaced).

    >>> import tempfile, pathlib
    >>> report = build_site(pathlib.Path(tempfile.mkdtemp()) / "site")  # doctest: +SKIP
    >>> "index.html" in report.pages  # doctest: +SKIP
    True
    """
    outdir = Path(outdir).absolute()
    prepare_outdir(outdir, force=force)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-", dir=outdir.parent))
    try:
        pages = write_site(staging, data_dir=data_dir)
        _swap_into_place(staging, outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteReport(outdir, pages)


def _swap_into_place(staging: Path, outdir: Path) -> None:
    """Replace ``outdir`` by ``staging`` with renames (the old site is removed last)."""
    staging.chmod(0o755)
    if outdir.exists():
        old = outdir.with_name(f".{outdir.name}.old-{staging.name.rsplit('-', 1)[-1]}")
        outdir.rename(old)
        staging.rename(outdir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(outdir)


def write_site(folder: Path, *, data_dir: DataDir = None) -> list[str]:
    """Write every page and picture of the site into ``folder`` (which must exist)."""
    from .diagram import model_graph
    from .evidence_map import audit_findings, evidence_chain, evidence_map_graph
    from .graphviz_output import write_picture
    from .graph_stats import stats

    env = _environment()
    store = load_store(data_dir)
    written: list[str] = []

    def page(name: str, template: str, **context: Any) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        depth = name.count("/")
        html = env.get_template(template).render(root="../" * depth, current=name, **context)
        target.write_text(html, encoding="utf-8")
        written.append(name)

    for asset in ("style.css", "favicon.svg"):
        (folder / asset).write_bytes(resources.package_root().joinpath("templates", asset).read_bytes())
    # pictures
    model = model_graph(store)
    write_picture(model, folder / "model.svg")
    write_picture(model, folder / "model.png")
    # downloads: the ontology, shapes and queries as they ship
    downloads = folder / "files"
    downloads.mkdir()
    (downloads / resources.ONTOLOGY_FILE).write_bytes(resources.ontology_file().read_bytes())
    shape_files = _shape_files()
    for entry in shape_files:
        (downloads / entry.name).write_bytes(entry.read_bytes())
    queries = bundled_queries()
    for query in queries:
        target = downloads / "queries" / f"{query.name}.rq"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(query.text, encoding="utf-8")

    summary = stats(data_dir)
    header = ontology_header(store)
    page("index.html", "index.html", header=header, stats=summary)
    _write_ontology_page(folder, env, store)
    written.append("ontology.html")
    page("vocabularies.html", "vocabularies.html", individuals=_individuals(store), mappings=_mappings(store))
    page("shapes.html", "shapes.html", shape_sets=_shape_sets(shape_files))
    page("queries.html", "queries.html", queries=queries)
    page("dataset.html", "dataset.html", **dataset_description(store, summary, data_dir))
    # claims and their evidence maps
    findings = audit_findings(data_dir)
    claims = _claims(store)
    maps = folder / "maps"
    maps.mkdir()
    for claim in claims:
        chain = evidence_chain(claim["id"], store=store, findings=findings)
        write_picture(evidence_map_graph(chain), maps / f"{claim['id']}.svg")
        claim["flagged"] = bool(chain.flags.get(claim["iri"]))
        page(f"claims/{claim['id']}.html", "claim.html", claim=claim, chain=chain, audited=findings is not None)
    page("claims.html", "claims.html", claims=claims, audited=findings is not None)
    return sorted(written)


def _shape_files() -> list:
    """The bundled SHACL files (``ontology/shapes*.ttl``), sorted; none is fine."""
    folder = resources.ontology_dir()
    return sorted(
        (e for e in folder.iterdir() if e.name.startswith("shapes") and e.name.endswith(".ttl") and e.is_file()),
        key=lambda e: e.name,
    )


def _shape_sets(entries: list) -> list[dict[str, Any]]:
    from rdflib import Graph

    from .shapes_doc import describe_shapes

    sets = []
    for entry in entries:
        graph = Graph().parse(data=entry.read_text(encoding="utf-8"), format="turtle")
        sets.append({"file": entry.name, "shapes": describe_shapes(graph)})
    return sets


def _write_ontology_page(folder: Path, env, store) -> None:
    """pyLODE's reference, with the site's navigation bar added at the top of its body."""
    from rdflib import Graph

    from .ontology_reference import ontology_reference_html

    ontology = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
    html = ontology_reference_html(ontology)
    nav = env.get_template("nav.html").render(root="", current="ontology.html")
    style = '<link rel="stylesheet" href="style.css">'
    html = html.replace("</head>", f"{style}\n</head>", 1)
    html = html.replace("<body>", f'<body class="pylode">\n{nav}', 1)
    (folder / "ontology.html").write_text(html, encoding="utf-8")


def ontology_header(store) -> dict[str, str]:
    """Title, description, version, license and creator of the ontology."""
    rows = run_query(store, read_query("docs/ontology-header"))
    return {k: str(v) for k, v in rows[0].items()} if rows else {"iri": ONTOLOGY_IRI}


def _individuals(store) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for row in run_query(store, read_query("docs/individuals")):
        cls = str(row["class"])
        group = groups.setdefault(cls, {"iri": cls, "label": str(row.get("classLabel", curie(cls))), "members": {}})
        iri = str(row["individual"])
        member = group["members"].setdefault(
            iri,
            {"iri": iri, "label": str(row.get("label", "")), "definition": str(row.get("definition", "")), "attributes": []},
        )
        if "property" in row:
            member["attributes"].append((curie(str(row["property"])), curie(str(row["value"]))))
    for group in groups.values():
        group["members"] = list(group["members"].values())
    return sorted(groups.values(), key=lambda g: g["label"])


def _mappings(store) -> list[dict[str, str]]:
    return [
        {k: str(v) for k, v in row.items()}
        for row in run_query(store, read_query("docs/mappings"))
    ]


def _claims(store) -> list[dict[str, Any]]:
    return [
        {**{k: str(v) for k, v in row.items()}, "id": claim_id(str(row["claim"])), "iri": str(row["claim"])}
        for row in run_query(store, read_query("docs/claims"))
    ]


def dataset_description(store, summary, data_dir: DataDir) -> dict[str, Any]:
    """The dataset's VoID/DCAT description for the dataset page, as the release writes it."""
    from .release import void_graph

    graph = void_graph(data_dir=data_dir)
    return {
        "header": ontology_header(store),
        "stats": summary,
        "void_turtle": graph.serialize(format="turtle"),
        "void_source": "vitd_kg.release.void_graph()",
    }


#: The claim whose evidence map the README shows.
README_CLAIM = "concl-alleviates-muscle-spasm"

#: The pictures the README embeds, relative to ``docs/``.
README_PICTURES = (
    "model.svg",
    "model.png",
    f"evidence-map-{README_CLAIM}.svg",
    f"evidence-map-{README_CLAIM}.png",
)


def write_readme_pictures(folder: Path, *, data_dir: DataDir = None) -> list[Path]:
    """Write the README's pictures (:data:`README_PICTURES`) into ``folder``.

    They are generated files: ``tests/test_diagram_readme_pictures.py`` regenerates
    them and fails when the committed copies differ.
    """
    from .diagram import model_graph
    from .evidence_map import audit_findings, evidence_chain, evidence_map_graph
    from .graphviz_output import write_picture

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"folder {folder} does not exist", file=str(folder), hint="create it first")
    store = load_store(data_dir)
    model = model_graph(store)
    chain = evidence_chain(README_CLAIM, store=store, findings=audit_findings(data_dir))
    evidence_map = evidence_map_graph(chain)
    written = []
    for name in README_PICTURES:
        write_picture(model if name.startswith("model") else evidence_map, folder / name)
        written.append(folder / name)
    return written
