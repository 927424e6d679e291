"""What the offline coach reads out of a resume and a job description.

The models say what the coach knows about a candidate and a role; ``profile_resume``
and ``profile_job`` fill them with pure regex and keyword rules, so the offline coach
can name real specifics (an employer, a measured claim, a tool the posting asks for)
without a model. The rules are tuned on messy real text: PDF columns that interleave,
icon-font words, words squashed together by a PDF's text layer, wrapped bullets.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coach.offline.datafiles import data_file, read_yaml

logger = logging.getLogger(__name__)


class Seniority(StrEnum):
    INTERN = "intern"
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"
    EXECUTIVE = "executive"
    UNKNOWN = "unknown"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResumeClaim(_Model):
    """One concrete claim from a resume, usually a bullet with a number in it."""

    text: str = Field(description="The bullet or sentence, cleaned up.")
    employer: str | None = Field(default=None, description="Where it happened, if known.")
    metric: str | None = Field(default=None, description="The figure, e.g. '40%' or '$2M'.")
    action: str | None = Field(default=None, description="Its leading verb, e.g. 'cut'.")


class ResumeRole(_Model):
    """One job on a resume: where, as what, and when (as written)."""

    employer: str | None = None
    title: str | None = None
    period: str | None = None


class ResumeProfile(_Model):
    name: str | None = None
    employers: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    claims: list[ResumeClaim] = Field(default_factory=list)
    years_experience: int | None = None
    highlights: list[ResumeClaim] = Field(
        default_factory=list,
        description="Achievement bullets without a figure ('Led and shipped Yoda ...').",
    )
    roles: list[ResumeRole] = Field(
        default_factory=list, description="Jobs in resume order, employer and title paired."
    )


class JobProfile(_Model):
    title: str | None = None
    company: str | None = None
    seniority: Seniority = Seniority.UNKNOWN
    field: str = Field(default="general", description="e.g. software, data, product, nursing.")
    skills: list[str] = Field(default_factory=list, description="Soft and domain skills.")
    tools: list[str] = Field(default_factory=list, description="Named tools and technologies.")
    responsibilities: list[str] = Field(default_factory=list)
    requirements: list[str] = Field(
        default_factory=list, description="Qualification bullets: what the candidate must bring."
    )
    years_required: int | None = Field(
        default=None, description="The largest minimum years of experience the posting asks."
    )


FIELDS: tuple[str, ...] = (
    "software",
    "data",
    "product",
    "nursing",
    "teaching",
    "finance",
    "sales",
    "operations",
    "design",
    "devops",
)


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, so long vocabularies stay compact."""
    return tuple(text.split())


# --- vocabulary -----------------------------------------------------------------------


@dataclass(frozen=True)
class ToolEntry:
    """One vocabulary entry: a canonical name, its spellings, and how to match it."""

    name: str
    category: str
    spellings: tuple[str, ...] = ()


# One vocabulary line: spellings split by '|', each optionally marked '=' or '~'.
_ENTRY = r"^[=~]?[^|=~\s][^|]*(?:\|[=~]?[^|=~\s][^|]*)*$"


