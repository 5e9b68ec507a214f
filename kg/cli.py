"""The kg command line: a thin layer that parses options, calls the library and prints results."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from .entry import EXIT_INTERRUPTED  # 130, as a shell reports a process stopped by Ctrl-C
from .errors import KgError

# Exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error;
# 3 a build that completed but skipped some files or lines (each named in a warning);
# 130 a command stopped by Ctrl-C, or a build also by SIGTERM (the store keeps its last whole batch).
EXIT_SKIPPED = 3


MAX_ERROR = 600  # characters of an error line: a value echoed back never floods the terminal


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """click.echo for text that may hold article text or file names: control characters and bidi
    overrides escaped (stderr lines keep to one line); a stdout that cannot be written is an
    OutputError."""
    from .safe import printable

    text = printable(text, one_line=err)
    try:
        click.echo(text, err=err, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        if err:
            raise
        raise _stdout_error(exc) from exc


def _stdout_error(exc: OSError) -> KgError:
    from .errors import OutputError

    _silence_stdout()
    return OutputError(f"cannot write the output: {exc.strerror or exc}")


def _silence_stdout() -> None:
    """What is still buffered for a stdout that failed goes nowhere, not into a second error at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _error_line(message: str) -> str:
    from .safe import printable, shorten

    return "Error: " + printable(shorten(str(message), MAX_ERROR), one_line=True)


class KgGroup(click.Group):
    """Turns kg's own errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            result = super().invoke(ctx)
            try:
                sys.stdout.flush()  # a full device fails here, not in the interpreter's last flush
            except BrokenPipeError:
                raise
            except OSError as exc:
                raise _stdout_error(exc) from exc
            return result
        except KgError as exc:
            click.echo(_error_line(str(exc)), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `kg export | head`
            _silence_stdout()
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as exc:  # a file that vanished or cannot be read: no traceback
            where = f" ({exc.filename})" if exc.filename else ""
            click.echo(_error_line(f"{exc.strerror or exc}{where}"), err=True)
            ctx.exit(1)


class StoreLocation(click.Path):
    """A store folder, or the http(s):// address of a SPARQL server, kept as it is written."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            return value
        return super().convert(value, param, ctx)


def store_option(command):
    @click.option("--store", "store_path", type=StoreLocation(file_okay=False, path_type=Path), envvar="KG_STORE",
                  default=".kg", show_default=True,
                  help="Store folder, or a SPARQL server's http(s):// address (or set KG_STORE).")
    @functools.wraps(command)
    def wrapper(*args, store_path, **kwargs):
        from .store import open_store

        return command(*args, store=open_store(store_path), **kwargs)

    return wrapper


def _date(value: str | None) -> str | None:
    import datetime
    import re

    from .safe import shorten

    if value is None:
        return None
    if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
        try:  # 2023-02-30 is no date either
            datetime.date(*(int(p) for p in (value + "-01-01")[:10].split("-")))
            return value
        except ValueError:
            pass
    raise click.BadParameter(f"{shorten(value, 40)!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")


def _check_date(ctx, param, value):
    return _date(value)


def gazetteer_option(command):
    return click.option(
        "--gazetteer", "gazetteers", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Your own actors or persons: a TSV with the columns of ontology/actors.tsv or persons.tsv "
             "(repeatable).")(command)


def count_option(command):
    return click.option(
        "--count", type=click.Choice(["events", "mentions"]), default="events", show_default=True,
        help="Count events (the reports of one incident count once: same actors and type, dates "
             "within a day) or mentions (every report).")(command)


# Formats that export every statement (jsonl, graphml, gexf: one per mention) or the whole store (RDF):
# --count does not shape them.
_WHOLE_FORMATS = ("ttl", "nq", "jsonld", "jsonl", "graphml", "gexf")


