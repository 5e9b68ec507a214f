"""Exports: the graph as RDF (Turtle, N-Quads, JSON-LD), relations as JSON lines, GraphML, GEXF and HTML."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

import networkx as nx
import pyoxigraph as ox

from .records import Actor, Relation
from .store import Store
from .vocab import PREFIXES

FORMATS = ("ttl", "nq", "jsonld", "jsonl", "graphml", "gexf", "html")
BINARY_FORMATS = {"graphml", "gexf"}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
BLOC_COLOURS = ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3",
                "#1f78b4", "#33a02c"]  # ColorBrewer Set2, then Paired
POLARITY_COLOURS = {1: "#1b9e77", -1: "#d95f02", 0: "#8c8c8c"}  # colour-blind safe (ColorBrewer Dark2)
TYPE_COLOURS = {"State": "#4c72b0", "Organization": "#8172b2", "Group": "#937860", "Person": "#64b5cd"}


def export(store: Store, fmt: str, out: IO[bytes], *, max_evidence: int = 5) -> None:
    """Writes the store in ``fmt`` (one of FORMATS) to a binary stream."""
    if fmt in RDF_FORMATS:
        export_rdf(store, fmt, out)
    elif fmt == "jsonl":
        from .statements import store_relations

        for relation in store_relations(store):
            out.write((json.dumps(relation_json(relation), ensure_ascii=False) + "\n").encode("utf-8"))
    elif fmt in ("graphml", "gexf"):
        from .graph import store_graph

        graph = _simple_attributes(store_graph(store))
        writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
        writer(graph, out)
    elif fmt == "html":
        from .statements import statement_dates, store_relations

        out.write(html_page(store_relations(store), statement_dates(store), max_evidence=max_evidence).encode("utf-8"))
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def export_rdf(store: Store, fmt: str, out: IO[bytes]) -> None:
    """Turtle holds the merged triples of every graph; N-Quads and JSON-LD keep the named graphs."""
    if fmt == "ttl":
        triples = sorted({q.triple for q in store.quads()}, key=str)
        ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        quads = sorted(store.quads(), key=str)
        ox.serialize(quads, out, RDF_FORMATS[fmt])


def actor_json(actor: Actor, with_represents: bool = True) -> dict:
    data = {"id": actor.id, "label": actor.label, "type": actor.type, "wikidata": actor.wikidata}
    if with_represents:
        data["represents"] = actor_json(actor.represents, False) if actor.represents is not None else None
    return data


def relation_json(r: Relation) -> dict:
    """One relation in the documented jsonl shape."""
    return {
        "doc": r.doc,
        "source": actor_json(r.source),
        "target": actor_json(r.target),
        "relation": r.type,
        "quad": r.quad,
        "polarity": r.polarity,
        "negated": r.negated,
        "hypothetical": r.hypothetical,
        "background": r.background,
        "stated_date": r.date,
        "confidence": r.confidence,
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


def _vis_js() -> str:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    candidates = sorted(lib.glob("vis-*/vis-network.min.js"))
    if not candidates:
        raise FileNotFoundError("pyvis ships no vis-network.min.js: reinstall pyvis")
    return candidates[-1].read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no '</script>', no HTML comment or entity tricks."""
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def html_page(relations, dates: dict[str, str] | None = None, keep=None, *, color_by: str = "bloc",
              min_count: int = 1, center: str | None = None, depth: int = 1, title: str = "kg graph",
              max_evidence: int = 5) -> str:
    """The HTML graph of ``relations`` (filtered by ``keep``, a kg.signed.Filter): nodes coloured by
    bloc or actor type and sized by weighted degree, pairs with fewer than ``min_count`` relations
    left out, optionally only the ``depth``-neighbourhood of ``center``."""
    from .alliances import blocs
    from .graph import relations_graph
    from .signed import Filter, signed_graph

    keep = keep or Filter()
    dates = dates or {}
    kept = [r for r in relations if keep.keeps(r, dates.get(r.doc))]
    graph = relations_graph(kept, rollup=keep.rollup, dates=dates, keep_persons=keep.keep_persons)
    if min_count > 1:
        pairs = Counter(frozenset((u, v)) for u, v in graph.edges())
        graph.remove_edges_from([(u, v, k) for u, v, k in graph.edges(keys=True) if pairs[frozenset((u, v))] < min_count])
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if center is not None and center in graph:
        around = nx.ego_graph(graph.to_undirected(as_view=True), center, radius=depth)
        graph = graph.subgraph(around.nodes).copy()
    signed = signed_graph(kept, dates, keep)
    signed = signed.subgraph(graph.nodes).copy()
    membership = blocs(signed).membership if color_by == "bloc" and signed.number_of_edges() else {}
    strength = {n: sum(abs(w) for _, _, w in signed.edges(n, data="weight")) for n in signed}
    return graph_html(graph, title=title, max_evidence=max_evidence, color_by=color_by, membership=membership,
                      strength=strength)