class Vocabulary(BaseModel):
    """The vocabulary data file: category -> entries, each 'Name|alias|alias'.

    A leading '=' marks a case-sensitive spelling (an ordinary word in lower case:
    "excel at", "a spark"), '~' one trusted only inside a list ("Ruby, Python, and Go");
    the first spelling, without its mark, is the canonical name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tools: dict[str, tuple[Annotated[str, StringConstraints(pattern=_ENTRY)], ...]]
    skills: dict[str, tuple[Annotated[str, StringConstraints(pattern=_ENTRY)], ...]]


def _entries(category: str, lines: Iterable[str]) -> list[ToolEntry]:
    entries = []
    for raw in lines:
        spellings = [s for s in raw.strip().split("|") if s]
        if spellings:
            name = spellings[0].lstrip("=~")
            entries.append(ToolEntry(name, category, tuple(spellings)))
    return entries


@cache
def load_vocabulary() -> Vocabulary:
    """The curated tool and skill names, read once from data/vocabulary.yaml."""
    return Vocabulary.model_validate(read_yaml(data_file("vocabulary.yaml")))


TOOL_VOCABULARY: tuple[ToolEntry, ...] = tuple(
    entry
    for category, lines in load_vocabulary().tools.items()
    for entry in _entries(category, lines)
)
SKILL_VOCABULARY: tuple[ToolEntry, ...] = tuple(
    entry
    for category, lines in load_vocabulary().skills.items()
    for entry in _entries(category, lines)
)


# --- vocabulary matching --------------------------------------------------------------


@dataclass(frozen=True)
class _Matcher:
    """One compiled alternation over a vocabulary, and the way back to canonical names."""

    pattern: re.Pattern[str]
    canonical: dict[str, str]
    case_sensitive: bool

    def find(self, text: str) -> Iterator[tuple[int, str]]:
        for match in self.pattern.finditer(text):
            key = " ".join(match.group(1).split())
            key = key if self.case_sensitive else key.lower()
            name = self.canonical.get(key)
            if name:
                yield match.start(1), name


_LEFT = r"(?<![A-Za-z0-9_+#])"
_RIGHT = r"(?![A-Za-z0-9_+#]|\.[A-Za-z0-9])"
# A list context: the name sits between commas, bullets, slashes or "and"/"or", the only
# place where "Go", "R", "C" or "Access" can be trusted to mean the technology.
_LIST_LEFT = r"(?:(?<=[,;•·|/(:▪])\s*|(?<=\band )|(?<=\bor )|^\s*)"
_LIST_RIGHT = r"(?=\s*(?:[,;•·|/)▪]|\band\b|\bor\b|etc\b|$)|\.(?:\s|$))"
# ...or the name is followed by another named item: "Strong Go or Python".
_ITEM_RIGHT = r"(?=\s*(?:,|/|\bor\b|\band\b)\s*[A-Z])"


def _trie_pattern(spellings: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: hundreds of names, scanned in one pass.

    A flat 'a|b|c' alternation retries every name at every position; factoring common
    prefixes lets the engine reject a position after one character.
    """
    trie: dict[str, dict] = {}
    for spelling in spellings:
        node = trie
        for char in " ".join(spelling.split()):
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends_here = "" in node
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + emit(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        if len(branches) == 1 and not ends_here:
            return branches[0]
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if ends_here else group

    return emit(trie)


def _build_matchers(entries: Iterable[ToolEntry]) -> tuple[_Matcher, ...]:
    plain: dict[str, str] = {}
    exact: dict[str, str] = {}
    listed: dict[str, str] = {}
    for entry in entries:
        for spelling in entry.spellings:
            if spelling.startswith("~"):
                listed[spelling[1:]] = entry.name
            elif spelling.startswith("="):
                exact[spelling[1:]] = entry.name
            else:
                plain[spelling.lower()] = entry.name
    matchers = []
    for table, flags, left, right, sensitive in (
        (plain, re.IGNORECASE, _LEFT, _RIGHT, False),
        (exact, 0, _LEFT, _RIGHT, True),
        (listed, re.MULTILINE, _LIST_LEFT, _LIST_RIGHT, True),
        (listed, 0, _LEFT, _ITEM_RIGHT, True),
    ):
        if not table:
            continue
        pattern = re.compile(f"{left}({_trie_pattern(table)}){right}", flags)
        matchers.append(_Matcher(pattern, table, sensitive))
    return tuple(matchers)


_TOOL_MATCHERS = _build_matchers(TOOL_VOCABULARY)
_SKILL_MATCHERS = _build_matchers(SKILL_VOCABULARY)
_TOOL_CATEGORY = {entry.name: entry.category for entry in TOOL_VOCABULARY}
_CANONICAL_TOOL = {
    spelling.lstrip("=~").lower(): entry.name
    for entry in TOOL_VOCABULARY
    for spelling in entry.spellings
}
_SKILL_CATEGORY = {entry.name: entry.category for entry in SKILL_VOCABULARY}


def _vocabulary_hits(text: str, matchers: tuple[_Matcher, ...]) -> list[str]:
    """Canonical names found in text, most frequent first, then by first mention."""
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    seen: set[tuple[int, str]] = set()
    for matcher in matchers:
        for position, name in matcher.find(text):
            if (position, name) in seen:
                continue
            seen.add((position, name))
            first[name] = min(first.get(name, position), position)
            count[name] = count.get(name, 0) + 1
    return sorted(first, key=lambda name: (-count[name], first[name]))


def find_tools(text: str) -> list[str]:
    """Named tools and technologies in text (canonical names, most mentioned first)."""
    return _vocabulary_hits(text, _TOOL_MATCHERS)


def find_skills(text: str) -> list[str]:
    """Soft and domain skills in text (canonical names, most mentioned first)."""
    return _vocabulary_hits(text, _SKILL_MATCHERS)


def tool_category(name: str) -> str:
    """The vocabulary category of a tool ('language', 'cloud', 'clinical', ...)."""
    return _TOOL_CATEGORY.get(name, "general")


def skill_category(name: str) -> str:
    """The competency a skill exercises ('communication', 'leadership', ...)."""
    return _SKILL_CATEGORY.get(name, "general")


# --- text clean-up --------------------------------------------------------------------

_ICON_WORDS = re.compile(
    r"\b(?:HOUSE-CHIMNEY|GITHUB-SQUARE|GITHUB-ALT|LINKEDIN-IN|MAP-MARKER(?:-ALT)?|"
    r"ENVELOPE(?:-OPEN)?|PHONE(?:-ALT|-SQUARE)?|MOBILE(?:-ALT)?|GLOBE(?:-AMERICAS)?|"
    r"STACK-OVERFLOW|TWITTER-SQUARE|FACEBOOK-SQUARE|GITLAB|LINKEDIN|GITHUB|TWITTER|"
    r"SKYPE|MEDIUM|INSTAGRAM|YOUTUBE)\b"
)
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦·‣⁃○■□➢➤►✓✔➔→♦◆]+|\(?\d{1,2}[.)]|\(?[a-hA-H][.)])\s+")
_DASHES = str.maketrans({"\u00ad": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-"})
_SQUASHED_TOKEN = re.compile(r"[A-Za-z][A-Za-z&.,'’()-]{24,}")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BULLET_GLYPHS = set("•●▪◦·‣⁃○■□➢➤►✓✔➔→♦◆")


def _drop_symbol(match: re.Match[str]) -> str:
    """Emoji, icon-font glyphs and private-use characters go; bullet glyphs stay."""
    char = match.group(0)
    if char in _BULLET_GLYPHS:
        return char
    return "" if unicodedata.category(char) in ("So", "Co", "Cs") else char


def _clean_lines(text: str) -> list[str]:
    """NFKC, one kind of dash, no icon words or symbol glyphs, no markdown emphasis."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ")
    text = _ICON_WORDS.sub(" ", text)
    text = _NON_ASCII.sub(_drop_symbol, text)
    lines = []
    for raw in text.split("\n"):
        line = raw.replace("**", "").replace("__", "").rstrip()
        lines.append(line.strip() if line.strip() else "")
    return lines


def _strip_bullet(line: str) -> tuple[str, bool]:
    match = _BULLET.match(line)
    if match:
        return line[match.end() :].strip(), True
    return line.strip(), False


def _squash_key(line: str) -> str:
    return re.sub(r"[^a-z]", "", line.lower())


def _is_squashed(text: str) -> bool:
    """True for PDF text whose spaces were lost ('Savedover30%oftheoverallAWScosts')."""
    return bool(_SQUASHED_TOKEN.search(text))


_CAMEL_KEEP = _words(
    "DevOps GitHub GitLab JavaScript TypeScript PowerShell MongoDB PostgreSQL MySQL "
    "LinkedIn YouTube DynamoDB CloudFormation CloudWatch CloudFront ArgoCD GitOps "
    "InfluxDB OpenLDAP OpenVPN CircleCI"
)


def _uncamel(text: str) -> str:
    """Put spaces back into squashed headings: 'DanggeunPayInc.' -> 'Danggeun Pay Inc.'."""
    if " " in text.strip() and not _is_squashed(text) and len(text) < 30:
        return text
    kept: dict[str, str] = {}
    for index, word in enumerate(_CAMEL_KEEP):
        token = f"\x00{index}\x00"
        if word in text:
            kept[token] = word
            text = text.replace(word, token)
    # Only "of" is safe to split out: "and", "on", "in" end too many words ("Command").
    text = re.sub(r"(?<=[a-z]{3})(of)(?=[A-Z])", r" \1 ", text)
    text = re.sub(r"(?<=[a-z.\x00])(?=[A-Z][a-z]|\x00)", " ", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})", " ", text)
    text = re.sub(r"(?<=[a-z])(?=[&(])|(?<=[&)])(?=[A-Za-z])", " ", text)
    for token, word in kept.items():
        text = text.replace(token, word)
    return " ".join(text.split())


_LOWER_SMALL = {"the", "and", "for", "lab", "inc", "of", "at", "in", "on", "to", "co", "llc"}


def _tidy_caps(text: str) -> str:
    """'CORNELL ROBOT LEARNING LAB' -> 'Cornell Robot Learning Lab'; keeps 'IBM', 'KPCB'."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters):
        return text
    words = []
    for word in text.split():
        core = re.sub(r"[^A-Za-z]", "", word)
        is_acronym = (len(core) <= 3 and core.lower() not in _LOWER_SMALL) or not re.search(
            r"[AEIOUY]", core
        )
        words.append(word if is_acronym else word.capitalize())
    return " ".join(words)


# --- dates ----------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_POINT = rf"(?:{_MONTH}\s*,?\s*{_YEAR}|\d{{1,2}}/{_YEAR}|{_YEAR})"
_OPEN_END = r"(?:present|current(?:ly)?|now|today|ongoing|date)"
_DATE_RANGE = re.compile(
    rf"(?:\bexp\.\s*)?(?<![\w/]){_POINT}\s*(?:-|–|—|to|until|through)\s*(?:exp\.\s*)?"
    rf"(?:{_POINT}|{_OPEN_END})\b\.?",
    re.IGNORECASE,
)
_DATE_POINT = re.compile(rf"\b{_MONTH}\s*,?\s*{_YEAR}\b,?", re.IGNORECASE)
_SEASON = re.compile(
    rf"\b(?:summer|spring|fall|autumn|winter)\s+{_YEAR}(?:\s*(?:and|&|,|-|–)\s*{_YEAR})*",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(_YEAR)


# --- resume sections ------------------------------------------------------------------

_RESUME_SECTIONS: dict[str, tuple[str, ...]] = {
    "experience": _words(
        "experience workexperience professionalexperience relevantexperience employment "
        "employmenthistory workhistory careerhistory professionalbackground internships "
        "internshipexperience research researchexperience leadershipexperience "
        "teachingexperience clinicalexperience volunteerexperience volunteering "
        "experiencehighlights"
    ),
    "education": _words("education academicbackground educationandtraining academics"),
    "skills": _words(
        "skills technicalskills keyskills coreskills corecompetencies competencies "
        "skillsandabilities skillsabilities technologies tools toolsandtechnologies "
        "areasofexpertise expertise skillssummary technicalproficiencies"
    ),
    "projects": _words(
        "projects personalprojects selectedprojects sideprojects keyprojects "
        "academicprojects opensource opensourceprojects"
    ),
    "summary": _words(
        "summary professionalsummary profile professionalprofile aboutme about objective "
        "careerobjective personalstatement"
    ),
    "other": _words(
        "certifications certificates licenses licensesandcertifications "
        "certificationsandlicenses awards honors honours honorsawards honorsandawards "
        "achievements scholarships publications coursework relevantcoursework links "
        "languages interests hobbies references community activities "
        "extracurricularactivities extracurricularactivity extracurricular activity contact "
        "presentation presentations patents writing programcommittees talks"
    ),
}
_RESUME_HEADINGS = {key: section for section, keys in _RESUME_SECTIONS.items() for key in keys}
_NOT_EXPERIENCE = {"education", "skills", "other", "summary"}


def _resume_heading(line: str) -> str | None:
    if len(line) > 45:
        return None
    return _RESUME_HEADINGS.get(_squash_key(line.lstrip("#").rstrip(":")))


# --- employers and titles ------------------------------------------------------------

_TITLE_WORDS_LONG = _words(
    "engineer developer manager director analyst scientist architect consultant "
    "specialist intern assistant accountant nurse teacher tutor instructor lecturer "
    "professor researcher designer officer technician administrator coordinator "
    "representative executive president founder contributor supervisor advisor adviser "
    "programmer strategist recruiter operator planner auditor controller bookkeeper "
    "therapist pharmacist physician educator counselor counsellor fellow member owner "
    "editor writer clerk cashier paralegal attorney associate leader tester"
)
_TITLE_WORDS_SHORT = re.compile(
    r"\b(?:lead|head|vp|cto|ceo|cfo|coo|cio|sre|chief|principal|staff|rn|lpn|cpa)\b",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(
    r"\b(?:inc|corp|corporation|llc|ltd|co|company|group|gmbh|plc|technologies|labs?|"
    r"university|college|institute|school|district|hospital|health|healthcare|clinic|bank|"
    r"partners|studios?|systems|entertainment|solutions|consulting|agency|foundation|"
    r"associates|ventures|capital|holdings|international|services|research|academy)\b\.?",
    re.IGNORECASE,
)
_US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
    "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
    "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "ON", "BC", "QC", "AB", "UK",
}  # fmt: skip
_REGIONS = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
    "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina",
    "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
    "washington", "west virginia", "wisconsin", "wyoming", "usa", "us", "united states",
    "india", "china", "japan", "korea", "s.korea", "south korea", "republic of korea",
    "germany", "france", "spain", "italy", "canada", "mexico", "brazil", "uk",
    "united kingdom", "england", "scotland", "ireland", "netherlands", "sweden", "norway",
    "denmark", "finland", "poland", "israel", "singapore", "australia", "new zealand",
    "ukraine", "switzerland", "austria", "belgium", "portugal", "remote", "u.s.a", "u.s",
}  # fmt: skip
_CITY_PREFIXES = {
    "new", "san", "los", "las", "santa", "st.", "saint", "fort", "ft.", "el", "palo",
    "mountain", "salt", "long", "little", "kansas", "oklahoma", "jersey", "baton", "ann",
    "grand", "des", "cedar", "redwood", "menlo", "century", "oak", "west", "east",
    "north", "south", "port", "lake", "colorado", "virginia", "jefferson", "college",
    "sioux", "green", "rio", "cape", "hong", "tel", "kuala", "buenos", "sao", "são",
}  # fmt: skip
_VERB_START = re.compile(
    r"^(?:[A-Z][a-z]+ed|Led|Built|Ran|Won|Grew|Wrote|Made|Drove|Taught|Cut|Set|Began|"
    r"Gave|Took|Sold|Spent|Brought|Kept|Met|Saw|Worked|Helped|Use|Used|Provide|Manage|"
    r"Develop|Create|Lead|Build|Design|Own|Drive|Support|Assist|Perform|Maintain|Prepare|"
    r"Install|Speak|Meet|Compute|Monitor(?:ing)?|Active|Responsible|Traveled)\b"
)
_NOT_EMPLOYER = re.compile(
    r"^(?:present|current|remote|hybrid|full[- ]time|part[- ]time|contract|summary|"
    r"experience|education|skills|projects?)$",
    re.IGNORECASE,
)


def _has_title_word(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _TITLE_WORDS_LONG) or bool(
        _TITLE_WORDS_SHORT.search(text)
    )


def _is_title(text: str) -> bool:
    """A job title, not a company: 'Research and Teaching Assistant' but not 'Robot Lab'."""
    if not _has_title_word(text):
        return False
    if not _COMPANY_SUFFIX.search(text):
        return True
    return _has_title_word(text.split()[-1])


def _is_region(text: str) -> bool:
    value = text.strip().rstrip(".").strip()
    value = re.sub(r"\s+\d{5}(?:-\d{4})?$", "", value)
    return value in _US_STATES or value.lower() in _REGIONS


def _split_location(chunk: str) -> tuple[str, bool]:
    """Drop a trailing 'City, ST' from 'Google Mountain View, CA'; say if one was found."""
    found = False
    while True:
        match = re.search(r",\s?([A-Za-z][A-Za-z. ]{0,24}?(?:\s+\d{5})?)\s*$", chunk)
        if not match or not _is_region(match.group(1)):
            # A bare country after the name: "WiseGuys S.Korea", "Acme India".
            bare = re.search(r"\s([A-Z][A-Za-z.]{2,})$", chunk)
            if bare and _is_region(bare.group(1)) and len(bare.group(1)) > 2:
                return chunk[: bare.start()].strip(" ,|-–/&"), True
            return chunk.strip(" ,|-–/&"), found
        found = True
        words = chunk[: match.start()].split()
        if not words:
            return "", True
        size = 1
        if len(words) >= 2 and words[-2].lower() in _CITY_PREFIXES:
            size = 2
        if len(words) >= 3 and words[-3].lower() in _CITY_PREFIXES and size == 2:
            size = 3
        chunk = " ".join(words[:-size]).strip(" ,|-–/&")
        if not chunk:
            return "", True


_PART_SPLIT = re.compile(
    r"\s+[|–—]\s+|\s+-\s+|\s*\|\s*|\s{2,}|,\s*(?!(?:Inc|Ltd|LLC|Co|Corp|GmbH|PLC)\b)|\s+/\s+"
)
_PARENTHETICAL = re.compile(r"\s*\([^)]*(?:\)|$)")


@dataclass
class _Job:
    start: int
    employer: str | None
    title: str | None
    period: str | None = None


def _classify_parts(chunks: list[str]) -> tuple[str | None, str | None]:
    """Pick (employer, title) out of the header chunks around one date range."""
    title: str | None = None
    employer: str | None = None
    fallback: str | None = None
    for chunk in chunks:
        rest, _ = _split_location(_PARENTHETICAL.sub("", chunk))
        parts = [p.strip(" ,|-–—/:()") for p in _PART_SPLIT.split(rest)]
        parts = [p for p in parts if p]
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if _is_region(part) or (following and _is_region(following) and len(part) < 25):
                continue
            if _YEAR_RE.fullmatch(part) or _NOT_EMPLOYER.match(part):
                continue
            if _is_title(part):
                title = title or part
            elif _COMPANY_SUFFIX.search(part) and employer is None and len(part.split()) <= 8:
                employer = part
            elif fallback is None and len(part.split()) <= 6 and re.search(r"[A-Z]", part):
                fallback = part
    employer = employer or fallback
    if employer:
        employer = _tidy_caps(_uncamel(employer)).strip(" ,")
        if not re.search(r"\b(?:Inc|Co|Ltd|Corp|Jr|St)\.$", employer):
            employer = employer.rstrip(".")
        if employer.lower().startswith("at "):
            employer = employer[3:]
    if title:
        title = _tidy_caps(_uncamel(title)).strip(" ,")
    return employer or None, title or None


def _is_header_line(line: str) -> bool:
    """A short line that can hold an employer or a title, not a sentence."""
    text, _ = _strip_bullet(line)
    if not text or len(text) > 90 or text[0].islower():
        return False
    if _VERB_START.match(text) or len(text.split()) > 12:
        return False
    return not (text.endswith(".") and not re.search(r"\b(?:Inc|Co|Ltd|Corp)\.$", text))


def _jobs(lines: list[str], sections: list[str]) -> list[_Job]:
    """Job headers: every date range in an experience-like section, read with its neighbours."""
    jobs: list[_Job] = []
    for index, line in enumerate(lines):
        if not line or sections[index] in _NOT_EXPERIENCE:
            continue
        match = _DATE_RANGE.search(line) or _SEASON.search(line)
        if not match:
            continue
        before = _DATE_POINT.sub("", line[: match.start()]).strip(" |/,-–")
        after = _DATE_POINT.sub("", line[match.end() :]).strip(" |/,-–")
        before, _ = _strip_bullet(before)
        chunks = [c for c in (before, after) if c]
        start = index
        for back in range(1, 4):
            prev = index - back
            if prev < 0 or not lines[prev] or sections[prev] != sections[index]:
                break
            if _DATE_RANGE.search(lines[prev]) or not _is_header_line(lines[prev]):
                break
            chunks.append(_strip_bullet(lines[prev])[0])
            start = prev
        following = index + 1
        if (
            following < len(lines)
            and lines[following]
            and _is_header_line(lines[following])
            and not _DATE_RANGE.search(lines[following])
            and not (following + 1 < len(lines) and _DATE_RANGE.search(lines[following + 1]))
        ):
            chunks.append(_strip_bullet(lines[following])[0])
        employer, title = _classify_parts(chunks)
        if employer or title:
            jobs.append(_Job(start, employer, title, " ".join(match.group(0).split())))
    return jobs


# --- claims ---------------------------------------------------------------------------

_METRIC = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:[kKmMbB](?:n|illion)?\b|million|billion|thousand)?"
    r"|(?<![\d.,])\d+(?:\.\d+)?\s?%"
    r"|(?<![\d.,])\d+(?:\.\d+)?\s?[xX]\b"
    r"|\bfrom\s+\d[\d,.]*\s*\w+\s+to\s+\d[\d,.]*\s*\w+"
    r"|\b\d{1,3}(?:,\d{3})+\+?"
    r"|(?<![\d.,])\d+(?:\.\d+)?\s?(?:million|billion|thousand|[kKmM]\b)\+?"
    r"|\bfrom\s+(?:\d[\d,.]*\s*)?(?:hours|days|weeks|months|minutes)\s+to\s+"
    r"(?:\d[\d,.]*\s*)?(?:minutes|seconds|hours|days|weeks)\b"
    r"|\bzero\s+(?:\w+\s+)?(?:downtime|disruption|defects|incidents|errors|outages|data loss)\b"
    r"|\b\d+\+"
    r"|\b(?:top\s+)?\d+\s*(?:/|out of)\s*\d+"
    r"|\b\d+(?:\.\d+)?\s+(?:users|customers|clients|students|learners|patients|people|"
    r"engineers|developers|employees|staff|members|servers|nodes|clusters|pods|services|"
    r"microservices|accounts|countries|offices|schools|stores|sites|teams?|reports|hours|"
    r"minutes|seconds|days|weeks|months|applicants|projects|automations|pipelines|"
    r"playbooks|campaigns|courses|beds|units|hospitals|locations|markets|languages|"
    r"stakeholders|managers|roadmaps|frameworks|systems|computers|machines|documents)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|fifty|"
    r"hundred)\s+(?:percent|times)\b)",
    re.IGNORECASE,
)
_NOT_METRIC_CONTEXT = re.compile(
    r"\b(?:gpa|phone|mobile|tel|zip|\d{3}[-.)]\s?\d{3}[-.]\d{4})\b", re.IGNORECASE
)
_IRREGULAR_PAST = {
    "led", "built", "ran", "won", "grew", "wrote", "made", "drove", "taught", "cut", "set",
    "began", "gave", "took", "sold", "spent", "brought", "kept", "met", "saw", "shipped",
    "rebuilt", "overhauled", "oversaw", "undertook", "rewrote", "hired", "sped",
    "put", "hit", "found", "held", "chose", "bought", "thought", "beat", "upheld", "used",
}  # fmt: skip
_PRESENT_VERBS = {
    "lead", "build", "manage", "develop", "design", "create", "drive", "own", "run",
    "deliver", "implement", "maintain", "support", "provide", "prepare", "compute",
    "meet", "monitor", "use", "install", "speak", "perform", "conduct", "coordinate",
    "mentor", "teach", "train", "oversee", "launch", "analyze", "analyse", "improve",
    "reduce", "increase", "grow", "write", "sell", "serve", "plan", "assess", "review",
}  # fmt: skip
_VERB_PREFIXES = tuple(
    sorted(
        {
            "saved",
            "reduced",
            "increased",
            "improved",
            "designed",
            "established",
            "migrated",
            "managed",
            "provisioned",
            "introduced",
            "implemented",
            "developed",
            "built",
            "led",
            "created",
            "deployed",
            "delivered",
            "launched",
            "automated",
            "grew",
            "cut",
            "continuously",
            "researched",
            "processed",
            "wrote",
            "scaled",
            "optimized",
            "optimised",
        },
        key=len,
        reverse=True,
    )
)


