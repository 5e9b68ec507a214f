"""Exports: the graph as RDF (Turtle, N-Quads, JSON-LD), relations as JSON lines, GraphML, GEXF and HTML."""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import networkx as nx
import pyoxigraph as ox

from .records import Actor, Relation
from .store import Store
from .vocab import PREFIXES

FORMATS = ("ttl", "nq", "jsonld", "jsonl", "csv", "parquet", "graphml", "gexf", "html")
BINARY_FORMATS = {"graphml", "gexf", "parquet"}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
BLOC_COLOURS = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#1f78b4",
                "#33a02c", "#fb9a99"]  # ColorBrewer Set2 without its grey, then Paired
UNPLACED_COLOUR = "#c4c4c4"  # an actor no bloc holds: neutral grey, kept out of BLOC_COLOURS
POLARITY_COLOURS = {1: "#1b9e77", -1: "#d95f02", 0: "#8c8c8c"}  # colour-blind safe (ColorBrewer Dark2)
TYPE_COLOURS = {"State": "#4c72b0", "Organization": "#8172b2", "Group": "#937860", "Person": "#64b5cd"}
DEFAULT_TOP = 150  # actors drawn by default in the HTML graph: more is a hairball on a laptop screen


def export(store: Store, fmt: str, out: IO[bytes], *, max_evidence: int = 5, top: int = DEFAULT_TOP,
           keep=None, count: str = "events") -> None:
    """Writes the store in ``fmt`` (one of FORMATS) to a binary stream; ``keep`` (a kg.analysis.signed.Filter)
    selects the relations of every format but the RDF ones, which hold the whole store."""
    from .analysis.signed import Filter

    keep = keep or Filter()
    if fmt in RDF_FORMATS:
        export_rdf(store, fmt, out)
    elif fmt == "jsonl":
        from .table import kept_by_document

        for document, relations in kept_by_document(store, keep)():
            for relation in relations:
                line = relation_json(relation, document)
                out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    elif fmt == "csv":
        from .table import table_rows, write_csv

        write_csv(table_rows(store, keep, count=count), _Utf8(out))
    elif fmt == "parquet":
        from .table import event_table, write_parquet

        write_parquet(event_table(store, keep, count=count), out)
    elif fmt in ("graphml", "gexf"):
        from .graph import relations_graph
        from .statements import statement_dates, store_relations

        dates = statement_dates(store)
        kept = keep.select(store_relations(store), dates)
        graph = _simple_attributes(relations_graph(kept, rollup=keep.rollup, dates=dates, keep_persons=keep.keep_persons))
        writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
        writer(graph, out)
    elif fmt == "html":
        from .statements import statement_dates, store_relations

        page = html_page(store_relations(store), statement_dates(store), max_evidence=max_evidence, top=top,
                         aliases=store_aliases(store))
        out.write(page.encode("utf-8"))
    else:
        raise ValueError(f"unknown export format {fmt!r}")


class _Utf8:
    """Text written to a binary stream as UTF-8: what csv.writer needs of a file."""

    def __init__(self, out: IO[bytes]):
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode("utf-8"))


