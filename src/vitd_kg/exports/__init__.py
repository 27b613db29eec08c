"""The graph in other shapes: RDF serializations, a FHIR R5 bundle, tidy tables.

:func:`write_export` is the one place that knows every export format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, Callable

import pyoxigraph as ox

from vitd_kg.errors import InputError

if TYPE_CHECKING:
    from vitd_kg.exports.rdf import ReleaseDataset

#: RDF serializations (the release's dataset, :mod:`vitd_kg.exports.rdf`).
RDF_EXPORTS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")
#: The other formats: a FHIR R5 Bundle, the tidy effect table.
OTHER_EXPORTS = ("fhir", "csv", "parquet")
EXPORT_FORMATS = RDF_EXPORTS + OTHER_EXPORTS


def write_export(
    store: ox.Store, dataset: "Callable[[], ReleaseDataset]", output_format: str, out: BinaryIO
) -> None:
    """Write the graph in ``store`` to a binary stream in one of :data:`EXPORT_FORMATS`.

    ``dataset`` gives the graph split into the release's named graphs (asked for only
    by the RDF formats).
    """
    if output_format in RDF_EXPORTS:
        from vitd_kg.exports.rdf import write_dataset

        write_dataset(dataset(), output_format, out)
    elif output_format == "fhir":
        from vitd_kg.exports.fhir import write_fhir

        write_fhir(store, out)
    elif output_format in ("csv", "parquet"):
        from vitd_kg.exports.tables import write_effect_table

        write_effect_table(store, out, format=output_format)
    else:
        raise InputError(f"unknown export format {output_format!r}", hint=f"use one of: {', '.join(EXPORT_FORMATS)}")