def _leading_verb(text: str) -> str | None:
    """The claim's leading verb, also out of squashed text ('Savedover30%' -> 'saved')."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text[:60])
    if not words:
        return None
    first = words[0].lower()
    if first in {"continuously", "successfully", "significantly"} and len(words) > 1:
        first = words[1].lower()
    if first in _IRREGULAR_PAST or first in _PRESENT_VERBS:
        return first
    if first.endswith("ed") and len(first) > 4 and len(first) <= 16:
        return first
    if len(first) > 16:
        for prefix in _VERB_PREFIXES:
            if first.startswith(prefix):
                return prefix
    return None


def _clean_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.strip(" .;,·•-–")


def _items(lines: list[str], sections: list[str]) -> list[tuple[int, str, str]]:
    """Bullets and sentences as (first line index, section, text), wrapped lines joined."""
    items: list[tuple[int, str, str]] = []
    current: list[str] = []
    start = 0
    gap = 0
    lengths = sorted(len(line) for line in lines if line)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0
    for index, line in enumerate(lines):
        if not line:
            gap += 1
            continue
        text, bulleted = _strip_bullet(line)
        heading = _resume_heading(line) is not None or line.startswith("#")
        previous = current[-1] if current else ""
        continues = (
            current
            and not bulleted
            and not heading
            and sections[index] == sections[start]
            and not (text[:1].isupper() and _leading_verb(text))
            and (
                (text[:1].islower() and gap <= 2)
                or (
                    gap == 0
                    and len(previous) >= max(60, 0.75 * width)
                    and not re.search(r"[.!?:]$", previous)
                    and not _DATE_RANGE.search(line)
                    and not (index + 1 < len(lines) and _DATE_RANGE.search(lines[index + 1]))
                )
            )
        )
        if continues:
            current.append(text)
        else:
            if current:
                items.append((start, sections[start], " ".join(current)))
            current, start = ([text] if not heading else []), index
        gap = 0
    if current:
        items.append((start, sections[start], " ".join(current)))
    return items


_ABBREVIATIONS = {
    "inc", "co", "ltd", "corp", "prof", "dr", "mr", "ms", "mrs", "e.g", "i.e", "etc",
    "st", "jr", "sr", "vs", "no", "approx", "dept", "univ",
}  # fmt: skip


def _split_sentences(text: str) -> list[str]:
    """Sentences of one bullet; 'Inc.', 'Prof.' and initials do not end a sentence."""
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"\.\s+(?=[A-Z])", text):
        before = re.search(r"([A-Za-z.]+)$", text[start : match.start()])
        word = before.group(1).lower() if before else ""
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    sentences = []
    for part in parts:
        cleaned = _clean_sentence(part)
        head = re.match(r"^([^:]{2,60}):\s+(?=\S)", cleaned)
        if head and len(head.group(1).split()) <= 7:
            cleaned = cleaned[head.end() :]
        if cleaned:
            sentences.append(cleaned)
    return sentences


def _metric_in(text: str) -> str | None:
    for match in _METRIC.finditer(text):
        figure = match.group(0).strip()
        window = text[max(0, match.start() - 12) : match.end() + 4]
        if _NOT_METRIC_CONTEXT.search(window):
            continue
        if _YEAR_RE.fullmatch(figure.rstrip("+")):
            continue
        if re.match(r"\s*(?:\+\s*)?years?\b", text[match.end() : match.end() + 8], re.I):
            continue
        return re.sub(r"(\d)([A-Za-z]{3,})", r"\1 \2", figure)
    return None


def _employer_at(jobs: list[_Job], index: int) -> str | None:
    employer = None
    for job in jobs:
        if job.start <= index and job.employer:
            employer = job.employer
        elif job.start > index:
            break
    return employer


# --- resume ---------------------------------------------------------------------------

_NAME_WORD = re.compile(r"^(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.|[A-Z][A-Z'’-]+)$")
_NAME_CUT = re.compile(
    r"\s*(?:\b(?:email|e-mail|phone|mobile|tel|cell)\b|[|•·▪,@:(]|\d|https?:|www\.).*",
    re.IGNORECASE,
)
_NOT_NAME = {"resume", "résumé", "curriculum", "vitae", "cv", "page", "contact", "profile"}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20,
}  # fmt: skip
_YEARS_PHRASE = re.compile(
    r"\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s*\+?\s*(?:\+\s*)?years?\b"
    r"(?=[^.]{0,40}\b(?:experience|of|in|hands|professional|working)\b)",
    re.IGNORECASE,
)


def _name(lines: list[str]) -> str | None:
    checked = 0
    for line in lines:
        if not line:
            continue
        checked += 1
        if checked > 6:
            break
        candidate = _NAME_CUT.sub("", line).strip()
        words = candidate.split()
        if not 1 <= len(words) <= 4 or _resume_heading(candidate):
            continue
        if any(w.lower().strip(".") in _NOT_NAME for w in words) or _has_title_word(candidate):
            continue
        if len(words) == 1 and checked > 1:
            continue
        if all(_NAME_WORD.match(w) for w in words) and len(candidate) <= 40:
            return _tidy_caps(candidate)
    return None


def _years_experience(text: str, lines: list[str], sections: list[str]) -> int | None:
    head = "\n".join(lines[:40])
    match = _YEARS_PHRASE.search(head)
    if match:
        value = match.group(1).lower()
        return int(value) if value.isdigit() else _NUMBER_WORDS[value]
    years: list[int] = []
    for line, section in zip(lines, sections, strict=True):
        if section in _NOT_EXPERIENCE or not line:
            continue
        for found in _DATE_RANGE.finditer(line):
            if re.search(_OPEN_END, found.group(0), re.IGNORECASE):
                # "2019 - Present" ends today, and a profile must not depend on the clock.
                return None
            years.extend(int(y) for y in _YEAR_RE.findall(found.group(0)))
    if len(years) >= 2:
        return max(years) - min(years) or None
    return None


def _skills_section_items(lines: list[str], sections: list[str]) -> list[str]:
    found: list[str] = []
    for line, section in zip(lines, sections, strict=True):
        if section != "skills" or not line or _resume_heading(line):
            continue
        text, _ = _strip_bullet(line)
        if ":" in text[:40]:
            text = text.split(":", 1)[1]
        for piece in re.split(r"[,;|•·▪]|\s{2,}|\s/\s", text):
            piece = re.sub(r"^(?:and|or|&)\s+|\s+(?:etc|and others)\.?$", "", piece.strip(" .-–"))
            if not piece or len(piece.split()) > 4 or len(piece) > 40 or piece.lower() == "etc":
                continue
            if piece.isupper() and len(piece) > 5 and not find_tools(piece):
                continue
            found.append(_CANONICAL_TOOL.get(piece.lower(), piece))
    return found


def _projects(items: list[tuple[int, str, str]]) -> list[str]:
    """Items of a Projects section first, then 'Name: what it was' entries elsewhere."""
    named: list[str] = []
    extra: list[str] = []
    for _, section, text in items:
        head = re.split(r":\s|\s[-–—]\s", text, maxsplit=1)[0].strip()
        if section == "projects":
            if len(head.split()) <= 6:
                named.append(head)
            else:
                named.append(" ".join(text.split()[:8]))
        elif (
            section == "experience"
            and ":" in text[:40]
            and 1 <= len(head.split()) <= 4
            and head[:1].isupper()
            and not _has_title_word(head)
        ):
            extra.append(head)
    return _unique(named + extra)[:15]


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        key = value.lower().strip()
        if key and key not in seen:
            seen.add(key)
            result.append(value.strip())
    return result


def _resume_sections(lines: list[str]) -> list[str]:
    sections = []
    current = "unknown"
    for line in lines:
        heading = _resume_heading(line) if line else None
        if heading:
            current = heading
        sections.append(current)
    return sections


def profile_resume(text: str) -> ResumeProfile:
    """Read a resume's name, employers, titles, projects, skills and measurable claims."""
    lines = _clean_lines(text)
    sections = _resume_sections(lines)
    jobs = _jobs(lines, sections)
    items = _items(lines, sections)
    claims: list[ResumeClaim] = []
    highlights: list[ResumeClaim] = []
    seen: set[str] = set()
    for start, section, item in items:
        if section in {"education", "skills", "other"}:
            continue
        for sentence in _split_sentences(item):
            key = sentence.lower()
            if key in seen or (len(sentence.split()) < 3 and not _is_squashed(sentence)):
                continue
            seen.add(key)
            if _DATE_RANGE.search(sentence) and len(sentence.split()) < 12:
                continue
            employer = _employer_at(jobs, start) if section != "summary" else None
            metric = _metric_in(sentence)
            action = _leading_verb(sentence)
            if metric:
                claims.append(
                    ResumeClaim(text=sentence, employer=employer, metric=metric, action=action)
                )
            elif action and section != "summary" and len(sentence.split()) >= 4:
                highlights.append(ResumeClaim(text=sentence, employer=employer, action=action))
    skills = _unique([*_skills_section_items(lines, sections), *find_tools(text)])
    profile = ResumeProfile(
        name=_name(lines),
        employers=_unique(job.employer for job in jobs if job.employer),
        titles=_unique(job.title for job in jobs if job.title),
        projects=_projects(items),
        skills=skills[:80],
        claims=claims[:40],
        years_experience=_years_experience(text, lines, sections),
        highlights=highlights[:40],
        roles=[ResumeRole(employer=j.employer, title=j.title, period=j.period) for j in jobs],
    )
    logger.debug(
        "profiled resume",
        extra={
            "employers": len(profile.employers),
            "claims": len(profile.claims),
            "skills": len(profile.skills),
        },
    )
    return profile


