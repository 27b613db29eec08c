"""``vitd-kg query``: run a bundled query by name, or a user's SPARQL file or text."""

from __future__ import annotations

import os

import click

from vitd_kg.cli.options import data_option, format_option, open_graph, standard_output


@click.command("query")
@click.argument("name", required=False, metavar="NAME|FILE.rq|SPARQL")
@click.option("--bind", "bindings", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable (repeatable): an IRI <...>, a CURIE (claim:ma-strength), "
                   "a number, true/false or text. Passed to the engine as a binding.")
@format_option("table", "csv", "tsv", "json")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Stop the query after this many seconds (exit code 4); the time covers checking the "
                   "query, running it and writing its rows. [default: 30]")
@click.option("--max-query-size", "max_query_mb", type=click.FloatRange(min=0, min_open=True), default=10,
              show_default=True, metavar="MB",
              help="Refuse a query text (inline or file) larger than this many megabytes.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="SPARQL engine.")
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and what each answers.")
@data_option
@click.option("--max-nesting", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse data whose blank nodes nest deeper than N levels "
                   "[default: 256, or $VITD_KG_MAX_NESTING].")
def command(name, bindings, output_format, timeout, max_query_mb, engine, list_queries, data, max_nesting) -> None:
    """Run a bundled query (see --list), a SPARQL file or SPARQL text, and print its results.

    Updates, LOAD, SERVICE and FROM are refused (exit 2); a syntax error is reported
    with its line and column. Rows are written as the engine finds them, so any number
    of rows fits in memory. JSON output is the SPARQL 1.1 Query Results JSON format.
    """
    from vitd_kg.errors import InputError
    from vitd_kg.sparql.bindings import parse_binding
    from vitd_kg.sparql.engines import DEFAULT_TIMEOUT
    from vitd_kg.sparql.results import write_results
    from vitd_kg.sparql.queries import bundled_queries, read_query
    from vitd_kg.sparql.time_limit import checked_timeout

    if list_queries:
        for query in bundled_queries():
            click.echo(f"{query.name:<52} {query.summary}")
        return
    if not name:
        raise InputError("give a query name, a .rq file or SPARQL text", hint="run `vitd-kg query --list` to see the bundled queries")
    # Everything the user typed is checked before the data is read: a mistake fails at once.
    limit = checked_timeout(DEFAULT_TIMEOUT if timeout is None else timeout)
    query = read_query(name)
    terms = dict(parse_binding(text) for text in bindings)
    if max_nesting is not None:
        from vitd_kg.rdf.reading import NESTING_VARIABLE

        os.environ[NESTING_VARIABLE] = str(max_nesting)
    graph = open_graph(data)
    target = graph.store if engine == "oxigraph" else graph.rdflib_graph
    with standard_output() as out:
        write_results(
            query,
            target,
            out,
            output_format,
            bindings=terms,
            timeout=limit,
            max_query_bytes=int(max_query_mb * 1_000_000),
        )
