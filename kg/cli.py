"""The kg command line: a thin layer that parses options, calls the library and prints results."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from .errors import KgError

# Exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error;
# 3 a build that completed but skipped some files or lines (each named in a warning).
EXIT_SKIPPED = 3


class KgGroup(click.Group):
    """Turns kg's own errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `kg export | head`
            sys.stderr.close()
            ctx.exit(1)


def store_option(command):
    @click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), envvar="KG_STORE",
                  default=".kg", show_default=True, help="Store folder (or set KG_STORE).")
    @functools.wraps(command)
    def wrapper(*args, store_path, **kwargs):
        from .store import Store

        return command(*args, store=Store(store_path), **kwargs)

    return wrapper


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg", prog_name="kg")
def cli():
    """kg: an actor-relationship knowledge graph built from news.

    \b
    Example:
        kg build seeds/ && kg neighbors Armenia
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start a fresh graph from these documents, re-extracting all.")
@click.option("--model", envvar="KG_MODEL", help="spaCy pipeline to use (or set KG_MODEL).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that parse in parallel.")
@store_option
def build(paths, rebuild, model, workers, store):
    """Extract relations from news articles into the store.

    PATHS are files or folders (.txt, .md, .html, .jsonl; default: seeds/). Unchanged documents
    are skipped. Exit code 3 means the build completed but some files were skipped.

    \b
    Example:
        kg build seeds/
        kg build articles/ more.jsonl --store news.kg
    """
    from .build import build as run_build
    from .corpus import corpus_files

    paths = list(paths) or [Path("seeds")]

    def warn(skipped):
        click.echo(f"warning: {skipped}", err=True)

    if sys.stderr.isatty():
        total = len(corpus_files(paths))
        with click.progressbar(length=total, label="reading", file=sys.stderr) as bar:
            report = run_build(paths, store, rebuild=rebuild, model=model, workers=workers, on_skip=warn,
                               on_file=lambda _: bar.update(1))
    else:
        report = run_build(paths, store, rebuild=rebuild, model=model, workers=workers, on_skip=warn)
    click.echo(report.summary(store))
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("actor")
@click.option("--relation", help="Only this relation type (ACCUSE, CONSULT, ...).")
@click.option("--direction", type=click.Choice(["in", "out", "both"]), default="both", show_default=True,
              help="Relations the actor is the source of (out), the target of (in), or both.")
@click.option("--evidence", is_flag=True, help="Show the sentences behind each row.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@store_option
def neighbors(actor, relation, direction, evidence, fmt, store):
    """Actors related to ACTOR, by relation type and direction.

    ACTOR is any name, alias, id or Wikidata id, in any case (Armenia, yerevan, Q399).
    Only asserted relations count; persons are credited to the states they act for.

    \b
    Example:
        kg neighbors Armenia
        kg neighbors Moscow --relation ACCUSE --direction out --evidence
    """
    from .neighbors import neighbors as find_neighbors

    ref, rows = find_neighbors(store, actor, relation=relation, direction=direction)
    if fmt == "json":
        payload = {
            "actor": {"id": ref.id, "label": ref.label, "type": ref.type, "wikidata": ref.wikidata},
            "neighbors": [
                {"actor": n.actor, "id": n.actor_id, "relation": n.relation, "quad": n.quad,
                 "direction": n.direction, "count": n.count, "polarity": n.polarity,
                 **({"evidence": [e.__dict__ for e in n.evidence]} if evidence else {})}
                for n in rows
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    headers = ["neighbour", "relation", "direction", "count", "stance"]
    values = [[n.actor, n.relation, n.direction, n.count, n.stance] for n in rows]
    if fmt == "csv":
        from .output import csv_text

        if evidence:
            headers += ["doc", "sentence"]
            values = [[n.actor, n.relation, n.direction, n.count, n.stance, e.doc, e.sentence]
                      for n in rows for e in n.evidence]
        click.echo(csv_text(headers, values), nl=False)
        return
    from .output import table_text

    wd = f", {ref.wikidata}" if ref.wikidata else ""
    click.echo(f"{ref.label} ({ref.type}{wd}): {len({n.actor_id for n in rows})} neighbours, "
               f"{sum(n.count for n in rows)} relations")
    if not rows:
        return
    if not evidence:
        click.echo(table_text(headers, values))
        return
    for n in rows:
        click.echo(f"{n.actor}  {n.relation}  {n.direction}  x{n.count}  ({n.stance})")
        for e in n.evidence:
            click.echo(f"    [{e.doc}] {' '.join(e.sentence.split())}")


@cli.command()
@click.argument("query", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable (repeatable); actor parameters take any actor name.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@store_option
def query(query, params, fmt, list_queries, store):
    """Run a read-only SPARQL query: literal text, a .rq file, or a named query.

    Updates (INSERT, DELETE, DROP, ...) are refused. All graphs are queried as one default
    graph; each document's statements also sit in a named graph (GRAPH ?doc { ... }).

    \b
    Example:
        kg query --list
        kg query neighbors --param actor=Armenia
        kg query 'SELECT ?a ?l WHERE { ?a a kg:State ; rdfs:label ?l }'
    """
    from .queries import named_queries, run_query

    if list_queries:
        for q in named_queries().values():
            args = " ".join(f"--param {p}=..." for p in q.params)
            click.echo(f"{q.name} {args}".rstrip())
            click.echo(f"    {q.description}")
        return
    if not query:
        raise click.UsageError("give a query (SPARQL text, a .rq file or a name), or --list")
    bound = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param {item!r}: write NAME=VALUE")
        bound[name.strip()] = value
    result = run_query(store, query, bound)
    click.echo(format_result(result, fmt), nl=False)


def format_result(result, fmt: str) -> str:
    """A SPARQL result as text: SELECT as a table, CSV or SPARQL JSON; ASK as true/false; graphs as RDF."""
    import io

    import pyoxigraph as ox

    from .output import csv_text, table_text
    from .vocab import PREFIXES

    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(result)}) + "\n" if fmt == "json" else f"{bool(result)}\n".lower()
    if isinstance(result, ox.QueryTriples):
        buffer = io.BytesIO()
        rdf_format = {"json": ox.RdfFormat.JSON_LD, "csv": ox.RdfFormat.N_TRIPLES}.get(fmt, ox.RdfFormat.TURTLE)
        kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TURTLE else {}
        ox.serialize(result, buffer, rdf_format, **kwargs)
        return buffer.getvalue().decode("utf-8")
    if fmt == "json":
        buffer = io.BytesIO()
        result.serialize(buffer, ox.QueryResultsFormat.JSON)
        return buffer.getvalue().decode("utf-8") + "\n"
    variables = [v.value for v in result.variables]
    rows = [[_term_text(row[v], PREFIXES) for v in variables] for row in result]
    if fmt == "csv":
        return csv_text(variables, rows)
    return table_text(variables, rows, max_width=80) + f"\n({len(rows)} rows)\n"


def _term_text(term, prefixes: dict[str, str]) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in prefixes.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    return term.value


@cli.command()
@click.argument("pattern", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@store_option
def actors(pattern, fmt, store):
    """List the actors in the store, with type, Wikidata id and relation count.

    PATTERN keeps actors whose label or id contains it (any case).

    \b
    Example:
        kg actors
        kg actors arm
    """
    from .queries import named_queries
    from .vocab import ACTOR

    rows = []
    for row in store.query(named_queries()["actors"].text):
        ident = row["actor"].value.removeprefix(ACTOR)
        label = row["label"].value
        if pattern and pattern.casefold() not in (label + " " + ident).casefold():
            continue
        represents = row["represents"].value.removeprefix(ACTOR) if row["represents"] is not None else ""
        wikidata = row["wikidata"].value if row["wikidata"] is not None else ""
        rows.append([label, row["type"].value, wikidata, represents, int(row["relations"].value), ident])
    headers = ["actor", "type", "wikidata", "acts_for", "relations", "id"]
    if fmt == "json":
        click.echo(json.dumps([dict(zip(headers, r)) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from .output import csv_text

        click.echo(csv_text(headers, rows), nl=False)
    else:
        from .output import table_text

        click.echo(table_text(headers, rows) if rows else "no actors match")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nq", "jsonld", "jsonl", "graphml", "gexf", "html"]),
              default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@store_option
def export(fmt, output, store):
    """Export the graph: RDF (ttl, nq, jsonld), relations (jsonl), graphs (graphml, gexf, html).

    The HTML page draws the actor graph offline (no request leaves it).

    \b
    Example:
        kg export --format html -o graph.html
        kg export --format jsonl > relations.jsonl
    """
    from .export import export as run_export

    store.pointer()  # a clear error before any output file is created
    if output is None:
        run_export(store, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(output.name + ".part")
    try:
        with open(tmp, "wb") as f:
            run_export(store, fmt, f)
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KgError(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


@cli.command()
@store_option
def validate(store):
    """Check the store against the SHACL shapes in ontology/shapes.ttl.

    \b
    Example:
        kg validate
    """
    from .validate import validate as run_validate

    report = run_validate(store)
    if report.conforms:
        click.echo(f"valid: {report.checked} nodes conform to ontology/shapes.ttl")
        return
    for line in report.problems[:50]:
        click.echo(line)
    more = len(report.problems) - 50
    raise KgError(f"{len(report.problems)} SHACL violations" + (f" ({more} not shown)" if more > 0 else ""))


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the gold documents' articles (default: found beside GOLD, or seeds/).")
@click.option("--errors", is_flag=True, help="List each missed gold relation and each false positive.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--model", envvar="KG_MODEL", help="spaCy pipeline to use (or set KG_MODEL).")
@store_option
def evaluate(gold, corpus, errors, fmt, model, store):
    """Score the extractor against gold relations (the format of seeds/gold/SCHEMA.md).

    Builds the gold documents into the store (unchanged ones are reused), then prints precision,
    recall and F1 at three levels (strict, dyad+quad, dyad) and per relation type.

    \b
    Example:
        kg eval seeds/gold
        kg eval seeds/gold --errors
        kg eval gold/ --corpus articles/ --format json
    """
    from .build import build as run_build
    from .evaluate import evaluate as run_evaluate
    from .evaluate import find_corpus, predicted_items, read_gold
    from .statements import store_relations

    items = read_gold(gold)
    files = find_corpus(items, gold, [corpus] if corpus else [])
    report = run_build(files, store, model=model,
                       on_skip=lambda s: click.echo(f"warning: {s}", err=True))
    click.echo(report.summary(store), err=True)
    result = run_evaluate(predicted_items(store_relations(store)), items)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(errors), indent=2))
        return
    from .output import table_text

    core = sum(1 for i in items if i.core)
    click.echo(f"{result.documents} documents, {len(items)} gold relations ({core} core)")
    headers = ["level", "precision", "recall", "f1", "correct/predicted", "found/gold"]
    rows = [[name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.tp_precision}/{s.predicted}",
             f"{s.tp_recall}/{s.gold}"] for name, s in result.levels.items()]
    click.echo(table_text(headers, rows))
    click.echo("\nby relation type (strict):")
    headers[0] = "type"
    rows = [[name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.tp_precision}/{s.predicted}",
             f"{s.tp_recall}/{s.gold}"] for name, s in sorted(result.by_type.items())]
    click.echo(table_text(headers, rows))
    if errors:
        click.echo(f"\nmissed core gold relations ({len(result.misses)}):")
        for i in result.misses:
            click.echo(f"  [{i.doc[:3]}] {i.source} {i.relation} {i.target}  | {' '.join(i.evidence.split())}")
        click.echo(f"\nfalse positives ({len(result.false_positives)}):")
        for i in result.false_positives:
            click.echo(f"  [{i.doc[:3]}] {i.source} {i.relation} {i.target}  | {' '.join(i.evidence.split())}")


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
