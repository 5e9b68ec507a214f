"""kg: an actor-relationship knowledge graph built from news."""

__version__ = "0.1.0"