# --- job description ------------------------------------------------------------------

_JOB_SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "other",
        re.compile(
            r"terms|conditions|how to apply|basic information|employment requirements|"
            r"key requirements|key facts|evaluation|adherence|eligib|legal|disclaimer|"
            r"equal opportunity|^note\b",
            re.I,
        ),
    ),
    (
        "benefits",
        re.compile(
            r"benefit|perks|what we offer|compensation|salary|why (?:join|work)|total rewards",
            re.I,
        ),
    ),
    ("about", re.compile(r"^about\b|who we are|introduction|our mission|^company\b", re.I)),
    (
        "responsibilities",
        re.compile(
            r"responsibilit|what you(?:'|’)?ll do|what you will do|duties|key objective|"
            r"objective #|in this role|day[- ]to[- ]day|what you(?:'|’)?ll be doing|"
            r"essential functions|accountabilit|critical tasks|the role\b|your role|"
            r"you will:|role overview|what you will be doing|your impact",
            re.I,
        ),
    ),
    (
        "requirements",
        re.compile(
            r"qualification|requirement|what you(?:'|’)?ll need|what you bring|"
            r"looking for|experience and education|education and experience|who you are|"
            r"must have|nice to have|preferred|skills|about you|you have|you bring|"
            r"competenc",
            re.I,
        ),
    ),
)