def filter_options(command):
    """--since/--until/--quad/--relation/--no-rollup and the actor filters (--actor-type,
    --min-relations, --linked-only, --exclude), turned into a kg.analysis.signed.Filter named ``keep``, and
    --count, which _load follows. When the command counted, a line says what its counts are (after
    a table; on stderr beside a written file; not at all in JSON or CSV)."""

    @count_option
    @click.option("--since", callback=_check_date,
                  help="Only documents dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD).")
    @click.option("--until", callback=_check_date, help="Only documents dated on or before this.")
    @click.option("--quad", "quads", multiple=True,
                  help="Only this quad class (repeatable): verbal-cooperation, material-conflict, ...")
    @click.option("--relation", "relation_types", multiple=True, help="Only this relation type (repeatable).")
    @click.option("--no-rollup", is_flag=True, help="Keep persons apart from the states they act for.")
    @click.option("--actor-type", "actor_types", multiple=True, metavar="TYPE",
                  help="Only actors of this type (repeatable): State, Organization, Group, Person.")
    @click.option("--min-relations", type=click.IntRange(0), default=0, metavar="N",
                  help="Only actors with at least N relations (after the other filters).")
    @click.option("--linked-only", is_flag=True, help="Only actors linked to Wikidata.")
    @click.option("--exclude", "excluded", multiple=True, metavar="ACTOR",
                  help="Leave this actor out, by any name (repeatable).")
    @functools.wraps(command)
    def wrapper(*args, since, until, quads, relation_types, no_rollup, actor_types, min_relations, linked_only,
                excluded, count, **kwargs):
        from .analysis.signed import validate_filter

        exclude = []
        if excluded:
            from .lookup import find_actor
            from .store import open_store

            store = open_store(kwargs["store_path"])
            exclude = [find_actor(store, name).id for name in excluded]
        keep = validate_filter(since, until, quads, relation_types, rollup=not no_rollup, actor_types=actor_types,
                               linked_only=linked_only, exclude=exclude, min_relations=min_relations)
        if count != "events" and kwargs.get("fmt") in _WHOLE_FORMATS:
            raise click.UsageError("--count shapes the analyses, csv, parquet and the html graph; the other formats "
                                   "export every statement")
        meta = click.get_current_context().meta
        meta["kg.keep"], meta["kg.count"] = keep, count
        result = command(*args, keep=keep, **kwargs)
        counted = meta.get("kg.counted")
        if counted is not None and kwargs.get("fmt") not in ("json", "csv", "parquet"):
            from .output import count_note

            echo(count_note(count, *counted), err=kwargs.get("output") is not None)
        return result

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
@click.option("--workers", type=click.IntRange(1, 64),
              help="Processes that parse in parallel; 1: this one.  [default: one beside this one, which "
                   "writes meanwhile, on a machine with two cores or more once the documents to read come "
                   "to 250,000 characters; else this one]")
@click.option("--cluster", metavar="ADDRESS",
              help="Parse on a Dask cluster instead: a scheduler's address (tcp://HOST:8786), or local:N "
                   "for N worker processes here (pip install 'kg[cluster]'); --workers is then not used.")
@click.option("--doc-timeout", type=click.FloatRange(0), default=5.0, show_default=True, metavar="SECONDS",
              help="Time a document may take per 1,000 characters (and at least this); a slower one is "
                   "skipped with a warning. 0: no limit.")
@click.option("--max-size", type=click.FloatRange(0, min_open=True), default=50.0, show_default=True,
              metavar="MB", help="Largest document read; a larger file or jsonl line is skipped with a warning.")
@click.option("--commit-every", type=click.IntRange(1), default=500, show_default=True, metavar="N",
              help="Publish the work every N documents (and every minute): an interrupted build keeps it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or status lines.")
