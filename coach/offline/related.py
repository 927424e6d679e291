"""Words an on-topic answer may use instead of the question's own, both ways round.

Relevance that only counts the question's words marks a paraphrase as off-topic
("my boss" for "your manager"). The table is data (data/related_words.yaml), read once;
the scorer uses it for relevance and the example writer to find the resume line a
question is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from pydantic import TypeAdapter

from coach.offline.datafiles import data_file, read_yaml
from coach.text import stem

__all__ = ["expand", "related_stems"]

_TABLE = TypeAdapter(dict[str, str])


@cache
def related_stems() -> Mapping[str, frozenset[str]]:
    """Stem -> the stems that answer it too, symmetric."""
    table = _TABLE.validate_python(read_yaml(data_file("related_words.yaml")))
    pairs: dict[str, set[str]] = {}
    for key, related in table.items():
        for word in related.split():
            pairs.setdefault(stem(key), set()).add(stem(word))
            pairs.setdefault(stem(word), set()).add(stem(key))
    return MappingProxyType({k: frozenset(v - {k}) for k, v in pairs.items()})


def expand(stems: frozenset[str] | set[str]) -> frozenset[str]:
    """The stems and everything related to them."""
    table = related_stems()
    out = set(stems)
    for s in stems:
        out |= table.get(s, frozenset())
    return frozenset(out)