def _job_heading(line: str) -> str | None:
    """The kind of section a JD heading opens, or None when the line is not a heading."""
    stripped = line.strip()
    markdown = stripped.startswith("#")
    text = stripped.lstrip("#").strip().strip("*").strip()
    if not text:
        return None
    words = len(text.split())
    colon = text.endswith(":") and words <= 10
    short = words <= 6 and not re.search(r"[.,;]$", text) and not _BULLET.match(stripped)
    if not (markdown or colon or short):
        return None
    for section, pattern in _JOB_SECTIONS:
        if pattern.search(text):
            return section
    # An unknown markdown heading closes a section; an unknown "Label:" line is usually
    # a sub-heading inside one ("Successful product managers at 18F:").
    return "other" if markdown else ("keep" if colon else None)


_TITLE_LABEL = re.compile(r"^\s*(?:job\s+title|title|position|role|job)\s*:\s*(.+)$", re.IGNORECASE)
_COMPANY_LABEL = re.compile(r"^\s*(?:company|employer|organi[sz]ation)\s*:\s*(.+)$", re.I)
_TITLE_NOISE = re.compile(
    r"\s+(?:with verification|\(remote\)|- remote|\| remote|hiring now|urgent(?:ly)? hiring)\b.*$",
    re.IGNORECASE,
)
_COMPANY_INTRO = re.compile(
    r"^(?:about (?:the company|us)\s*[-–:]\s*)?([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})"
    r"(?:,\s*Inc\.?)?\s+(?:is|are)\s+(?:a|an|the|one)\b"
)
_HIRING = re.compile(
    r"^([A-Z0-9][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})\s+is\s+(?:hiring|looking|seeking)"
)