def graph_data(graph: nx.MultiDiGraph, *, max_evidence: int = 5, color_by: str = "type",
               membership: dict[str, int] | None = None, strength: dict[str, float] | None = None) -> dict:
    """Nodes and edges for vis-network: one edge per actor pair and direction, tooltips as plain text.

    Node size grows with weighted degree (``strength``, else the relation count); colour shows the
    bloc (``membership``) or the actor type."""
    from pyvis.network import Network

    net = Network(directed=True)
    counts = Counter()
    for u, v in graph.edges():
        counts[u] += 1
        counts[v] += 1
    strength = strength or {n: float(c) for n, c in counts.items()}
    membership = membership or {}
    for node, data in graph.nodes(data=True):
        tip = [data.get("label", node), f"type: {data.get('type', '')}"]
        if data.get("wikidata"):
            tip.append(f"Wikidata: {data['wikidata']}")
        if node in membership:
            tip.append(f"bloc: {membership[node] + 1}")
        tip.append(f"relations: {counts[node]}, weighted degree: {strength.get(node, 0):.1f}")
        colour = (BLOC_COLOURS[membership[node] % len(BLOC_COLOURS)] if color_by == "bloc" and node in membership
                  else TYPE_COLOURS.get(data.get("type"), "#999999"))
        net.add_node(node, label=data.get("label", node), title="\n".join(tip), color=colour,
                     size=10 + 3 * strength.get(node, 0.0) ** 0.5)
    pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        pairs[(u, v)].append(data)
    for (u, v), edges in sorted(pairs.items()):
        net_polarity = sum(e["polarity"] for e in edges)
        sign = (net_polarity > 0) - (net_polarity < 0)
        types = Counter(e["relation"] for e in edges)
        tip = [f"{graph.nodes[u].get('label', u)} -> {graph.nodes[v].get('label', v)}",
               ", ".join(f"{t} x{n}" for t, n in types.most_common())]
        for e in sorted(edges, key=lambda e: -e["confidence"])[:max_evidence]:
            tip.append(f"[{e['relation']}] {e['doc']}: {e['sentence']}")
        if len(edges) > max_evidence:
            tip.append(f"... and {len(edges) - max_evidence} more")
        # the label agrees with the colour: the most frequent type of the dyad's net sign
        agreeing = Counter(e["relation"] for e in edges if (e["polarity"] > 0) - (e["polarity"] < 0) == sign)
        label = (agreeing or types).most_common(1)[0][0]
        net.add_edge(u, v, title="\n".join(tip), color=POLARITY_COLOURS[sign], width=1 + min(len(edges), 10),
                     arrows="to", label=label)
    return {"nodes": net.nodes, "edges": net.edges}


def graph_html(graph: nx.MultiDiGraph, *, title: str = "kg graph", max_evidence: int = 5, color_by: str = "type",
               membership: dict[str, int] | None = None, strength: dict[str, float] | None = None) -> str:
    """A self-contained page (vis-network inline, no request leaves it) drawing ``graph``."""
    membership = membership or {}
    data = graph_data(graph, max_evidence=max_evidence, color_by=color_by, membership=membership, strength=strength)
    keys = [("cooperation", POLARITY_COLOURS[1]), ("conflict", POLARITY_COLOURS[-1]),
            ("structural / mixed", POLARITY_COLOURS[0])]
    if color_by == "bloc" and membership:
        leaders: dict[int, str] = {}
        for node, bloc in membership.items():  # name each bloc after its strongest member
            if node in graph and (bloc not in leaders or (strength or {}).get(node, 0) > (strength or {}).get(leaders[bloc], 0)):
                leaders[bloc] = node
        keys += [(f"bloc {b + 1} ({graph.nodes[n].get('label', n)})", BLOC_COLOURS[b % len(BLOC_COLOURS)])
                 for b, n in sorted(leaders.items())]
    else:
        keys += [(t.lower(), c) for t, c in TYPE_COLOURS.items()]
    legend = "".join(
        f'<span class="key"><span class="swatch" style="background:{colour}"></span>{html.escape(name)}</span>'
        for name, colour in keys
    )
    return _TEMPLATE.format(
        title=html.escape(title),
        summary=html.escape(f"{graph.number_of_nodes()} actors, {graph.number_of_edges()} relations"),
        legend=legend,
        vis_js=_vis_js().replace("</script", "<\\/script"),
        data=_script_json(data),
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
  html, body {{ height: 100%; }}
  body {{ margin: 0; font: 14px system-ui, sans-serif; color: #222; display: flex; flex-direction: column; }}
  header {{ padding: 8px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }}
  h1 {{ font-size: 16px; margin: 0; }}
  .key {{ display: inline-flex; align-items: center; gap: 4px; margin-right: 10px; }}
  .swatch {{ width: 12px; height: 12px; border-radius: 2px; display: inline-block; }}
  #graph {{ width: 100%; flex: 1; min-height: 300px; }}
  .tip {{ white-space: pre-line; max-width: 480px; font-size: 12px; }}
</style>
</head>
<body>
<header><h1>{title}</h1><span>{summary}</span><span>{legend}</span></header>
<div id="graph"></div>
<script>{vis_js}</script>
<script>
(function () {{
  var data = {data};
  function tip(text) {{
    var el = document.createElement("div");
    el.className = "tip";
    el.textContent = text;  // article text is shown as text, never parsed as HTML
    return el;
  }}
  data.nodes.forEach(function (n) {{ n.title = tip(n.title); }});
  data.edges.forEach(function (e) {{ e.title = tip(e.title); e.font = {{size: 9, color: "#555", strokeWidth: 0}}; }});
  var network = new vis.Network(document.getElementById("graph"),
    {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
    {{physics: {{solver: "forceAtlas2Based", stabilization: {{iterations: 300}},
                forceAtlas2Based: {{gravitationalConstant: -60, springLength: 120}}}},
      edges: {{smooth: {{type: "dynamic"}}}},
      nodes: {{shape: "dot", font: {{size: 14}}}},
      interaction: {{hover: true, tooltipDelay: 120}}}});
  network.once("stabilizationIterationsDone", function () {{ network.setOptions({{physics: false}}); }});
  window.kgNetwork = network;  // for scripting the page (and for the browser tests)
}})();
</script>
</body>
</html>
"""
