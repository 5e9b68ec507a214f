"""Pictures: a dyad's cooperation and conflict by month, and the signed adjacency of the blocs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .analysis.alliances import Partition
from .errors import KgError
from .analysis.stance import Stance

FORMATS = {".png", ".svg", ".pdf"}
COOPERATION, CONFLICT = "#1b9e77", "#d95f02"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # never open a window
    import matplotlib.pyplot as plt

    return plt


def _check(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise KgError(f"{path}: write the picture as .png, .svg or .pdf")


def _save(fig, path: Path) -> None:
    """Through kg's file writer: a missing folder or a read-only one is one clear error, a partial
    picture never replaces a good one."""
    from .safe import write_file

    try:
        write_file(path, lambda stream: fig.savefig(stream, format=path.suffix.lower()[1:], bbox_inches="tight"))
    finally:
        _pyplot().close(fig)


def plot_stance(result: Stance, labels: dict[str, str], path: str | Path) -> Path:
    """Bars of cooperation (up) and conflict (down) per month, both directions of the dyad together,
    with the monthly net score as a line."""
    path = Path(path)
    _check(path)
    if not result.timeline:
        raise KgError(f"no dated relations between {labels[result.a]} and {labels[result.b]} to plot")
    plt = _pyplot()
    months = [m.month for m in result.timeline]
    x = range(len(months))
    fig, ax = plt.subplots(figsize=(max(6, len(months) * 0.8), 4), dpi=120)
    ax.bar(x, [m.cooperation for m in result.timeline], color=COOPERATION, label="cooperation")
    ax.bar(x, [-m.conflict for m in result.timeline], color=CONFLICT, label="conflict")
    ax.plot(list(x), [m.net for m in result.timeline], color="#333333", marker="o", label="net")
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xticks(list(x), months, rotation=45, ha="right")
    ax.set_ylabel("Goldstein-weighted relations")
    ax.set_title(f"{labels[result.a]} and {labels[result.b]}: cooperation and conflict by month")
    ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_alliances(graph: nx.Graph, partition: Partition, path: str | Path, limit: int = 30) -> Path:
    """A heat map of signed weights between the main placed actors, ordered by bloc, blocs outlined;
    the actors the partition left unplaced are not drawn (the title says how many)."""
    path = Path(path)
    _check(path)
    if graph.number_of_nodes() < 2:
        raise KgError("fewer than two actors with relations: nothing to plot")
    if len(partition.membership) < 2:
        raise KgError("fewer than two actors have enough signed evidence to be placed in a bloc: nothing to plot "
                      "(kg alliances lists them)")
    plt = _pyplot()
    import numpy as np

    strength = {n: sum(abs(w) for _, _, w in graph.edges(n, data="weight")) for n in partition.membership}
    main = set(sorted(strength, key=lambda n: (-strength[n], n))[:limit])
    order = [n for bloc in partition.blocs for n in bloc if n in main]
    index = {n: i for i, n in enumerate(order)}
    matrix = np.zeros((len(order), len(order)))
    for u, v, w in graph.edges(data="weight"):
        if u in index and v in index:
            matrix[index[u], index[v]] = matrix[index[v], index[u]] = w
    bound = max(1.0, float(np.abs(matrix).max()))
    size = max(5, 0.35 * len(order) + 2)
    fig, ax = plt.subplots(figsize=(size + 1.5, size), dpi=120)
    image = ax.imshow(matrix, cmap="RdBu", vmin=-bound, vmax=bound)
    labels = [graph.nodes[n].get("label", n) for n in order]
    ax.set_xticks(range(len(order)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(order)), labels, fontsize=8)
    start = 0
    for bloc in partition.blocs:
        size_bloc = len([n for n in bloc if n in main])
        if size_bloc:
            ax.add_patch(plt.Rectangle((start - 0.5, start - 0.5), size_bloc, size_bloc, fill=False,
                                       edgecolor="#222222", linewidth=1.5))
            start += size_bloc
    fig.colorbar(image, ax=ax, label="net weight (red conflict, blue cooperation)", shrink=0.8)
    ax.set_title(f"Signed relations by bloc: {len(order)} of {len(partition.membership)} placed actors\n"
                 f"(frustration over placed actors {partition.frustration:.0%}; {len(partition.unplaced)} unplaced "
                 f"not shown{'; tentative' if partition.tentative else ''})")
    fig.tight_layout()
    _save(fig, path)
    return path