_HIRER_AFTER_TITLE = re.compile(r"^(.+?)\s+[—|]\s+([A-Z0-9][\w&.' -]{1,60})$")


def _job_title_and_company(lines: list[str]) -> tuple[str | None, str | None]:
    title: str | None = None
    company: str | None = None
    for line in lines[:12]:
        if not title and (match := _TITLE_LABEL.match(line)):
            title = match.group(1)
        if not company and (match := _COMPANY_LABEL.match(line)):
            company = match.group(1).strip()
    if not title:
        for line in lines[:15]:
            text = line.lstrip("#").strip()
            if not text or len(text.split()) > 12 or text.endswith(".") or _BULLET.match(line):
                continue
            looks_like_title = _job_heading(line) in (None, "other") and _has_title_word(text)
            if not looks_like_title and not line.startswith("#"):
                continue
            title = text
            break
    if title:
        title = _TITLE_NOISE.sub("", title).strip()
        at = re.match(r"^(.+?)\s+at\s+([A-Z][\w&.' -]+)$", title)
        parts = re.split(r"\s+[-–—|]\s+", title, maxsplit=1)
        if at:
            title, company = at.group(1), company or at.group(2).strip()
        elif len(parts) == 2 and not _has_title_word(parts[0]) and _has_title_word(parts[1]):
            company = company or parts[0].strip()
            title = parts[1].strip()
        elif (hirer := _HIRER_AFTER_TITLE.match(title)) and _has_title_word(hirer.group(1)):
            # "Senior Data Engineer — Initech": the title, then who is hiring. A plain
            # hyphen more often adds a specialty ("Registered Nurse - ICU"), so not that.
            name = hirer.group(2).strip()
            if not _has_title_word(name) and not _is_region(name) and "," not in name:
                title, company = hirer.group(1).strip(), company or name
    if not company:
        for line in lines[:60]:
            match = _COMPANY_INTRO.match(line) or _HIRING.match(line)
            if match and match.group(1).lower() not in {"this", "it", "the", "we", "our"}:
                company = match.group(1).strip()
                break
    return (title or None), (company or None)


