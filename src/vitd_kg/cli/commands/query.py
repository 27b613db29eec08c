"""``vitd-kg query``: run a bundled query by name, or a user's SPARQL file or text."""

from __future__ import annotations

import click

from vitd_kg.cli.options import data_option, format_option, open_graph


@click.command("query")
@click.argument("name", required=False, metavar="NAME|FILE.rq|SPARQL")
@click.option("--bind", "bindings", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable (repeatable): an IRI <...>, a CURIE (claim:ma-strength), "
                   "a number, true/false or text. Passed to the engine as a binding.")
@format_option("table", "csv", "tsv", "json")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Stop the query after this many seconds (exit code 4). [default: 30]")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="SPARQL engine.")
@click.option("--list", "list_queries", is_flag=True, help="List the bundled queries and what each answers.")
@data_option
def command(name, bindings, output_format, timeout, engine, list_queries, data) -> None:
    """Run a bundled query (see --list), a SPARQL file or SPARQL text, and print its results.

    Updates, LOAD, SERVICE and FROM are refused (exit 2); a syntax error is reported
    with its line and column. JSON output is the SPARQL 1.1 Query Results JSON format.
    """
    from vitd_kg.errors import InputError
    from vitd_kg.sparql.bindings import parse_binding
    from vitd_kg.sparql.engines import DEFAULT_TIMEOUT
    from vitd_kg.sparql.queries import bundled_queries, read_query
    from vitd_kg.sparql.results import format_result

    if list_queries:
        for query in bundled_queries():
            click.echo(f"{query.name:<52} {query.summary}")
        return
    if not name:
        raise InputError("give a query name, a .rq file or SPARQL text", hint="run `vitd-kg query --list` to see the bundled queries")
    query = read_query(name)  # before the data is read: a wrong name fails at once
    terms = dict(parse_binding(text) for text in bindings)
    result = open_graph(data).execute(query, bind=terms, engine=engine, timeout=DEFAULT_TIMEOUT if timeout is None else timeout)
    click.echo(format_result(result, output_format), nl=False)
