"""kg: an actor-relationship knowledge graph built from news.

The public Python API is ``kg.api`` (``from kg import api``: build, query, relations, neighbors,
stance, alliances, graph, html, to_dataframe); ``kg.to_dataframe``, ``kg.Store`` and ``kg.Filter``
are also here. They load on first use, so ``import kg`` stays cheap.
"""

__version__ = "0.1.0"

__all__ = ["Filter", "Store", "to_dataframe"]


def __getattr__(name: str):
    if name == "Store":
        from .store import Store

        return Store
    if name == "Filter":
        from .analysis.signed import Filter

        return Filter
    if name == "to_dataframe":
        from .api import to_dataframe

        return to_dataframe
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