def export_rdf(store: Store, fmt: str, out: IO[bytes]) -> None:
    """Turtle holds the merged triples of every graph; N-Quads and JSON-LD keep the named graphs.

    Turtle and N-Quads are written as they are read, graph by graph in the order of their IRIs
    (each document's graph, then the actors', events' and ontology's), each graph's quads sorted
    (in runs of SORTED_RUN quads for a graph larger than that): memory stays flat however large the
    store. JSON-LD, one document, is made whole."""
    if fmt == "ttl":
        ox.serialize(_merged_triples(store), out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    elif fmt == "nq":
        ox.serialize(_graph_by_graph(store), out, ox.RdfFormat.N_QUADS)
    else:
        quads = sorted(store.quads(), key=str)
        ox.serialize(quads, out, RDF_FORMATS[fmt])


SORTED_RUN = 20_000  # quads sorted together when a graph is written


def _graph_by_graph(store: Store) -> Iterator[ox.Quad]:
    from itertools import groupby

    from .statements import named_graphs

    for graph in [ox.DefaultGraph(), *named_graphs(store)]:
        run: list[ox.Quad] = []
        # the store yields a graph's quads grouped by subject: a run holds whole subjects
        for _, quads in groupby(store.quads_for_pattern(None, None, None, graph), key=lambda q: q.subject):
            run.extend(quads)
            if len(run) >= SORTED_RUN:
                yield from sorted(run, key=str)
                run = []
        yield from sorted(run, key=str)


def _merged_triples(store: Store) -> Iterator[ox.Triple]:
    """Each triple once. Only a triple about an actor can be in several graphs (an edge between two
    actors, in every document that states it): those written are remembered, a set bounded by the
    actors and their pairs; any other triple is in one graph, its statement's, document's or event's."""
    from .vocab import ACTOR

    written: set[ox.Triple] = set()
    for quad in _graph_by_graph(store):
        triple = quad.triple
        if isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(ACTOR):
            if triple in written:
                continue
            written.add(triple)
        yield triple


def actor_json(actor: Actor, with_represents: bool = True) -> dict:
    from .table import country

    data = {"id": actor.id, "label": actor.label, "type": actor.type, "wikidata": actor.wikidata,
            "country": country(actor)}
    if with_represents:
        data["represents"] = actor_json(actor.represents, False) if actor.represents is not None else None
    return data


def relation_json(r: Relation, document=None) -> dict:
    """One relation in the documented jsonl shape: the event table's fields (kg.table), nested by actor.
    ``document`` is its kg.table.DocumentInfo (title, url, date), when known."""
    from .analysis.signed import event_date, load_weights

    return {
        "doc": r.doc,
        "date": event_date(r, document.date if document else None),
        "title": document.title if document else None,
        "url": document.url if document else None,
        "source": actor_json(r.source),
        "target": actor_json(r.target),
        "relation": r.type,
        "quad": r.quad,
        "goldstein": load_weights()[r.type],
        "polarity": r.polarity,
        "negated": r.negated,
        "hypothetical": r.hypothetical,
        "background": r.background,
        "stated_date": r.date,
        "confidence": r.confidence,
        "trigger": r.trigger,
        "sentence": r.sentence,
        "start": r.start,
        "end": r.end,
    }


def _simple_attributes(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML and GEXF take scalar attributes only; None becomes an empty string."""
    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: ("" if v is None else v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **{k: ("" if val is None else val) for k, val in data.items()})
    return out


# -- HTML

ALIASES = """
SELECT ?actor ?alias WHERE {
  GRAPH <https://w3id.org/kg/graph/actors> { ?actor skos:altLabel ?alias }
}"""


def store_aliases(store: Store) -> dict[str, tuple[str, ...]]:
    """Actor id -> its other names (skos:altLabel), sorted: what the HTML graph's search box also finds."""
    from urllib.parse import unquote

    from .vocab import ACTOR

    names: dict[str, set[str]] = defaultdict(set)
    for row in store.query(ALIASES):
        names[unquote(row["actor"].value.removeprefix(ACTOR))].add(row["alias"].value)
    return {actor: tuple(sorted(aliases)) for actor, aliases in names.items()}


def _vis_js() -> str:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    candidates = sorted(lib.glob("vis-*/vis-network.min.js"))
    if not candidates:
        raise FileNotFoundError("pyvis ships no vis-network.min.js: reinstall pyvis")
    return candidates[-1].read_text(encoding="utf-8")


def _static(name: str) -> str:
    from importlib.resources import files

    return files("kg").joinpath("static", name).read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no '</script>', no HTML comment or entity tricks."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def html_page(relations, dates: dict[str, str] | None = None, keep=None, *, color_by: str = "bloc",
              min_count: int = 1, center: str | None = None, depth: int = 1, title: str = "kg graph",
              max_evidence: int = 5, top: int = DEFAULT_TOP, aliases: dict[str, tuple[str, ...]] | None = None,
              unit: str = "relations") -> str:
    """The HTML graph of ``relations`` (filtered by ``keep``, a kg.analysis.signed.Filter): nodes coloured by
    bloc or actor type and sized by their count of relations, pairs with fewer than ``min_count``
    relations left out, optionally only the ``depth``-neighbourhood of ``center``, at most the
    ``top`` actors by count (0: all).

    ``aliases`` (actor id -> other names, see store_aliases) are added to the names the actors'
    records carry, for the page's search box; ``unit`` names what one relation counts (relations,
    events, mentions) in the page."""
    from .analysis.signed import Filter, signed_graph
    from .graph import pair_graph, relations_graph

    keep = keep or Filter()
    dates = dates or {}
    kept = [r for r in relations if keep.keeps(r, dates.get(r.doc))]
    graph = pair_graph(relations_graph(kept, rollup=keep.rollup, dates=dates, keep_persons=keep.keep_persons))
    names: dict[str, set[str]] = defaultdict(set)
    for r in kept:
        for actor in (r.source, r.target, r.source.rolled_up(), r.target.rolled_up()):
            names[actor.id].update(actor.aliases)
    for actor, more in (aliases or {}).items():
        names[actor].update(more)
    return _page(graph, signed_graph(kept, dates, keep), color_by=color_by, min_count=min_count, center=center,
                 depth=depth, title=title, max_evidence=max_evidence, top=top,
                 aliases={a: tuple(sorted(n)) for a, n in names.items()}, unit=unit)


def store_html_page(store: Store, keep=None, count: str = "events", *, color_by: str = "bloc", min_count: int = 1,
                    center: str | None = None, depth: int = 1, title: str = "kg graph", max_evidence: int = 5,
                    top: int = DEFAULT_TOP) -> tuple[str, tuple[int, int]]:
    """The HTML graph of a store (see html_page) counted in ``count`` (events or mentions), and what
    it counted (events, mentions). Drawn from the dyad table (kg.dyads) when it is current and can
    answer for ``keep``: counts, colours and the actors drawn come from its rows, and evidence is
    read only for the pairs drawn, from some of their documents (kg.graph.read_evidence), so the
    cost follows the actors, pairs and edges drawn. Else from every statement, as before."""
    from .analysis.inputs import all_relations, table_rows
    from .analysis.signed import Filter, dyad_digraph, undirected
    from .graph import read_evidence

    keep = keep or Filter()
    options = dict(color_by=color_by, min_count=min_count, center=center, depth=depth, title=title,
                   max_evidence=max_evidence, top=top, unit=count)
    aliases = store_aliases(store)
    table = table_rows(store, keep, count)
    if table is None:
        relations, dates, counted = all_relations(store, keep, count)
        return html_page(relations, dates, keep, aliases=aliases, **options), counted
    rows, actors, counted = table
    graph = dyad_digraph(rows, actors, count)

    def evidence(drawn, edges):
        read_evidence(store, drawn, edges, rows, actors, keep, count, max_evidence)

    page = _page(graph, undirected(graph), aliases=aliases, evidence=evidence, **options)
    return page, counted


def _page(graph: nx.DiGraph, signed: nx.Graph, *, color_by: str, min_count: int, center: str | None, depth: int,
          title: str, max_evidence: int, top: int, aliases: dict[str, tuple[str, ...]], unit: str,
          evidence=None) -> str:
    """The page of a pair graph (kg.graph.pair_graph, or dyad_digraph with ``evidence(graph, edges)``
    a function that puts their evidence on the edges drawn) and its signed graph, for the blocs."""
    from .analysis.alliances import blocs

    if min_count > 1:
        pairs: Counter = Counter()
        for u, v, types in graph.edges(data="types"):
            pairs[frozenset((u, v))] += sum(types.values())
        graph = graph.copy()
        graph.remove_edges_from([(u, v) for u, v in graph.edges() if pairs[frozenset((u, v))] < min_count])
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if center is not None and center in graph:
        around = nx.ego_graph(graph.to_undirected(as_view=True), center, radius=depth)
        graph = graph.subgraph(around.nodes).copy()
    # blocs of everything drawable, before the top-N cut: --top changes what is drawn, not the colours
    signed = signed.subgraph(graph.nodes).copy()
    membership = blocs(signed).membership if color_by == "bloc" and signed.number_of_edges() else {}
    strength = {n: sum(abs(w) for _, _, w in signed.edges(n, data="weight")) for n in signed}
    focus = center if center in graph else None
    if evidence is not None:
        shown = set(drawn_actors(graph, strength, top, focus))
        evidence(graph, [(u, v) for u, v in graph.edges() if u in shown and v in shown])
    return graph_html(graph, title=title, max_evidence=max_evidence, color_by=color_by, membership=membership,
                      strength=strength, top=top, aliases=aliases, focus=focus, unit=unit)


def _counts(graph: nx.DiGraph) -> Counter:
    """Actor -> its relations (each pair's, both directions)."""
    counts: Counter = Counter()
    for u, v, types in graph.edges(data="types"):
        n = sum(types.values())
        counts[u] += n
        counts[v] += n
    return counts


def drawn_actors(graph: nx.DiGraph, strength: dict[str, float] | None = None, top: int = DEFAULT_TOP,
                 focus: str | None = None) -> list[str]:
    """The actors the page draws (graph_data's ``nodes``), ranked: the focus first, then by count of
    relations, then weighted degree (``strength``; by default the count), then name; at most ``top``
    (0: all)."""
    counts = _counts(graph)
    strength = strength if strength is not None else {n: float(c) for n, c in counts.items()}
    ranked = _ranked(graph, counts, strength, focus)
    return ranked[:top] if top > 0 else ranked


def _ranked(graph: nx.DiGraph, counts: Counter, strength: dict[str, float], focus: str | None) -> list[str]:
    """Actors by importance: the focus first, then by count of relations, then weighted degree, then name."""
    return sorted(graph.nodes, key=lambda n: (n != focus, -counts[n], -strength.get(n, 0.0),
                                               str(graph.nodes[n].get("label", n)).casefold(), n))


def graph_data(graph: nx.DiGraph | nx.MultiDiGraph, *, max_evidence: int = 5, color_by: str = "type",
               membership: dict[str, int] | None = None, strength: dict[str, float] | None = None,
               top: int = DEFAULT_TOP, aliases: dict[str, tuple[str, ...]] | None = None,
               focus: str | None = None, unit: str = "relations") -> dict:
    """What the HTML page draws and filters, as plain JSON-ready data, from a pair graph (a DiGraph
    whose edges hold ``types``, a Counter of relations by type, and ``evidence``, their attributes
    as kg.graph.relations_graph gives them; kg.graph.pair_graph makes one of a MultiDiGraph, which
    is also taken).

    Actors (``nodes``) are the ``top`` by count of relations (0: all; ``focus`` is always kept),
    ranked, with their aliases, type, bloc and a size that grows with the count; the others are
    listed in ``omitted`` so that a search can say why they are missing. ``edges`` has one entry per
    actor pair and direction with its counts by quad class and by relation type and its strongest
    evidence (``max_evidence`` per quad class). Colour shows the bloc (``membership``: bloc index,
    actors without one are "unplaced", grey) or the actor type. Every string is plain text."""
    from .graph import pair_graph
    from .records import ACTOR_TYPES
    from .vocab import QUAD_CLASSES, RELATION_TYPES

    if graph.is_multigraph():
        graph = pair_graph(graph)
    membership = membership or {}
    aliases = aliases or {}
    counts = _counts(graph)
    strength = strength if strength is not None else {n: float(c) for n, c in counts.items()}
    by_bloc = color_by == "bloc" and bool(membership)
    ranked = _ranked(graph, counts, strength, focus)
    shown = ranked[:top] if top > 0 else ranked
    kept = set(shown)
    largest = max((counts[n] for n in shown), default=1) or 1

    def name(node: str) -> str:
        return str(graph.nodes[node].get("label", node))

    def other_names(node: str) -> list[str]:
        return [a for a in aliases.get(node, ()) if a != name(node)]

    nodes = []
    for rank, node in enumerate(shown):
        data = graph.nodes[node]
        bloc = membership.get(node)
        if by_bloc:
            colour = BLOC_COLOURS[bloc % len(BLOC_COLOURS)] if bloc is not None else UNPLACED_COLOUR
        else:
            colour = TYPE_COLOURS.get(data.get("type"), UNPLACED_COLOUR)
        tip = [name(node)]
        if other_names(node):
            more = other_names(node)
            tip.append("also: " + ", ".join(more[:8]) + (f" and {len(more) - 8} more" if len(more) > 8 else ""))
        tip.append(f"type: {data.get('type', '')}")
        if data.get("wikidata"):
            tip.append(f"Wikidata: {data['wikidata']}")
        if by_bloc:
            tip.append(f"bloc: {bloc + 1}" if bloc is not None else "bloc: unplaced (too little signed evidence)")
        tip.append(f"{unit}: {counts[node]}, weighted degree: {strength.get(node, 0.0):.1f}")
        nodes.append({"id": node, "name": name(node), "aliases": other_names(node), "type": data.get("type", ""),
                      "wikidata": data.get("wikidata") or None, "bloc": bloc, "count": counts[node],
                      "strength": round(strength.get(node, 0.0), 3), "rank": rank, "color": colour,
                      "size": round(6 + 24 * (counts[node] / largest) ** 0.5, 1), "title": "\n".join(tip)})
    omitted = [{"id": n, "name": name(n), "aliases": other_names(n), "count": counts[n]} for n in ranked[len(shown):]]

    edges = []
    drawn = sorted((u, v) for u, v in graph.edges() if u in kept and v in kept)
    for index, (u, v) in enumerate(drawn):
        data = graph.edges[u, v]
        evidence = []
        by_quad: Counter = Counter()
        for e in sorted(data.get("evidence", ()), key=lambda e: (-e["confidence"], e["doc"], e["start"])):
            by_quad[e["quad"]] += 1
            if by_quad[e["quad"]] <= max_evidence:
                evidence.append([e["relation"], e["quad"], e["doc"], e.get("date", ""), e["sentence"]])
        types = {t: n for t, n in data["types"].items() if n}
        quads: Counter = Counter()
        for t, n in types.items():
            quads[RELATION_TYPES[t].quad] += n
        edges.append({"id": index, "from": u, "to": v, "count": sum(types.values()), "quads": dict(sorted(quads.items())),
                      "types": dict(sorted(types.items(), key=lambda item: (-item[1], item[0]))),
                      "evidence": evidence})

    present_types = sorted({t for e in edges for t in e["types"]})
    present_quads = {q for e in edges for q in e["quads"]}
    if by_bloc:
        leaders: dict[int, str] = {}
        for node, bloc in sorted(membership.items()):  # name each bloc after its strongest member
            if node in graph and (bloc not in leaders or strength.get(node, 0) > strength.get(leaders[bloc], 0)):
                leaders[bloc] = node
        legend = [[f"bloc {b + 1} ({name(n)})", BLOC_COLOURS[b % len(BLOC_COLOURS)]] for b, n in sorted(leaders.items())]
        if any(n not in membership for n in shown):
            legend.append(["unplaced (no bloc)", UNPLACED_COLOUR])
    else:
        legend = [[t.lower(), c] for t, c in TYPE_COLOURS.items()]
    total = graph.number_of_nodes()
    return {
        "nodes": nodes,
        "edges": edges,
        "omitted": omitted,
        "actors": {"shown": len(shown), "total": total},
        "note": f"showing the top {len(shown)} of {total} actors by count; --top 0 for all" if omitted else "",
        "quads": [q for q in QUAD_CLASSES if q in present_quads],
        "actorTypes": [t for t in ACTOR_TYPES if any(n["type"] == t for n in nodes)],
        "relationTypes": {t: {"quad": RELATION_TYPES[t].quad, "polarity": RELATION_TYPES[t].polarity}
                          for t in present_types if t in RELATION_TYPES},
        "polarityColours": {"1": POLARITY_COLOURS[1], "-1": POLARITY_COLOURS[-1], "0": POLARITY_COLOURS[0]},
        "legend": legend,
        "colourBy": "bloc" if by_bloc else "type",
        "focus": focus if focus in kept else None,
        "unit": unit,
        "maxEvidence": max_evidence,
    }


def graph_html(graph: nx.MultiDiGraph, *, title: str = "kg graph", max_evidence: int = 5, color_by: str = "type",
               membership: dict[str, int] | None = None, strength: dict[str, float] | None = None,
               top: int = DEFAULT_TOP, aliases: dict[str, tuple[str, ...]] | None = None,
               focus: str | None = None, unit: str = "relations") -> str:
    """A self-contained page (vis-network inline, no request leaves it) drawing ``graph`` (see graph_data),
    with a search box, filters and a legend; the page's script puts text in with textContent only."""
    data = graph_data(graph, max_evidence=max_evidence, color_by=color_by, membership=membership, strength=strength,
                      top=top, aliases=aliases, focus=focus, unit=unit)
    values = {
        "title": html.escape(title),
        "vis_js": _vis_js().replace("</script", "<\\/script"),
        "page_js": _static("graph.js").replace("</script", "<\\/script"),
        "data": _script_json(data),
    }
    # one pass: a value is never scanned for placeholders again
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _static("graph.html"))