@click.option("--status-every", type=click.FloatRange(0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="When stderr is not a terminal, write a status line this often.")
@click.option("--date", "default_date", metavar="YYYY[-MM[-DD]]", callback=lambda ctx, param, value: _date(value),
              help="Date for documents that carry none (marked approximate): office holders' roles "
                   "are read for it. News wires without dates: the year they come from.")
@click.option("--event-window", type=click.IntRange(0, 366), metavar="DAYS",
              help="Reports dated up to this many days after an event's first report count as the same "
                   "event  [default: the store's, else 1]")
@gazetteer_option
@store_option
def build(paths, rebuild, model, workers, doc_timeout, max_size, commit_every, quiet, status_every, default_date,
          event_window, cluster, gazetteers, store):
    """Extract relations from news articles into the store.

    PATHS are files or folders (.txt, .md, .html, .jsonl; default: seeds/). Unchanged documents
    are skipped, so running it again after an interruption goes on where it stopped. Exit code 3
    means the build completed but some files, lines or documents were skipped (each named).

    \b
    Example:
        kg build seeds/
        kg build articles/ more.jsonl --store news.kg
        nohup kg build feeds/ --workers 2 > build.log 2>&1 &
    """
    import signal

    from .build import build as run_build
    from .corpus import count_documents
    from .progress import Progress

    paths = list(paths) or [Path("seeds")]
    progress = Progress(None if quiet else count_documents(paths), quiet=quiet, every=status_every)
    latest = []

    def warn(skipped):
        echo(f"warning: {skipped}", err=True)

    def follow(report):
        latest[:1] = [report]
        progress.update(report)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        report = run_build(paths, store, rebuild=rebuild, model=model, workers=workers, on_skip=warn,
                           on_note=lambda note: echo(f"note: {note}", err=True), on_progress=follow,
                           doc_timeout=doc_timeout or None, max_bytes=int(max_size * 1024 * 1024),
                           batch_documents=commit_every, gazetteers=gazetteers, default_date=default_date,
                           event_window=event_window, cluster=cluster)
    except KeyboardInterrupt:
        progress.close()
        kept = latest[0].committed if latest else 0
        echo(f"Error: interrupted; the store keeps what its last whole batch held ({kept} documents "
                   f"extracted by this build): run the same kg build again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, previous)
    echo(report.summary(store))
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("actor")
@click.option("--relation", help="Only this relation type (ACCUSE, CONSULT, ...).")
@click.option("--direction", type=click.Choice(["in", "out", "both"]), default="both", show_default=True,
              help="Relations the actor is the source of (out), the target of (in), or both.")
@click.option("--evidence", is_flag=True, help="Show the sentences behind each row.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@count_option
@store_option
def neighbors(actor, relation, direction, evidence, fmt, count, store):
    """Actors related to ACTOR, by relation type and direction.

    ACTOR is any name, alias, id or Wikidata id, in any case (Armenia, yerevan, Q399), or the
    surname of the one person in the store who bears it (Bush).
    Only asserted relations count; persons are credited to the states they act for. Counts are
    events (the reports of one incident count once), or mentions with --count mentions; --evidence
    shows every mention.

    \b
    Example:
        kg neighbors Armenia
        kg neighbors Moscow --relation ACCUSE --direction out --evidence
    """
    from .neighbors import neighbors as find_neighbors
    from .output import count_note, plural

    ref, rows = find_neighbors(store, actor, relation=relation, direction=direction, count=count,
                               evidence=evidence)
    if fmt == "json":
        payload = {
            "actor": {"id": ref.id, "label": ref.label, "type": ref.type, "wikidata": ref.wikidata},
            "count": count,
            "neighbors": [
                {"actor": n.actor, "id": n.actor_id, "relation": n.relation, "quad": n.quad,
                 "direction": n.direction, "count": n.count, "events": n.events, "mentions": n.mentions,
                 "polarity": n.polarity, **({"evidence": [e.__dict__ for e in n.evidence]} if evidence else {})}
                for n in rows
            ],
        }
        echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    headers = ["neighbour", "relation", "direction", "count", "stance"]
    values = [[n.actor, n.relation, n.direction, n.count, n.stance] for n in rows]
    if fmt == "csv":
        from .output import csv_text

        if evidence:
            headers += ["doc", "sentence"]
            values = [[n.actor, n.relation, n.direction, n.count, n.stance, e.doc, e.sentence]
                      for n in rows for e in n.evidence]
        echo(csv_text(headers, values), nl=False)
        return
    from .output import table_text

    wd = f", {ref.wikidata}" if ref.wikidata else ""
    events, mentions = sum(n.events for n in rows), sum(n.mentions for n in rows)
    counted = plural(mentions, "mention")
    if count == "events":
        counted = f"{plural(events, 'event')} ({counted})"
    echo(f"{ref.label} ({ref.type}{wd}): {plural(len({n.actor_id for n in rows}), 'neighbour')}, {counted}")
    if not rows:
        return
    if not evidence:
        echo(table_text(headers[:3] + [count] + headers[4:], values))
    else:
        for n in rows:
            shown = f"x{n.count}"
            if count == "events" and n.mentions != n.events:
                shown += f" ({plural(n.mentions, 'mention')})"
            echo(f"{n.actor}  {n.relation}  {n.direction}  {shown}  ({n.stance})")
            for e in n.evidence:
                echo(f"    [{e.doc}] {' '.join(e.sentence.split())}")
    echo(count_note(count, events, mentions))


@cli.command()
@click.argument("query", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable (repeatable); actor parameters take any actor name.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@click.option("--timeout", type=click.FloatRange(0), default=60.0, show_default=True, metavar="SECONDS",
              help="Stop the query after this long (0: no limit).")
@click.option("--max-memory", type=click.IntRange(0), default=2048, show_default=True, metavar="MB",
              help="Stop the query when it needs more memory than this (0: no limit).")
@click.option("--max-result", type=click.IntRange(1), default=512, show_default=True, metavar="MB",
              help="Stop the query when its result grows larger than this.")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses query other endpoints over the network (refused by default).")
@store_option
def query(query, params, fmt, list_queries, timeout, max_memory, max_result, allow_service, store):
    """Run a read-only SPARQL query: literal text, a .rq file, or a named query.

    Updates (INSERT, DELETE, DROP, ...) are refused, and so is SERVICE unless --allow-service is
    given. All graphs are queried as one default graph; each document's statements also sit in a
    named graph (GRAPH ?doc { ... }). The query runs in a separate process with a time and a
    memory limit; Ctrl-C stops it at once.

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
            echo(f"{q.name} {args}".rstrip())
            echo(f"    {q.description}")
        return
    if not query:
        raise click.UsageError("give a query (SPARQL text, a .rq file or a name), or --list")
    bound = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param {item!r}: write NAME=VALUE")
        bound[name.strip()] = value
    result = run_query(store, query, bound, timeout=timeout or None, max_memory=max_memory or None,
                       max_result=max_result, allow_service=allow_service)
    echo(format_result(result, fmt), nl=False)


def format_result(result, fmt: str) -> str:
    """A SPARQL result as text: SELECT as a table, CSV or SPARQL JSON; ASK as true/false; graphs as RDF."""
    import io

    import pyoxigraph as ox

    from .output import csv_text, table_text
    from .sandbox import Triples
    from .vocab import PREFIXES

    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(result)}) + "\n" if fmt == "json" else f"{bool(result)}\n".lower()
    if isinstance(result, (ox.QueryTriples, Triples)):
        buffer = io.BytesIO()
        rdf_format = {"json": ox.RdfFormat.JSON_LD, "csv": ox.RdfFormat.N_TRIPLES}.get(fmt, ox.RdfFormat.TURTLE)
        kwargs = {"prefixes": PREFIXES} if rdf_format == ox.RdfFormat.TURTLE else {}
        ox.serialize(result, buffer, rdf_format, **kwargs)
        text = buffer.getvalue().decode("utf-8")
        return text if not text or text.endswith("\n") else text + "\n"
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


ACTOR_SORTS = {
    "events": lambda row: (-row[4], -row[5], row[0].casefold()),
    "relations": lambda row: (-row[5], -row[4], row[0].casefold()),
    "label": lambda row: row[0].casefold(),
    "type": lambda row: (row[1], -row[4], row[0].casefold()),
}


@cli.command()
@click.argument("pattern", required=False)
@click.option("--type", "actor_types", multiple=True, metavar="TYPE",
              help="Only actors of this type (repeatable): State, Organization, Group, Person.")
@click.option("--min-relations", type=click.IntRange(0), default=0, metavar="N", help="Only actors named by N relations or more.")
@click.option("--linked-only", is_flag=True, help="Only actors linked to Wikidata.")
@click.option("--sort", "sort_by", type=click.Choice(list(ACTOR_SORTS)), default="events", show_default=True)
@click.option("--limit", type=click.IntRange(1), help="Show at most N actors.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@store_option
def actors(pattern, actor_types, min_relations, linked_only, sort_by, limit, fmt, store):
    """List the actors in the store, with type, Wikidata id, and the events and relations (mentions)
    that name them.

    PATTERN keeps actors whose label or id contains it (any case). A person's relations are counted
    under the person; the state they act for counts those it is named in itself.

    \b
    Example:
        kg actors
        kg actors arm
        kg actors --type State --linked-only --min-relations 3 --sort relations
    """
    from .records import ACTOR_TYPES
    from .vocab import ACTOR

    by_name = {t.lower(): t for t in ACTOR_TYPES}
    unknown = [t for t in actor_types if t.lower() not in by_name]
    if unknown:
        raise click.BadParameter(f"unknown actor type {unknown[0]!r}; use one of {', '.join(ACTOR_TYPES)}",
                                 param_hint="--type")
    wanted = {by_name[t.lower()] for t in actor_types}
    rows = []
    for row in _actor_listing(store):
        ident = row["actor"].value.removeprefix(ACTOR)
        label = row["label"].value
        if pattern and pattern.casefold() not in (label + " " + ident).casefold():
            continue
        represents = row["represents"].value.removeprefix(ACTOR) if row["represents"] is not None else ""
        wikidata = row["wikidata"].value if row["wikidata"] is not None else ""
        relations = int(row["relations"].value)
        if (wanted and row["type"].value not in wanted) or relations < min_relations or (linked_only and not wikidata):
            continue
        rows.append([label, row["type"].value, wikidata, represents, int(row["events"].value), relations, ident])
    rows.sort(key=ACTOR_SORTS[sort_by])
    _echo_rows(["actor", "type", "wikidata", "acts_for", "events", "relations", "id"], rows[:limit], fmt,
               "no actors match")


def _actor_listing(store):
    """The rows of ontology/queries/actors.rq: from the actors graph and the dyad table's per-actor
    counts (kg.dyads) when the table is current, else by counting every statement."""
    from .dyads import actor_counts
    from .queries import named_queries

    counts = actor_counts(store)
    if counts is None:
        yield from store.query(named_queries()["actors"].text)
        return
    import pyoxigraph as ox

    from .vocab import KG, WD

    for row in store.query(named_queries()["actor-rows"].text):
        count = counts.get(row["actor"].value)
        yield {"actor": row["actor"], "label": row["label"], "type": ox.Literal(row["class"].value.removeprefix(KG)),
               "wikidata": ox.Literal(row["wd"].value.removeprefix(WD)) if row["wd"] is not None else None,
               "represents": row["up"], "relations": ox.Literal(str(count.relations if count else 0)),
               "events": ox.Literal(str(count.events if count else 0))}


def _echo_rows(headers: list[str], rows: list[list], fmt: str, empty: str) -> None:
    """Rows as a JSON list of objects, CSV, or an aligned table (``empty`` when there are none)."""
    if fmt == "json":
        echo(json.dumps([dict(zip(headers, r)) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from .output import csv_text

        echo(csv_text(headers, rows), nl=False)
    else:
        from .output import table_text

        echo(table_text(headers, rows) if rows else empty)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nq", "jsonld", "jsonl", "csv", "parquet", "graphml", "gexf",
                                                   "html"]),
              default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--color", type=click.Choice(["bloc", "type"]), default="bloc", show_default=True,
              help="html: colour actors by bloc or by type.")
@click.option("--min-count", type=click.IntRange(1, 10000), default=1, show_default=True,
              help="html: only actor pairs with at least this many relations.")
@click.option("--top", type=click.IntRange(0, None), default=150, show_default=True,
              help="html: draw only the N actors with the most relations (0: all).")
@filter_options
@store_option
def export(fmt, output, color, min_count, top, keep, store):
    """Export the graph: RDF (ttl, nq, jsonld), relations (jsonl), the event table (csv, parquet), graphs
    (graphml, gexf, html).

    The event table has one row per event (or per mention with --count mentions): date, source and
    target (id, label, type, ISO 3166 country), type, quad, Goldstein weight, negated,
    hypothetical, background, confidence, document, title, url, evidence. parquet needs pyarrow.
    The filters (dates, quad, relation, actor type, --min-relations, --linked-only, --exclude) shape
    every format but the RDF ones, which hold the whole store.

    The HTML page draws the actor graph offline (no request leaves it), coloured by bloc (or by
    type), filtered by the options below: at most the --top actors by count, with a search box (any
    name or alias) and filters by quad class, count per pair and actor type that work in the page.

    \b
    Example:
        kg export --format html -o graph.html
        kg export --format html --quad material-conflict --since 2023-03 -o conflict.html
        kg export --format jsonl > relations.jsonl
        kg export --format csv --linked-only --since 2004-11 -o events.csv
    """
    from .export import export as run_export
    from .analysis.signed import Filter

    store.pointer()  # a clear error before any output file is created
    if fmt != "html" and (color != "bloc" or min_count != 1 or top != 150):
        raise click.UsageError("--color, --min-count and --top shape the html graph only")
    if fmt in ("ttl", "nq", "jsonld") and keep != Filter():
        raise click.UsageError(f"--format {fmt} exports the whole store; the filters shape jsonl, csv, parquet, "
                               f"graphml, gexf and html")
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs -o FILE")
    if fmt == "html":
        if output is None:
            raise click.UsageError("--format html needs -o FILE")
        _write_html(store, output, keep, color, min_count, top)
        return
    from .safe import EscapingWriter

    if output is None:
        try:
            sys.stdout.flush()
            out = EscapingWriter(sys.stdout.buffer)
            run_export(store, fmt, out, keep=keep, count=click.get_current_context().meta["kg.count"])
            out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            if exc.filename:  # not stdout's
                raise
            raise _stdout_error(exc) from exc
        return
    count = click.get_current_context().meta["kg.count"]
    _write_file(output, lambda f: run_export(store, fmt, f if fmt == "parquet" else EscapingWriter(f), keep=keep,
                                             count=count))
    echo(f"wrote {output}", err=True)


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
        echo(f"valid: {report.checked} nodes conform to ontology/shapes.ttl")
        return
    for line in report.problems[:50]:
        echo(line)
    more = len(report.problems) - 50
    raise KgError(f"{len(report.problems)} SHACL violations" + (f" ({more} not shown)" if more > 0 else ""))


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the gold documents' articles (default: found beside GOLD, or seeds/).")
@click.option("--errors", is_flag=True, help="List each missed gold relation and each false positive.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--model", envvar="KG_MODEL", help="spaCy pipeline to use (or set KG_MODEL).")
@gazetteer_option
def evaluate(gold, corpus, errors, fmt, model, gazetteers):
    """Score the extractor against gold relations (the format of seeds/gold/SCHEMA.md).

    Builds every document GOLD has a file for (an empty file: the document asserts nothing, so
    whatever is extracted from it is a false positive) into a temporary store, never yours, then
    prints precision, recall and F1 at three levels (strict, dyad+quad, dyad) and per relation type.

    \b
    Example:
        kg eval seeds/gold
        kg eval seeds/gold --errors
        kg eval gold/ --corpus articles/ --format json
    """
    import tempfile

    from .build import build as run_build
    from .evaluate import evaluate as run_evaluate
    from .evaluate import find_corpus, gold_documents, predicted_items, read_gold
    from .statements import store_relations
    from .store import Store

    items = read_gold(gold)
    documents = gold_documents(gold, items)
    files = find_corpus(items, gold, [corpus] if corpus else [], documents=documents)
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as scratch:
        store = Store(Path(scratch) / "store")
        report = run_build(files, store, model=model, gazetteers=gazetteers,
                           on_skip=lambda s: echo(f"warning: {s}", err=True))
        echo(f"built {report.extracted} documents for evaluation", err=True)
        result = run_evaluate(predicted_items(store_relations(store)), items, documents)
        store.close()
    if fmt == "json":
        echo(json.dumps(result.as_dict(errors), indent=2))
        return
    from .output import table_text

    core = sum(1 for i in items if i.core)
    echo(f"{result.documents} documents, {len(items)} gold relations ({core} core)")
    headers = ["level", "precision", "recall", "f1", "correct/predicted", "found/gold"]
    rows = [[name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.tp_precision}/{s.predicted}",
             f"{s.tp_recall}/{s.gold}"] for name, s in result.levels.items()]
    echo(table_text(headers, rows))
    echo("\nby relation type (strict):")
    headers[0] = "type"
    rows = [[name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{s.tp_precision}/{s.predicted}",
             f"{s.tp_recall}/{s.gold}"] for name, s in sorted(result.by_type.items())]
    echo(table_text(headers, rows))
    if errors:
        echo(f"\nmissed core gold relations ({len(result.misses)}):")
        for i in result.misses:
            echo(f"  [{i.doc}] {i.source} {i.relation} {i.target}  | {' '.join(i.evidence.split())}")
        echo(f"\nfalse positives ({len(result.false_positives)}):")
        for i in result.false_positives:
            echo(f"  [{i.doc}] {i.source} {i.relation} {i.target}  | {' '.join(i.evidence.split())}")


# -- analysis


def _counting(keep):
    """The filter and count the command's options asked for (filter_options)."""
    from .analysis.signed import Filter

    meta = click.get_current_context().meta
    return keep or meta.get("kg.keep") or Filter(), meta.get("kg.count", "events")


def _said(result):
    """Keeps what an analysis counted for filter_options to report; returns the rest."""
    *data, counted = result
    click.get_current_context().meta["kg.counted"] = counted
    return data[0] if len(data) == 1 else tuple(data)


def _load(store, keep=None):
    """The store's relations and document dates, as the command's options ask (kg.analysis.inputs)."""
    from .analysis.inputs import all_relations

    return _said(all_relations(store, *_counting(keep)))


def _signed(store, keep, directed: bool = False):
    """The signed actor graph an analysis reads: the dyad table's when it answers (kg.analysis.inputs)."""
    from .analysis.inputs import signed_digraph_of
    from .analysis.signed import undirected

    graph = _said(signed_digraph_of(store, *_counting(keep)))
    return graph if directed else undirected(graph)


def _stance(store, a, b, keep, top=5):
    """The stance of two actors: from the dyad table when it answers (kg.analysis.inputs)."""
    from .analysis.inputs import stance_between

    return _said(stance_between(store, a, b, *_counting(keep), top=top))


def _actor_ids(store, names, keep):
    from .lookup import find_actor

    refs = [find_actor(store, name) for name in names]
    persons = [r.id for r in refs if r.type == "Person"]
    keep = keep.named(*persons) if persons else keep
    click.get_current_context().meta["kg.keep"] = keep  # _load splits events by the ends keep sees
    return refs, keep


@cli.command(name="stance")
@click.argument("actor_a")
@click.argument("actor_b")
@click.option("--top", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Strongest evidence sentences to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@filter_options
@store_option
def stance_command(actor_a, actor_b, top, fmt, keep, store):
    """How two actors stand towards each other: both directions, by month, with evidence.

    Counts per relation type, a net score on the Goldstein scale (ontology/weights.tsv: cooperation
    positive, conflict negative), a monthly timeline when documents are dated, and the strongest
    evidence sentences. Only events count: structural ties (ALLY_OF, MEMBER_OF) are listed apart.

    \b
    Example:
        kg stance Russia Armenia
        kg stance Moscow Yerevan --since 2023-02 --format json
    """
    (a, b), keep = _actor_ids(store, [actor_a, actor_b], keep)
    result = _stance(store, a, b, keep, top)
    labels = {a.id: a.label, b.id: b.label}
    if fmt == "json":
        def side(d):
            return {"source": labels[d.source], "target": labels[d.target], "relations": d.relations,
                    "counts": dict(sorted(d.counts.items())), "score": round(d.score, 2),
                    "cooperation": round(d.cooperation, 2), "conflict": round(d.conflict, 2),
                    "structural_not_counted": dict(sorted(d.structural.items()))}
        payload = {
            "a": labels[a.id], "b": labels[b.id], "net": round(result.net, 2), "trend": result.trend,
            "directions": [side(result.forward), side(result.backward)],
            "timeline": [{"month": m.month, "cooperation": round(m.cooperation, 2), "conflict": round(m.conflict, 2),
                          "net": round(m.net, 2), "relations": m.relations} for m in result.timeline],
            "undated_relations": result.undated,
            "evidence": [{"relation": e.relation.type, "weight": e.weight, "doc": e.relation.doc, "date": e.date,
                          "source": e.relation.source.label, "target": e.relation.target.label,
                          "sentence": e.relation.sentence} for e in result.evidence],
        }
        echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from .output import table_text

    echo(f"{a.label} and {b.label}: net {result.net:+.1f} on the Goldstein scale "
               f"({_counted(result.forward.relations + result.backward.relations)})")
    rows = []
    for d in (result.forward, result.backward):
        counts = ", ".join(f"{t} {n}" for t, n in sorted(d.counts.items(), key=lambda c: (-c[1], c[0]))) or "none"
        rows.append([f"{labels[d.source]} -> {labels[d.target]}", d.relations, f"{d.score:+.1f}",
                     f"{d.cooperation:.1f}", f"{d.conflict:.1f}", counts])
    echo(table_text(["direction", "relations", "score", "cooperation", "conflict", "types"], rows,
                          max_width=70))
    structural = [f"{labels[d.source]} -> {labels[d.target]} {t} x{n}" for d in (result.forward, result.backward)
                  for t, n in sorted(d.structural.items())]
    if structural:
        echo(f"structural ties, stated but not counted (a standing state, not an act): {'; '.join(structural)}")
    if result.timeline:
        echo("\nby month (both directions):")
        echo(table_text(["month", "relations", "cooperation", "conflict", "net"],
                              [[m.month, m.relations, f"{m.cooperation:.1f}", f"{m.conflict:.1f}", f"{m.net:+.1f}"]
                               for m in result.timeline]))
        if result.trend:
            echo(f"trend: {result.trend} (last month against the mean of the earlier ones)")
    if result.undated:
        echo(f"{result.undated} relations come from documents dated to no month (undated, or a year only) "
             f"and are not in the timeline")
    if result.evidence:
        echo("\nstrongest evidence:")
        for e in result.evidence:
            echo(f"  [{e.relation.doc}] {e.relation.type} ({e.weight:+.1f}) {' '.join(e.relation.sentence.split())}")


@cli.command()
@click.option("--blocs", "k_max", type=click.IntRange(1, 10), default=4, show_default=True,
              help="At most this many blocs.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@filter_options
@store_option
def alliances(k_max, fmt, keep, store):
    """Split the actors into blocs by structural balance of the signed graph, and say what it cannot place.

    Uses Doreian and Mrvar's relocation method (1996): the partition with the least cooperation
    between blocs and conflict within them. Actors with thin evidence, or not connected to the main
    component, are listed as unplaced (with their relation counts) instead of put in a bloc. Reports
    each placed actor's bloc (named after its actor of largest weighted degree; * marks one not placed
    firmly), the frustration over the placed actors, the dyads that contradict the partition, and why
    the partition is tentative when it is.

    \b
    Example:
        kg alliances
        kg alliances --blocs 2 --since 2023-03
    """
    from .analysis.alliances import FIRM_SUPPORT, MIN_SUPPORT, MIN_SUPPORT_DOCUMENTS, THIN, blocs

    graph = _signed(store, keep)
    if graph.number_of_edges() == 0:
        raise KgError("no relations between actors (with these filters): nothing to partition")
    part = blocs(graph, k_max=k_max)
    label = lambda n: graph.nodes[n].get("label", n)  # noqa: E731
    names = [f"bloc of {label(bloc[0])}" for bloc in part.blocs]
    placed = len(part.membership)
    if fmt == "json":
        def member(n):
            return {"actor": label(n), "id": n, "relations": part.support[n], "firm": not part.doubts(n),
                    "doubts": part.doubts(n), "also_fits": [names[b] for b in part.also_fits.get(n, [])]}
        echo(json.dumps({
            "actors": part.actors, "placed": placed,
            "blocs": [{"name": names[i], "relations": part.bloc_support[i], "members": [member(n) for n in bloc]}
                      for i, bloc in enumerate(part.blocs)],
            "unplaced": [{"actor": label(u.actor), "id": u.actor, "reason": u.reason, "relations": u.relations,
                          "documents": u.documents} for u in part.unplaced],
            "frustration": round(part.frustration, 4), "frustration_over": "placed actors",
            "relations": part.relations, "documents": part.documents,
            "tentative": part.tentative, "tentative_because": part.reasons,
            "contradictions": [{"a": label(u), "b": label(v), "weight": round(w, 2)} for u, v, w in part.contradictions],
        }, ensure_ascii=False, indent=2))
        return
    if placed:
        echo(f"placed {placed} of {part.actors} actors in {len(part.blocs)} bloc{'s' if len(part.blocs) > 1 else ''} "
             f"({_counted(part.relations)} from {part.documents} documents)")
    else:
        echo(f"placed none of {part.actors} actors: no bloc can be drawn")
    for i, bloc in enumerate(part.blocs):
        members = ", ".join(label(n) + ("*" if part.doubts(n) else "") for n in bloc)
        echo(f"bloc {i + 1}, of {label(bloc[0])}: {members}")
    if any(part.doubts(n) for n in part.membership):
        echo(f"* not placed firmly: fewer than {FIRM_SUPPORT} relations, no cooperation inside its bloc, or another "
             f"bloc fits as well (--format json says which)")
    if placed:
        echo(f"frustration over the {placed} placed actors: {part.frustration:.1%} of their signed weight "
             f"contradicts this partition")
    for u, v, w in part.contradictions[:10]:
        kind = "conflict inside a bloc" if w < 0 else "cooperation across blocs"
        echo(f"  {label(u)} - {label(v)}: {w:+.1f} ({kind})")
    shown = 15
    for reason in sorted({u.reason for u in part.unplaced}, key=lambda r: r != THIN):
        actors = [u for u in part.unplaced if u.reason == reason]
        why = (f"{reason} (fewer than {MIN_SUPPORT} relations, or fewer than {MIN_SUPPORT_DOCUMENTS} documents, "
               f"with placed actors)" if reason == THIN else reason)
        more = f", and {len(actors) - shown} more (--format json lists all)" if len(actors) > shown else ""
        echo(f"unplaced, {why}: {len(actors)} actor{'s' if len(actors) > 1 else ''}, with their relations in all: "
             + ", ".join(f"{label(u.actor)} ({u.relations})" for u in actors[:shown]) + more)
    for reason in part.reasons:
        echo(f"tentative: {reason}")


@cli.command()
@click.option("--by", type=click.Choice(["weighted", "degree", "betweenness"]), default="weighted", show_default=True,
              help="weighted: sum of |Goldstein weight| of an actor's relations; degree: distinct neighbours; "
                   "betweenness: share of shortest paths through the actor.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@filter_options
@store_option
def central(by, limit, fmt, keep, store):
    """Rank actors by centrality, with their balance of cooperation and conflict.

    \b
    Example:
        kg central
        kg central --by betweenness --limit 10
    """
    from .analysis.central import centrality

    rows = centrality(_signed(store, keep), by=by)[:limit]
    headers = ["actor", "type", "degree", "weighted_degree", "betweenness", "cooperation", "conflict", "balance"]
    values = [[r.label, r.type, r.degree, round(r.weighted_degree, 1), round(r.betweenness, 3),
               round(r.cooperation, 1), round(r.conflict, 1), round(r.balance, 2)] for r in rows]
    _echo_rows(headers, values, fmt, "no relations (with these filters)")


@cli.command()
@click.argument("actor_a")
@click.argument("actor_b")
@click.option("--limit", type=click.IntRange(1, 50), default=3, show_default=True, help="Paths to show.")
@click.option("--evidence", "per_hop", type=click.IntRange(0, 20), default=1, show_default=True,
              help="Sentences to show per hop.")
@filter_options
@store_option
def path(actor_a, actor_b, limit, per_hop, keep, store):
    """The shortest chains of relations linking two actors, with evidence for each hop.

    \b
    Example:
        kg path "United States" Russia
    """
    from .analysis.paths import shortest_paths

    (a, b), keep = _actor_ids(store, [actor_a, actor_b], keep)
    graph = _path_graph(store, a, b, keep, limit)
    chains = shortest_paths(graph, a.id, b.id, limit)
    if not chains:
        echo(f"no chain of relations links {a.label} and {b.label}")
        return
    label = lambda n: graph.nodes[n].get("label", n)  # noqa: E731
    for i, hops in enumerate(chains, start=1):
        echo(f"path {i}: " + " - ".join([label(hops[0][0])] + [label(v) for _, v, _ in hops]))
        for u, v, edges in hops:
            types = ", ".join(sorted({f"{label(e['source'])} {e['relation']} {label(e['target'])}" for e in edges}))
            echo(f"  {label(u)} - {label(v)}: {types}")
            for e in edges[:per_hop]:
                echo(f"    [{e['doc']}] {' '.join(e['sentence'].split())}")


def _path_graph(store, a, b, keep, limit):
    from .analysis.inputs import path_graph

    keep, count = _counting(keep)
    return _said(path_graph(store, a, b, keep, count, limit))


@cli.group()
def plot():
    """Draw pictures: a dyad's timeline, the bloc heat map.

    \b
    Example:
        kg plot stance Russia Armenia -o stance.png
        kg plot alliances -o blocs.svg
    """


@plot.command(name="stance")
@click.argument("actor_a")
@click.argument("actor_b")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Picture to write: .png, .svg or .pdf.")
@filter_options
@store_option
def plot_stance_command(actor_a, actor_b, output, keep, store):
    """Cooperation and conflict between two actors by month.

    \b
    Example:
        kg plot stance Russia Armenia -o stance.png
    """
    from .plot import plot_stance

    (a, b), keep = _actor_ids(store, [actor_a, actor_b], keep)
    result = _stance(store, a, b, keep)
    echo(f"wrote {plot_stance(result, {a.id: a.label, b.id: b.label}, output)}", err=True)


@plot.command(name="alliances")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Picture to write: .png, .svg or .pdf.")
@click.option("--limit", type=click.IntRange(2, 200), default=30, show_default=True, help="Actors shown.")
@filter_options
@store_option
def plot_alliances_command(output, limit, keep, store):
    """A heat map of signed relations between the main actors, ordered by bloc.

    \b
    Example:
        kg plot alliances -o blocs.png
    """
    from .analysis.alliances import blocs
    from .plot import plot_alliances

    graph = _signed(store, keep)
    echo(f"wrote {plot_alliances(graph, blocs(graph), output, limit)}", err=True)


@cli.command()
@click.argument("actor")
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Hops from the actor.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write.")
@click.option("--color", type=click.Choice(["bloc", "type"]), default="bloc", show_default=True)
@click.option("--min-count", type=click.IntRange(1, 10000), default=1, show_default=True,
              help="Only actor pairs with at least this many relations.")
@click.option("--top", type=click.IntRange(0, None), default=150, show_default=True,
              help="Draw only the N actors with the most relations, ACTOR always (0: all).")
@filter_options
@store_option
def graph(actor, depth, output, color, min_count, top, keep, store):
    """An interactive HTML graph of ACTOR's neighbourhood (works offline), ACTOR selected.

    \b
    Example:
        kg graph Armenia --depth 2 -o armenia.html
    """
    from .lookup import find_actor

    ref = find_actor(store, actor)
    _write_html(store, output, keep, color, min_count, top, center=ref.id, depth=depth,
                title=f"kg: {ref.label} and its neighbours")


def _unit() -> str:
    """What the command counts, as --count says: events (the default) or mentions."""
    return click.get_current_context().meta.get("kg.count", "events")


def _counted(n: int) -> str:
    """'1 event', '16 events' (or mentions, as --count says)."""
    from .output import plural

    return plural(n, _unit()[:-1])


def _write_html(store, output, keep, color, min_count, top, center=None, depth=1, title="kg graph"):
    from .export import store_html_page

    page = _said(store_html_page(store, *_counting(keep), color_by=color, min_count=min_count, center=center,
                                 depth=depth, title=title, top=top))
    _write_file(output, lambda f: f.write(page.encode("utf-8")))
    echo(f"wrote {output}", err=True)


def _write_file(output: Path, write) -> None:
    """Writes ``output`` through ``write(binary file)``: a partial file never replaces a good one, a
    device or FIFO is written, not replaced, and no planted link is followed (kg.safe.write_file)."""
    from .safe import write_file

    write_file(output, write)


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
