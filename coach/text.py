"""How the coach reads words: tokens, stems, stopwords and spoken fillers, in one place.

Scoring, speech metrics, question tailoring and the feedback judge all ask the same
questions of text ("which words carry the topic?", "is this 'like' a filler?"). When
each kept its own answer they disagreed: two filler detectors differed on three of five
test sentences, and three stopword lists and two stemmers made "relevant" mean
different things in different places. Everything here is pure and cached; stemming is
the Snowball English stemmer: PyStemmer's compiled one, or ``snowballstemmer``'s pure
Python one when PyStemmer is missing (same algorithm, same stems, ~100x slower).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

try:  # PyStemmer: the same Snowball algorithm compiled to C, ~100x faster per word
    from Stemmer import Stemmer as _CompiledStemmer
except ImportError:  # pragma: no cover - the pure-Python stemmer gives the same stems
    _CompiledStemmer = None

__all__ = [
    "PROMPT_WORDS",
    "STOPWORDS",
    "Filler",
    "Token",
    "content_stems",
    "content_words",
    "count_fillers",
    "count_words",
    "find_fillers",
    "stem",
    "tokens",
    "words",
]

# --- words ----------------------------------------------------------------------------

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*")
# A spoken token: a word ("event-driven", "don't" are one), or punctuation that marks a
# pause in a transcript.
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’‘\-][A-Za-z0-9]+)*|[,.;:!?…()\"]|—|–|--")


def _norm(word: str) -> str:
    return word.lower().replace("’", "'").replace("‘", "'")


def words(text: str) -> list[str]:
    """The words of a text, lower case with straight apostrophes ("I’ve" -> "i've")."""
    return _WORD_RE.findall(_norm(text))


@dataclass(frozen=True, slots=True)
class Token:
    """One spoken token and where it sits in the text (so spans quote verbatim)."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokens(text: str) -> list[Token]:
    """Words and pause punctuation with their offsets in ``text``."""
    return [Token(_norm(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def count_words(text: str) -> int:
    """Words as a listener counts them: "event-driven" and "don't" are one word each."""
    return sum(1 for m in _TOKEN_RE.finditer(text) if m.group()[0].isalnum())


# --- stopwords and stems --------------------------------------------------------------


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Function words: they carry no topic, so sharing them proves nothing.
STOPWORDS = _word_set("""
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into
    is it its itself just me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their them
    then there these they this those through to too under until up very via was we were
    what when where which while who whom why will with would you your yours i'm i've
    i'd i'll we're we've we'd it's that's there's don't didn't doesn't wasn't isn't
    aren't can't couldn't won't wouldn't you're you've you'd you'll they're they've
    they'd he's she's
    """)

#: Words interview prompts and rubric hints use to ask, which name no topic of their own
#: ("Tell me about a time ...", "Give an example ...", "focus on ...").
PROMPT_WORDS = _word_set("""
    tell describe give example examples time times walk talk share explain discuss
    situation question questions answer please think us like really one ever say going
    get got thing things kind lot well way something anything make made great good ok
    okay alright cool right sure yes yeah oh hi hello thanks thank focus candidate
    result need demonstrate demonstrated specific specifically bit little idea elaborate
    um uh uhm er ah hmm mhm mmhmm mmm wow huh inaudible laugh laughs
    """)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a word ("migrated", "migration" -> "migrat").

    A stemmer object keeps state while it works, so each cache miss uses its own; the
    cache makes repeats (question words, common answer words) free.
    """
    stemmer = (
        _CompiledStemmer("english")
        if _CompiledStemmer is not None
        else snowballstemmer.stemmer("english")
    )
    return stemmer.stemWord(_norm(word).removesuffix("'s"))


def content_words(text: str) -> list[str]:
    """Topic-bearing words: not function words, not prompt boilerplate, not one letter."""
    return [w for w in words(text) if len(w) > 1 and w not in STOPWORDS and w not in PROMPT_WORDS]


@lru_cache(maxsize=1024)
def content_stems(text: str) -> frozenset[str]:
    """Stems of a text's topic-bearing words; cached because questions and hints repeat."""
    return frozenset(stem(w) for w in content_words(text))


# --- fillers --------------------------------------------------------------------------

_SIMPLE_FILLERS = {
    "um": "um",
    "umm": "um",
    "ummm": "um",
    "uhm": "um",
    "uhmm": "um",
    "uh": "uh",
    "uhh": "uh",
    "er": "er",
    "erm": "er",
    "ah": "ah",
    "ahh": "ah",
    "hmm": "hmm",
    "hm": "hmm",
    "mm": "hmm",
    "basically": "basically",
    "actually": "actually",
    "literally": "literally",
    "kinda": "kind of",
    "sorta": "sort of",
}
_DETERMINERS = _word_set(
    "a an the this that these those what which any some every each no one same another "
    "other my our your their his her its whatever"
)
_SUBJECTS = _word_set("i you we they he she it people who i'd we'd you'd they'd")
_LIKE_AS_VERB_OR_PREPOSITION = _word_set(
    "would do does did don't doesn't didn't to not really also still "
    "look looks looked looking seem seems seemed sound sounds sounded feel feels felt "
    "something anything nothing everything more much just exactly things stuff "
    "tools languages companies teams projects"
)
_DISCOURSE = _word_set("and so but or then um uh uhm er ah well yeah")
_NUMBER_WORDS = _word_set(
    "two three four five six seven eight nine ten twenty thirty forty fifty hundred a few half"
)
_ASKING = _word_set(
    "do does did don't didn't if as would will could can should might what how whether"
)
_KNOW_OBJECTS = _word_set(
    "how what why where when who whether if that it him her them me this the a an"
)
_MEAN_BLOCKERS_BEFORE = _word_set("what which that do did don't if")
_MEAN_BLOCKERS_AFTER = _word_set("it to that what")
_EDGE = Token(".", 0, 0)


@dataclass(frozen=True, slots=True)
class Filler:
    """One filler in a text: its name ("um", "you know") and its span."""

    name: str
    start: int
    end: int


def find_fillers(text: str) -> list[Filler]:
    """Filler words and phrases with their spans, counting "like" and the hedges only as
    fillers.

    Context decides: "I like Python", "looks like", "what kind of" and "do you know"
    are ordinary language, while "so, like, I", "it was kind of hard" and "it took like
    three weeks" are fillers. Transcribers punctuate pauses, so a comma beside "like"
    is the strongest signal.
    """
    toks = tokens(text)
    found: list[Filler] = []
    index = 0
    while index < len(toks):
        token = toks[index]
        before = toks[index - 1] if index > 0 else _EDGE
        after = toks[index + 1] if index + 1 < len(toks) else _EDGE
        after2 = toks[index + 2] if index + 2 < len(toks) else _EDGE
        pair = (token.text, after.text)
        name: str | None = None
        width = 1
        if token.text in _SIMPLE_FILLERS:
            name = _SIMPLE_FILLERS[token.text]
        elif token.text == "like" and _like_is_filler(before, after):
            name = "like"
        elif pair == ("you", "know") and _you_know_is_filler(before, after2):
            name, width = "you know", 2
        elif pair == ("i", "mean") and _i_mean_is_filler(before, after2):
            name, width = "i mean", 2
        elif token.text in ("sort", "kind") and after.text == "of":
            if before.text not in _DETERMINERS:
                name, width = f"{token.text} of", 2
        elif pair == ("so", "yeah"):
            name, width = "so yeah", 2
        if name:
            found.append(Filler(name, token.start, toks[index + width - 1].end))
        index += width
    return found


def count_fillers(text: str) -> dict[str, int]:
    """How many of each filler a text has, by name."""
    return dict(Counter(filler.name for filler in find_fillers(text)))


def _like_is_filler(before: Token, after: Token) -> bool:
    b, a = before.text, after.text
    if b in _SUBJECTS or b in _LIKE_AS_VERB_OR_PREPOSITION or b.endswith("'d"):
        return False  # "I like", "would like", "looks like", "something like"
    if not after.is_word or not before.is_word:
        return True  # "so, like, I", "like, we", "it was, like"
    if b in _DISCOURSE:
        return True  # "and like we", "so like I"
    return a in _NUMBER_WORDS or a[0].isdigit()  # "took like three weeks"


def _you_know_is_filler(before: Token, after: Token) -> bool:
    if before.text in _ASKING:
        return False  # "do you know", "as you know", "if you know"
    return not after.is_word or after.text not in _KNOW_OBJECTS


def _i_mean_is_filler(before: Token, after: Token) -> bool:
    if before.text in _MEAN_BLOCKERS_BEFORE:
        return False  # "what I mean is"
    return not after.is_word or after.text not in _MEAN_BLOCKERS_AFTER