_GS_GRADE = re.compile(r"\bGS[- ]?(\d{1,2})\b")
_YEARS_REQUIRED = re.compile(
    r"\b(?:at least|minimum(?: of)?|min\.?)?\s*(\d{1,2})\s*(?:\+|-\s*\d{1,2}|–\s*\d{1,2}|"
    r"to\s+\d{1,2})?\s*\+?\s*years?\b(?=[^.\n]{0,60}\bexperience\b)",
    re.IGNORECASE,
)
_NON_SENIOR_MANAGER = re.compile(
    r"\b(?:product|project|program|programme|account|case|content|community|marketing|"
    r"social media|office|brand|territory|category|campaign|data|store|shift)\s+manager\b",
    re.IGNORECASE,
)


def _seniority_from_title(title: str) -> Seniority | None:
    lowered = title.lower()
    rules: tuple[tuple[str, Seniority], ...] = (
        (r"\bintern(ship)?\b|\bco-?op\b|\btrainee\b|\bapprentice", Seniority.INTERN),
        (r"\b(?:director|vp|vice president|chief|head of|cto|cfo|ceo|coo)\b", Seniority.EXECUTIVE),
        (r"\b(?:staff|principal|lead|team lead|tech lead|distinguished)\b", Seniority.LEAD),
        (r"\b(?:senior|sr\.?)\b", Seniority.SENIOR),
        (r"\b(?:junior|jr\.?|entry[- ]level|graduate|new grad)\b", Seniority.JUNIOR),
        (r"\b(?:mid[- ]level|intermediate)\b", Seniority.MID),
    )
    for pattern, level in rules:
        if re.search(pattern, lowered):
            return level
    if re.search(r"\bmanager\b", lowered) and not _NON_SENIOR_MANAGER.search(title):
        return Seniority.LEAD
    return None


def _seniority_from_grade(grade: int) -> Seniority:
    if grade <= 5:
        return Seniority.INTERN
    if grade <= 9:
        return Seniority.JUNIOR
    if grade <= 12:
        return Seniority.MID
    if grade <= 13:
        return Seniority.SENIOR
    return Seniority.LEAD


def _seniority_from_years(years: int) -> Seniority:
    if years <= 1:
        return Seniority.JUNIOR
    if years <= 4:
        return Seniority.MID
    if years <= 7:
        return Seniority.SENIOR
    return Seniority.LEAD


def _years_required(text: str) -> int | None:
    values = [int(m.group(1)) for m in _YEARS_REQUIRED.finditer(text)]
    values = [v for v in values if v <= 25]
    return max(values) if values else None


def _seniority(title: str | None, text: str, years: int | None) -> Seniority:
    if title and (level := _seniority_from_title(title)):
        return level
    grades = [int(g) for g in _GS_GRADE.findall(text) if 1 <= int(g) <= 15]
    if grades:
        return _seniority_from_grade(max(grades))
    head = text[:3000]
    for pattern, level in (
        (r"\b(?:senior[- ]level|seasoned)\b", Seniority.SENIOR),
        (r"\b(?:entry[- ]level|new grads?|recent graduates?)\b", Seniority.JUNIOR),
        (r"\binternship\b", Seniority.INTERN),
    ):
        if re.search(pattern, head, re.IGNORECASE):
            return level
    if years is not None:
        return _seniority_from_years(years)
    return Seniority.UNKNOWN


_FIELD_BY_TITLE: tuple[tuple[str, str], ...] = (
    (r"\bnurs|\brn\b|\bmidwi", "nursing"),
    (r"\bteach|\btutor|\binstructor\b|\blecturer\b|\bprofessor\b|\bparaprofessional", "teaching"),
    (
        r"\bdevops\b|\bsre\b|site reliability|\binfrastructure\b|\bplatform engineer|"
        r"\bcloud engineer",
        "devops",
    ),
    (r"\bdata\b|\banalytics\b|machine learning|\bml engineer|\bstatistic", "data"),
    (r"\bproduct manager|\bproduct owner|\bproduct lead|\bhead of product", "product"),
    (r"\bdesigner\b|\bux\b|\bui\b|user experience|\bdesign lead", "design"),
    (
        r"\bsoftware|\bdeveloper\b|\bprogrammer\b|\bengineer\b|\bfront[- ]?end|"
        r"\bback[- ]?end|\bfull[- ]?stack",
        "software",
    ),
    (
        r"\baccountant|\baccounting|\bfinanc|\bauditor|\bbookkeep|\bcontroller\b|"
        r"\btreasur|\bfp&a",
        "finance",
    ),
    (
        r"\bsales\b|\baccount executive|\bbusiness development|\baccount manager|"
        r"\bsdr\b|\bbdr\b",
        "sales",
    ),
    (r"\boperations\b|\blogistic|\bsupply chain|\bwarehouse|\bprocurement|\bfacilit", "operations"),
)  # fmt: skip
_FIELD_KEYWORDS: dict[str, tuple[str, ...]] = {
    "software": (
        "software", "developer", "code", "coding", "web application", "api", "backend",
        "front-end", "frontend", "full-stack", "source control", "code review",
        "unit test", "automated testing", "programming", "engineering team",
    ),
    "data": (
        "data", "analytics", "statistic", "machine learning", "sql", "dashboard",
        "predictive", "model", "forecast", "data warehouse", "etl", "insight", "regression",
    ),
    "product": (
        "product manager", "roadmap", "product vision", "user research", "discovery",
        "backlog", "product strategy", "market fit", "stakeholder", "prioritization",
    ),
    "nursing": (
        "nurse", "nursing", "patient", "clinical", "acute care", "hospital", "bedside",
        "medication", "bls", "acls", "icu", "rn", "care plan", "charting",
    ),
    "teaching": (
        "teacher", "teaching", "classroom", "student", "lesson", "curriculum", "school",
        "instruction", "learner", "k-12", "grade level", "pedagog", "course",
    ),
    "finance": (
        "accounting", "financial", "finance", "audit", "tax", "ledger", "reconcil",
        "budget", "fp&a", "gaap", "accounts payable", "accounts receivable", "cpa",
    ),
    "sales": (
        "sales", "quota", "pipeline", "prospect", "closing", "crm", "revenue target",
        "account executive", "lead generation", "deal", "territory", "cold call",
    ),
    "operations": (
        "operations", "logistics", "supply chain", "inventory", "vendor", "procurement",
        "process improvement", "fulfil", "warehouse", "scheduling", "lean", "six sigma",
    ),
    "design": (
        "designer", "ux", "user experience", "figma", "prototype", "wireframe",
        "visual design", "interaction design", "usability", "design system",
    ),
    "devops": (
        "devops", "infrastructure", "kubernetes", "terraform", "ci/cd", "cloud",
        "site reliability", "sre", "on-call", "observability", "deployment", "aws",
    ),
}  # fmt: skip


