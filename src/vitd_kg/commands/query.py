"""``vitd-kg query``: run a bundled query by name, or a user's SPARQL file."""

from __future__ import annotations

import click

from ..cli_options import data_option, format_option


@click.command("query")
@click.argument("name", required=False, metavar="NAME|FILE.rq")
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
def command(name, bindings, output_format, timeout, engine, list_queries, data_dir) -> None:
    """Run a bundled query (see --list) or a SPARQL file and print its results.

    Updates, LOAD, SERVICE and FROM are refused (exit 2); a syntax error is reported
    with its line and column. JSON output is the SPARQL 1.1 Query Results JSON format.
    """
    from ..errors import InputError
    from ..sparql import DEFAULT_TIMEOUT, bundled_queries, execute, parse_binding, read_query

    if list_queries:
        for query in bundled_queries():
            click.echo(f"{query.name:<52} {query.summary}")
        return
    if not name:
        raise InputError("give a query name or a .rq file", hint="run `vitd-kg query --list` to see the bundled queries")
    query = read_query(name)
    terms = dict(parse_binding(text) for text in bindings)
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    if engine == "rdflib":
        from ..graph import load

        result = execute(query, graph=load(data_dir), engine="rdflib", bindings=terms, timeout=limit)
    else:
        from ..graph import load_store

        result = execute(query, store=load_store(data_dir), bindings=terms, timeout=limit)
    from ..results import format_result

    click.echo(format_result(result, output_format), nl=False)
