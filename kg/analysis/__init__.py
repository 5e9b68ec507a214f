"""Analyses of the actor graph: the signed graph and its filter (signed), a dyad's stance over time
(stance), blocs by structural balance (alliances), centrality (central) and chains between actors
(paths). They read relations, or the dyad table (kg.dyads), never the store directly."""