def _field(title: str | None, text: str) -> str:
    if title:
        lowered = title.lower()
        for pattern, field in _FIELD_BY_TITLE:
            if re.search(pattern, lowered):
                return field
    lowered = text.lower()
    scores = {
        field: sum(len(re.findall(r"\b" + re.escape(word), lowered)) for word in words)
        for field, words in _FIELD_KEYWORDS.items()
    }
    best = max(scores, key=lambda field: (scores[field], -FIELDS.index(field)))
    return best if scores[best] >= 3 else "general"


_IMPERATIVE = re.compile(
    r"^(?:lead|build|own|develop|design|manage|drive|work|partner|create|deliver|support|"
    r"write|maintain|collaborate|implement|define|analy[sz]e|ensure|conduct|coordinate|"
    r"mentor|teach|plan|provide|review|monitor|identify|establish|run|oversee|prepare|"
    r"assess|evaluate|participate|communicate|report|train|perform|serve|influence|"
    r"contribute|practice|practise|take|help|set|improve|optimi[sz]e|investigate|utili[sz]e|"
    r"assist|participate|collaborate|facilitate|educate|develop|plan|conduct|monitor)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"equal opportunity|citizen|background (?:check|investigation)|drug test|selective service|"
    r"direct deposit|salary|benefit|insurance|401\(k\)|paid time|probationary|apply\b|"
    r"eligib|disclosure|visa|sponsorship|reasonable accommodation|e-verify|trial period|"
    r"category rating|qualification determinations|discrepancies|\bWFH\b|based in\b",
    re.IGNORECASE,
)


def _clean_duty(text: str) -> str:
    text = re.sub(r"^(?:key\s+)?objective\s*#?\d*\s*:\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^you(?:'|’)?ll\s+|^you will\s+", "", text, flags=re.IGNORECASE)
    return _clean_sentence(text)


def _job_items(lines: list[str]) -> list[tuple[str, str, bool]]:
    """(section, text, bulleted) for every item, with wrapped bullet lines joined."""
    section = "intro"
    items: list[tuple[str, str, bool]] = []
    current: list[str] = []
    current_bulleted = False
    current_section = section
    gap = 0

    def flush() -> None:
        if current:
            items.append((current_section, " ".join(current), current_bulleted))

    for line in lines:
        if not line:
            gap += 1
            continue
        heading = _job_heading(line)
        text, bulleted = _strip_bullet(line.lstrip("#").strip() if line.startswith("#") else line)
        if heading is not None:
            flush()
            current = []
            section = section if heading == "keep" else heading
            if line.startswith("#") and re.search(r"objective", line, re.IGNORECASE):
                current, current_bulleted, current_section = [text], True, section
            gap = 0
            continue
        previous = current[-1] if current else ""
        if (
            current
            and not bulleted
            and text[:1].islower()
            and gap <= 3
            and not re.search(r"[.!?]$", previous)
        ):
            current.append(text)
        else:
            flush()
            current, current_bulleted, current_section = [text], bulleted, section
        gap = 0
    flush()
    return items


def _third_person_base(word: str) -> str:
    lowered = word.lower()
    if lowered.endswith("ies"):
        return lowered[:-3] + "y"
    if re.search(r"(?:ch|sh|ss|x)es$", lowered):
        return lowered[:-2]
    return lowered[:-1] if lowered.endswith("s") else lowered


def _split_run_on(text: str) -> list[str]:
    """Split scraped duties glued together: '... environment Participates in ...'."""
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"(?<=[a-z,)]) (?=([A-Z][a-z]+s) )", text):
        if _IMPERATIVE.fullmatch(_third_person_base(match.group(1))):
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _duties_and_requirements(lines: list[str]) -> tuple[list[str], list[str]]:
    items = [
        (section, part, bulleted)
        for section, text, bulleted in _job_items(lines)
        for part in (_split_run_on(text) if section == "responsibilities" else [text])
    ]
    duties: list[str] = []
    requirements: list[str] = []
    for section, text, bulleted in items:
        cleaned = _clean_duty(text)
        words = len(cleaned.split())
        if words < 3 or _BOILERPLATE.search(cleaned):
            continue
        if section == "responsibilities" and (bulleted or words <= 60):
            duties.append(cleaned)
        elif section == "requirements" and (bulleted or words <= 40):
            requirements.append(cleaned)
    if not duties:
        for section, text, bulleted in items:
            cleaned = _clean_duty(text)
            if (
                bulleted
                and section not in {"benefits", "requirements", "about"}
                and _IMPERATIVE.match(cleaned)
                and not _BOILERPLATE.search(cleaned)
            ):
                duties.append(cleaned)
    return _unique(duties)[:25], _unique(requirements)[:25]


def job_title(text: str) -> str | None:
    """Only the job's title (what ``profile_job`` reads first): a session's name needs
    no skills, tools or duties, and reading those costs tens of milliseconds."""
    lines = _clean_lines(text)
    title, _ = _job_title_and_company([line for line in lines if line])
    return title


def profile_job(text: str) -> JobProfile:
    """Read a job description's title, company, level, field, tools, skills and duties."""
    lines = _clean_lines(text)
    title, company = _job_title_and_company([line for line in lines if line])
    years = _years_required(text)
    responsibilities, requirements = _duties_and_requirements(lines)
    profile = JobProfile(
        title=title,
        company=company,
        seniority=_seniority(title, text, years),
        field=_field(title, text),
        skills=find_skills(text)[:30],
        tools=find_tools(text)[:40],
        responsibilities=responsibilities,
        requirements=requirements,
        years_required=years,
    )
    logger.debug(
        "profiled job",
        extra={"field": profile.field, "seniority": profile.seniority, "tools": len(profile.tools)},
    )
    return profile
