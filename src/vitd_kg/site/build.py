"""The documentation site that ``vitd-kg docs OUTDIR`` builds.

Pages (static HTML, no script, no font or file from the network):

* ``index.html``: for a reader first: the document's conclusions, each with how well it
  is supported and why, in plain words (:mod:`vitd_kg.site.reader`); then what the
  dataset is, a model picture that reads at page width (the full diagram linked), counts;
* ``ontology.html``: the ontology reference by pyLODE (every class and property with
  label, definition, domain, range and external mappings);
* ``vocabularies.html``: the ontology's named individuals (designs, evidence levels,
  modalities, relations, ...) and every mapping to an external term;
* ``shapes.html``: the SHACL shapes in words (or a note where none are bundled);
* ``queries.html``: every bundled query with the question it answers, and its text;
* ``dataset.html``: the dataset's VoID/DCAT description;
* ``claims.html`` and ``claims/<id>.html``: every claim with its rendered sentence, the
  quote, its figures and where each comes from (with DOI links), the audit's findings
  on it (a claim that a finding on another claim only cites is shown as cited, not
  flagged) and its evidence map.

The pages work from 390 px wide up (tables reflow, IRIs and badges wrap).

The site is built in a temporary folder next to OUTDIR and renamed into place, so
OUTDIR is either the old site or the new one, never half of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from vitd_kg import __version__, resources
from vitd_kg.atomic import publish_folder
from vitd_kg.errors import InputError, MissingExtraError
from vitd_kg.evidence.audit import Finding
from vitd_kg.evidence.chain import EvidenceChain
from vitd_kg.evidence.model import Claim
from vitd_kg.evidence.stats import Stats
from vitd_kg.exports.rdf import ReleaseDataset
from vitd_kg.namespaces import ONTOLOGY_IRI, claim_id, curie
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_queries, bundled_query

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


@dataclass(frozen=True)
class SiteInputs:
    """What the site shows, computed once from the opened graph (:class:`vitd_kg.KnowledgeGraph`)."""

    store: ox.Store
    stats: Stats
    findings: list[Finding]
    chain: Callable[[str], EvidenceChain]
    dataset: ReleaseDataset
    ontology: list[ox.Triple]
    ontology_turtle: bytes
    #: The rebuilt claims (``KnowledgeGraph.claims()``); rebuilt from ``store`` when not given.
    claims: list[Claim] | None = None
    #: The chains of many claims at once, in the order of the ids given, each equal to
    #: ``chain(id)`` (``KnowledgeGraph.evidence_chains``): what the build draws its maps
    #: from; ``chain`` is asked claim by claim when not given.
    chains: Callable[[list[str]], Iterable[EvidenceChain]] | None = None


@dataclass(frozen=True)
class FindingIndex:
    """The audit's findings by claim id, gathered once: ``about[id]`` flag the claim,
    ``citing[id]`` are findings on other claims that cite it (each in the findings'
    order), so that a page looks its claim up instead of reading every finding."""

    about: dict[str, list[Finding]]
    citing: dict[str, list[Finding]]

    @classmethod
    def of(cls, findings: list[Finding]) -> "FindingIndex":
        about: dict[str, list[Finding]] = {}
        citing: dict[str, list[Finding]] = {}
        for finding in findings:
            about.setdefault(finding.claim_id, []).append(finding)
            for cited in dict.fromkeys(finding.claim_ids):
                if cited != finding.claim_id:
                    citing.setdefault(cited, []).append(finding)
        return cls(about, citing)


def _environment():
    try:
        import jinja2
    except ImportError:
        raise MissingExtraError(
            "building the site needs Jinja2, which is not installed",
            hint="install the documentation extra: pip install 'vitd-kg[docs]'",
        ) from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vitd_kg.site", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from vitd_kg.site import reader

    env.filters["curie"] = curie
    env.filters["doi_url"] = reader.doi_url
    env.globals.update(pages=PAGES, version=__version__, grades=reader.GRADES)
    return env


def build_site(outdir: Path, inputs: SiteInputs, *, force: bool = False) -> SiteReport:
    """Build the documentation site into ``outdir``, atomically (:mod:`vitd_kg.atomic`).

    ``outdir`` must be new or empty unless ``force`` (then its contents are replaced).
    """
    outdir = Path(outdir).absolute()
    if not outdir.parent.is_dir():
        raise InputError(f"its parent folder {outdir.parent} does not exist", file=str(outdir),
                         hint="create the parent folder first")
    _environment()  # a missing extra fails before any work is done
    pages = publish_folder(outdir, lambda staging: write_site(staging, inputs), force=force)
    return SiteReport(outdir, pages)


def write_site(folder: Path, inputs: SiteInputs) -> list[str]:
    """Write every page and picture of the site into ``folder`` (which must exist)."""
    from vitd_kg.publishing.release import release_issued
    from vitd_kg.publishing.void import void_turtle
    from vitd_kg.evidence.reconstruct import reconstruct_claims
    from vitd_kg.site.diagram import model_graph, overview_graph
    from vitd_kg.site.evidence_map import evidence_map_graph
    from vitd_kg.site.graphviz_output import SvgBatch, write_picture

    env = _environment()
    store = inputs.store
    written: list[str] = []

    def page(name: str, template: str, **context: Any) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        depth = name.count("/")
        html = env.get_template(template).render(root="../" * depth, current=name, **context)
        target.write_text(html, encoding="utf-8")
        written.append(name)

    for asset in ("style.css", "favicon.svg"):
        (folder / asset).write_bytes(resources.templates_dir().joinpath(asset).read_bytes())
    # pictures
    model = model_graph(store)
    write_picture(model, folder / "model.svg")
    write_picture(model, folder / "model.png")
    overview = overview_graph(store)
    write_picture(overview, folder / "model-overview.svg")
    write_picture(overview, folder / "model-overview.png")
    # downloads: the ontology, shapes and queries as they ship
    downloads = folder / "files"
    downloads.mkdir()
    (downloads / resources.ONTOLOGY_FILE).write_bytes(inputs.ontology_turtle)
    shape_files = _shape_files()
    for name, content in shape_files:
        (downloads / name).write_bytes(content)
    queries = bundled_queries()
    for query in queries:
        target = downloads / "queries" / f"{query.name}.rq"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(query.text, encoding="utf-8")

    header = ontology_header(store)
    rebuilt = inputs.claims if inputs.claims is not None else reconstruct_claims(store)
    by_id = {c.id: c for c in rebuilt}
    index = FindingIndex.of(inputs.findings)
    page("index.html", "index.html", **index_page_context(inputs, rebuilt, index))
    _write_ontology_page(folder, env, inputs.ontology_turtle)
    written.append("ontology.html")
    page("vocabularies.html", "vocabularies.html", individuals=_individuals(store), mappings=_mappings(store))
    page("shapes.html", "shapes.html", shape_sets=_shape_sets(shape_files))
    page("queries.html", "queries.html", queries=queries)
    page(
        "dataset.html",
        "dataset.html",
        header=header,
        stats=inputs.stats,
        void_turtle=void_turtle(inputs.dataset, issued=release_issued(inputs.ontology), queries=_query_files(queries)),
        void_source="the release's void.ttl (vitd_kg.publishing.void), as `vitd-kg dist` writes it",
    )
    # claims and their evidence maps
    claims = _claims(store)
    maps = folder / "maps"
    maps.mkdir()
    ids = [claim["id"] for claim in claims]
    chains = inputs.chains(ids) if inputs.chains is not None else map(inputs.chain, ids)
    with SvgBatch() as drawing:  # a few dot processes for all the maps, not one per claim
        for claim, chain in zip(claims, chains, strict=True):
            drawing.add(evidence_map_graph(chain), maps / f"{claim['id']}.svg", f"the evidence map of claim {claim['id']}")
            page(f"claims/{claim['id']}.html", "claim.html", **claim_page_context(inputs, claim, chain, by_id, index))
    page("claims.html", "claims.html", claims=claims)
    return sorted(written)


def index_page_context(inputs: SiteInputs, rebuilt: list[Claim], index: FindingIndex | None = None) -> dict[str, Any]:
    """What the home page shows: the conclusions with their support, the dataset, and its
    schema.org ``Dataset`` markup (JSON-LD, for search engines and dataset registries)."""
    import json

    from vitd_kg.publishing.release import release_issued
    from vitd_kg.publishing.schema_org import dataset_markup, describe
    from vitd_kg.site import reader

    by_id = {c.id: c for c in rebuilt}
    index = index or FindingIndex.of(inputs.findings)
    conclusions = [
        {"claim": c, "support": reader.support(c, index.about.get(c.id, []), by_id)}
        for c in rebuilt
        if c.kind.iri in reader.SYNTHESIS_KINDS
    ]
    facts = describe(inputs.store, inputs.ontology, issued=release_issued(inputs.ontology))
    markup = json.dumps(dataset_markup(facts), indent=1, ensure_ascii=False)
    return {
        "header": ontology_header(inputs.store),
        "stats": inputs.stats,
        "conclusions": conclusions,
        "document": source_document(inputs.store),
        # "</" cannot end the <script> element early: JSON allows "<\/" for it
        "dataset_jsonld": markup.replace("</", "<\\/"),
    }


def claim_page_context(
    inputs: SiteInputs, claim: dict[str, Any], chain: EvidenceChain, by_id: dict[str, Claim], index: FindingIndex | None = None
) -> dict[str, Any]:
    """What the page of one claim shows (``claim`` is its row of ``docs/claims``, completed here).

    ``index`` is :class:`FindingIndex` of ``inputs.findings`` (built here when not given)."""
    from vitd_kg.site import reader

    index = index or FindingIndex.of(inputs.findings)
    model = by_id.get(claim["id"])
    about = index.about.get(claim["id"], [])
    citing = index.citing.get(claim["id"], [])
    claim.update(
        flagged=bool(about),
        cited=bool(citing) and not about,
        model=model,
        provenance=reader.provenance_words(model.provenance if model else None),
    )
    return dict(
        claim=claim,
        chain=chain,
        about=about,
        citing=[{"finding": f, "claim": by_id.get(f.claim_id)} for f in citing],
        support=reader.support(model, about, by_id) if model and model.kind.iri in reader.SYNTHESIS_KINDS else None,
        figures=reader.figures(model) if model else [],
        provenance_sentence=reader.provenance_sentence(model) if model else None,
        rests_on_claims=len(model.rests_on) if model else len(chain.claims) - 1,
        explaining_claims=len(chain.claims) - 1 - (len(model.rests_on) if model else len(chain.claims) - 1),
        rests_on_studies=len(chain.studies_of_the_world()),
    )


def render_page(inputs: SiteInputs, name: str) -> str | None:
    """One page of the site, rendered alone: ``index.html`` or ``claims/<id>.html`` (else ``None``).

    The same templates and context as :func:`write_site`, for ``vitd-kg serve``, which
    answers a claim's IRI with its page without building the whole site.
    """
    from vitd_kg.evidence.reconstruct import reconstruct_claims

    env = _environment()
    rebuilt = inputs.claims if inputs.claims is not None else reconstruct_claims(inputs.store)
    if name == "index.html":
        return env.get_template("index.html").render(root="", current=name, **index_page_context(inputs, rebuilt))
    rows = {row["id"]: row for row in _claims(inputs.store)}
    claim_id = name.removeprefix("claims/").removesuffix(".html")
    if name != f"claims/{claim_id}.html" or claim_id not in rows:
        return None
    context = claim_page_context(inputs, rows[claim_id], inputs.chain(claim_id), {c.id: c for c in rebuilt})
    return env.get_template("claim.html").render(root="../", current=name, **context)


def source_document(store) -> dict[str, str]:
    """Title, description and identifier of the source document the graph annotates."""
    rows = run_query(store, bundled_query("docs/source-document"))
    return {k: str(v) for k, v in rows[0].items()} if rows else {}


def _query_files(queries: list) -> list[tuple[str, str]]:
    """(path in a release, description) of each bundled query, as the release lists them."""
    return [(f"queries/{query.name}.rq", query.description) for query in queries]


def _shape_files() -> list[tuple[str, bytes]]:
    """The bundled SHACL files (``ontology/shapes*.ttl``) as (name, content), sorted; none is fine."""
    return [(name, resources.ontology_folder_bytes(name)) for name in resources.shape_file_names()]


def _shape_sets(files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    from rdflib import Graph

    from vitd_kg.site.shapes_doc import describe_shapes

    sets = []
    for name, content in files:
        graph = Graph().parse(data=content.decode("utf-8"), format="turtle")
        sets.append({"file": name, "shapes": describe_shapes(graph)})
    return sets


def _write_ontology_page(folder: Path, env, ontology_turtle: bytes) -> None:
    """pyLODE's reference, with the site's navigation bar added at the top of its body."""
    from rdflib import Graph

    from vitd_kg.site.ontology_reference import ontology_reference_html

    ontology = Graph().parse(data=ontology_turtle.decode("utf-8"), format="turtle")
    html = ontology_reference_html(ontology)
    nav = env.get_template("nav.html").render(root="", current="ontology.html")
    style = '<link rel="stylesheet" href="style.css">'
    html = html.replace("</head>", f"{style}\n</head>", 1)
    html = html.replace("<body>", f'<body class="pylode">\n{nav}', 1)
    (folder / "ontology.html").write_text(html, encoding="utf-8")


def ontology_header(store) -> dict[str, str]:
    """Title, description, version, license and creator of the ontology."""
    rows = run_query(store, bundled_query("docs/ontology-header"))
    return {k: str(v) for k, v in rows[0].items()} if rows else {"iri": ONTOLOGY_IRI}


def _individuals(store) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for row in run_query(store, bundled_query("docs/individuals")):
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
        for row in run_query(store, bundled_query("docs/mappings"))
    ]


def _claims(store) -> list[dict[str, Any]]:
    return [
        {**{k: str(v) for k, v in row.items()}, "id": claim_id(str(row["claim"])), "iri": str(row["claim"])}
        for row in run_query(store, bundled_query("docs/claims"))
    ]


#: The claim whose evidence map the README shows.
README_CLAIM = "concl-alleviates-muscle-spasm"

#: The pictures the README embeds, relative to ``docs/``.
README_PICTURES = (
    "model-overview.svg",
    "model-overview.png",
    "model.svg",
    "model.png",
    f"evidence-map-{README_CLAIM}.svg",
    f"evidence-map-{README_CLAIM}.png",
)


def write_readme_pictures(folder: Path, inputs: SiteInputs) -> list[Path]:
    """Write the README's pictures (:data:`README_PICTURES`) into ``folder``.

    They are generated files: ``tests/test_diagram_readme_pictures.py`` regenerates
    them and fails when the committed copies differ.
    """
    from vitd_kg.site.diagram import model_graph, overview_graph
    from vitd_kg.site.evidence_map import evidence_map_graph
    from vitd_kg.site.graphviz_output import write_picture

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"folder {folder} does not exist", file=str(folder), hint="create it first")
    pictures = {
        "model-overview": overview_graph(inputs.store),
        "model": model_graph(inputs.store),
        "evidence-map": evidence_map_graph(inputs.chain(README_CLAIM)),
    }
    written = []
    for name in README_PICTURES:
        stem = name.rsplit(".", 1)[0]
        kind = "evidence-map" if stem.startswith("evidence-map") else stem
        write_picture(pictures[kind], folder / name)
        written.append(folder / name)
    return written
