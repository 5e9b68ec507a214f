"""What kind of copy a document is: sports results are not political events.

"Argentina beats U.S. basketball team" and "Pakistan down India" read, word for word, like an assault
between states; an event coder leaves sports copy out. A document is sports copy when it uses at
least two distinct words of the list ``sports_terms`` in ontology/cues.tsv (words with no political
sense: innings, quarterback, semifinal, olympics, ...), or one of them and three of
``sports_context`` (game, season, team, medal, ...).
"""

from __future__ import annotations

import re

from ..data import cue

WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def is_sports(text: str) -> bool:
    """Whether ``text`` is sports copy (see the module's docstring)."""
    words = set(WORD.findall(text.lower()))
    terms = len(words & cue("sports_terms"))
    return terms >= 2 or (terms == 1 and len(words & cue("sports_context")) >= 3)
