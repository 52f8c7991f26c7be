"""Where a complaint happened: the commune/ward from the given code, the address or the text.

Matches the 95 official units (table ``ward``) with or without diacritics, with or without the
"phường"/"xã"/"P."/"X."/"F." prefixes, tolerating small misspellings (difflib), and maps the
pre-2025 district names of ``legacy_units`` (seed data). Nothing found → provincial scope.
The matcher is built once per app from the ward table; resolving never queries the database.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from hotline.complaints.models import Complaint
from hotline.directory.legacy_units import AMBIGUOUS_TOWNSHIPS, LEGACY_DISTRICTS
from hotline.directory.models import Ward
from hotline.extensions import db
from ml.preprocess import strip_diacritics

log = logging.getLogger(__name__)

LOCATION_SOURCES = ("given", "address", "text", "unresolved")

# Folded prefix token sequences → what they announce.
CURRENT_PREFIXES: dict[tuple[str, ...], str] = {
    ("phuong",): "phường",
    ("p",): "phường",
    ("f",): "phường",
    ("xa",): "xã",
    ("x",): "xã",
}
TOWNSHIP_PREFIXES: frozenset[tuple[str, ...]] = frozenset({("thi", "tran"), ("tt",)})
DISTRICT_PREFIXES: frozenset[tuple[str, ...]] = frozenset(
    {
        ("huyen",),
        ("h",),
        ("thanh", "pho"),
        ("tp",),
        ("thi", "xa"),
        ("tx",),
    }
)
# Đồng Nai and Bình Phước never had a quận: "quận Tân Phú" is in Hồ Chí Minh City.
FOREIGN_PREFIXES: frozenset[tuple[str, ...]] = frozenset({("quan",), ("q",)})
# How a prefix word may be written: "phương án", "xả thải", "cơ quan" are not prefixes.
PREFIX_SPELLINGS: dict[str, frozenset[str]] = {
    "phuong": frozenset({"phường", "phuong"}),
    "xa": frozenset({"xã", "xa"}),
    "huyen": frozenset({"huyện", "huyen"}),
    "quan": frozenset({"quận"}),
    "thanh": frozenset({"thành", "thanh"}),
    "pho": frozenset({"phố", "pho"}),
    "thi": frozenset({"thị", "thi"}),
    "tran": frozenset({"trấn", "tran"}),
}
# A bare name right after one of these is a street, hamlet, park... not the commune itself.
NOT_A_UNIT_BEFORE = frozenset(
    {
        "tinh",
        "duong",
        "pho",
        "hem",
        "kp",
        "ap",
        "khu",
        "to",
        "so",
        "cau",
        "kcn",
        "benh",
        "vien",
        "truong",
        "cho",
        "ben",
        "xe",
        "nga",
        "cong",
        "ty",
        "tram",
        "ho",
        "song",
        "suoi",
        "nui",
    }
)

# Former province names that a current unit also carries: bare, they mean the old province.
PROVINCE_NAMES = frozenset({"binh phuoc"})

# Scores: how much a kind of match is worth (the best wins, ties go to the earliest).
SCORE_PREFIXED = 1.0
SCORE_PREFIXED_OTHER_TYPE = 0.9  # "xã Tam Hiệp" when Tam Hiệp is a phường
SCORE_TOWNSHIP = 0.85  # "thị trấn Trảng Bom" → Xã Trảng Bom
SCORE_SOUND_ALIKE = 0.85  # "xã Dầu Dây" → Xã Dầu Giây
SCORE_FUZZY = 0.8  # times the similarity ratio
SCORE_BARE = 0.7  # a bare name in an address field
SCORE_LEGACY_DISTRICT = 0.5  # "huyện Trảng Bom" → Xã Trảng Bom: one commune of a former district


def fold(text: str) -> str:
    """Lower-case and strip diacritics so 'Mất điện' and 'mat dien' compare equal (the same
    stripping the classifier uses)."""
    return strip_diacritics(text.lower())


# Southern spellings people type by ear: d/gi/r, tr/ch, s/x, final n/ng/nh, final c/t/ch, i/y.
_PHONETIC_START = (
    ("ngh", "ng"),
    ("gi", "d"),
    ("gh", "g"),
    ("tr", "ch"),
    ("r", "d"),
    ("s", "x"),
    ("k", "c"),
)
_PHONETIC_END = (("ng", "n"), ("nh", "n"), ("ch", "t"), ("c", "t"), ("y", "i"))


def phonetic(folded: str) -> str:
    """A sound-alike key of folded words: 'dau day' and 'dau giay' share one."""
    out = []
    for word in folded.split():
        for old, new in _PHONETIC_START:
            if word.startswith(old) and len(word) > len(old):
                word = new + word[len(old) :]
                break
        for old, new in _PHONETIC_END:
            if word.endswith(old) and len(word) > len(old):
                word = word[: -len(old)] + new
                break
        out.append(word)
    return " ".join(out)


_SEGMENT_SPLIT = re.compile(r"[,;:\n()\[\]/|]+|\s-\s")
_NON_WORD = re.compile(r"[^0-9a-z]+")


_WORD = re.compile(r"[^\W_]+")


def segments(text: str) -> list[tuple[list[str], list[str]]]:
    """(folded words, original lower-case words), one pair per comma-separated part: a name
    never spans a comma. The originals settle names that differ only by diacritics."""
    out = []
    for part in _SEGMENT_SPLIT.split(unicodedata.normalize("NFC", text.lower())):
        original = _WORD.findall(part)
        folded = [fold(w) for w in original]
        if original and all(_NON_WORD.fullmatch(w) is None for w in folded):
            out.append((folded, original))
    return out


@dataclass(frozen=True)
class Unit:
    code: int
    name: str
    division_type: str


@dataclass(frozen=True)
class Match:
    ward_code: int
    score: float
    matched: str  # the words found, e.g. "p tam hiep"
    how: str  # prefixed | other_type | township | fuzzy | bare | legacy_district


@dataclass(frozen=True)
class LocationResult:
    ward_code: int | None
    source: str  # given | address | text | unresolved
    confidence: float | None = None
    matched: str | None = None


class LocationMatcher:
    """Everything precomputed from the 95 units; ``find`` is pure string work."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = {u.code: u for u in units}
        self.by_name: dict[str, list[Unit]] = {}
        self.original: dict[int, str] = {}
        for unit in units:
            core = re.sub(r"^(phường|xã|đặc khu)\s+", "", unit.name, flags=re.IGNORECASE)
            self.by_name.setdefault(fold(core), []).append(unit)
            self.original[unit.code] = unicodedata.normalize("NFC", core.lower())
        self.by_sound: dict[str, list[str]] = {}
        for name in self.by_name:
            self.by_sound.setdefault(phonetic(name), []).append(name)
        self.names_by_len: dict[int, list[str]] = {}
        for name in self.by_name:
            self.names_by_len.setdefault(len(name.split()), []).append(name)
        self.lengths = sorted(self.names_by_len, reverse=True)
        self.legacy = {fold(k): v for k, v in LEGACY_DISTRICTS.items() if v in self.units}
        self.ambiguous_townships = {fold(k) for k in AMBIGUOUS_TOWNSHIPS}

    # -- public ------------------------------------------------------------------------
    def find(self, text: str | None, *, allow_bare: bool) -> Match | None:
        """Best unit named in ``text``; bare names (no prefix) only when ``allow_bare``."""
        if not text:
            return None
        best: Match | None = None
        for words, original in segments(text):
            for match in self._scan(words, original, allow_bare):
                if best is None or match.score > best.score:
                    best = match
        return best

    # -- internals ---------------------------------------------------------------------
    def _scan(self, words: list[str], original: list[str], allow_bare: bool):
        i = 0
        after_prefix = -1
        while i < len(words):
            prefix, kind = self._prefix_at(words, original, i)
            if prefix:
                start = i + prefix
                match = self._after_prefix(words, original, start, kind)
                i = after_prefix = start
                if match is not None:
                    yield match
                    i += len(match.matched.split())  # the name is not read again as bare
                continue
            # A name a prefix refused ("phường Thống Nhất") is not taken bare either.
            bare_ok = i != after_prefix and (i == 0 or words[i - 1] not in NOT_A_UNIT_BEFORE)
            if allow_bare and bare_ok:
                exact = self._exact(words, original, i)
                if exact is not None and exact[0] not in PROVINCE_NAMES:
                    name, units = exact
                    # "Biên Hòa" alone is as likely the former city as today's phường.
                    score = SCORE_LEGACY_DISTRICT if name in self.legacy else SCORE_BARE
                    yield Match(units[0].code, score, name, "bare")
            i += 1

    @staticmethod
    def _prefix_at(words: list[str], original: list[str], i: int) -> tuple[int, str]:
        def spelled(n: int) -> bool:
            return all(
                original[j] in PREFIX_SPELLINGS.get(words[j], (words[j],)) for j in range(i, i + n)
            )

        pair = tuple(words[i : i + 2])
        if len(pair) < 2:  # the last word: a 1-tuple here would be taken for a 2-word prefix
            pair = ()
        if pair in TOWNSHIP_PREFIXES and spelled(2):
            return 2, "township"
        if pair in DISTRICT_PREFIXES and spelled(2):
            return 2, "district"
        one = (words[i],)
        if not spelled(1):
            return 0, ""
        if one in CURRENT_PREFIXES:
            return 1, CURRENT_PREFIXES[one]
        if one in TOWNSHIP_PREFIXES:
            return 1, "township"
        if one in DISTRICT_PREFIXES:
            return 1, "district"
        if one in FOREIGN_PREFIXES:
            return 1, "foreign"
        return 0, ""

    def _exact(
        self, words: list[str], original: list[str], start: int
    ) -> tuple[str, list[Unit]] | None:
        for n in self.lengths:
            if start + n > len(words):
                continue
            name = " ".join(words[start : start + n])
            if name in self.by_name and not _followed_by_number(words, start + n):
                units = self.by_name[name]
                if len(units) > 1:  # Lộc Thành / Lộc Thạnh: only the diacritics tell them apart
                    written = " ".join(original[start : start + n])
                    units = [u for u in units if self.original[u.code] == written]
                    if len(units) != 1:
                        return None
                return name, units
        return None

    def _after_prefix(
        self, words: list[str], original: list[str], start: int, kind: str
    ) -> Match | None:
        if kind == "foreign":
            return None
        if kind == "district":
            return self._legacy(words, start)
        exact = self._exact(words, original, start)
        if exact is not None:
            name, units = exact
            if kind == "township":
                if name in self.ambiguous_townships:
                    return None
                return Match(units[0].code, SCORE_TOWNSHIP, name, "township")
            same = [u for u in units if u.division_type == kind]
            if same:
                return Match(same[0].code, SCORE_PREFIXED, name, "prefixed")
            if kind == "phường":
                # A former xã may be a phường now, never the reverse: "phường Thống Nhất" is the
                # old ward of Biên Hòa, not today's Xã Thống Nhất.
                return None
            return Match(units[0].code, SCORE_PREFIXED_OTHER_TYPE, name, "other_type")
        if kind == "township":
            return None
        return self._fuzzy(words, start)

    def _legacy(self, words: list[str], start: int) -> Match | None:
        for n in (3, 2, 1):
            name = " ".join(words[start : start + n])
            if start + n <= len(words) and name in self.legacy:
                return Match(self.legacy[name], SCORE_LEGACY_DISTRICT, name, "legacy_district")
        return None

    def _fuzzy(self, words: list[str], start: int) -> Match | None:
        best: Match | None = None
        for n in self.lengths:
            if start + n > len(words) or _followed_by_number(words, start + n):
                continue
            candidate = " ".join(words[start : start + n])
            alike = self.by_sound.get(phonetic(candidate))
            if alike and len(alike) == 1 and len(self.by_name[alike[0]]) == 1:
                return Match(
                    self.by_name[alike[0]][0].code, SCORE_SOUND_ALIKE, candidate, "sound_alike"
                )
            for name in difflib.get_close_matches(
                candidate, self.names_by_len[n], n=1, cutoff=0.85
            ):
                ratio = difflib.SequenceMatcher(None, candidate, name).ratio()
                # Short names differ in one letter from other real places (Tam Hiệp / Tân Hiệp).
                if (len(name) <= 8 and ratio < 0.9) or len(self.by_name[name]) > 1:
                    continue
                score = SCORE_FUZZY * ratio
                if best is None or score > best.score:
                    best = Match(self.by_name[name][0].code, score, candidate, "fuzzy")
        return best


def _followed_by_number(words: list[str], end: int) -> bool:
    """'xã Hố Nai 3' is a former commune, not Phường Hố Nai."""
    return end < len(words) and words[end].isdigit()


def build_matcher() -> LocationMatcher:
    units = [Unit(w.code, w.name, w.division_type) for w in db.session.scalars(select(Ward))]
    return LocationMatcher(units)


def get_matcher() -> LocationMatcher:
    """The matcher of this app, built on first use (the ward table is reference data)."""
    ext = current_app.extensions
    matcher = ext.get("hotline_location_matcher")
    if matcher is None:
        matcher = build_matcher()
        if matcher.units:  # an unseeded database is not cached: seeding later must be seen
            ext["hotline_location_matcher"] = matcher
    return matcher


def resolve_location(
    ward_code: int | None,
    address: str | None = None,
    text: str | None = None,
    home_address: str | None = None,
) -> LocationResult:
    """The given code wins; else a name in the address of the problem (bare names allowed);
    else a prefixed name in the complaint text; else the citizen's own address (people mostly
    report problems where they live); else unresolved (provincial scope)."""
    matcher = get_matcher()
    if ward_code is not None and ward_code in matcher.units:
        return LocationResult(ward_code, "given", 1.0, None)
    for source, value, bare in (
        ("address", address, True),
        ("text", text, False),
        ("address", home_address, True),
    ):
        match = matcher.find(value, allow_bare=bare)
        if match is not None:
            return LocationResult(match.ward_code, source, round(match.score, 3), match.matched)
    return LocationResult(None, "unresolved")


def locate_complaint(complaint: Complaint, *, force: bool = False) -> LocationResult:
    """Resolve and store where the complaint happened (once, unless ``force``). Flushes nothing."""
    if complaint.location_source and complaint.location_source != "unresolved" and not force:
        return LocationResult(
            complaint.ward_code,
            complaint.location_source,
            complaint.location_confidence,
            complaint.location_match,
        )
    given = complaint.ward_code if complaint.location_source in (None, "given") else None
    result = resolve_location(
        given, complaint.location_text, complaint.content, complaint.citizen_address
    )
    complaint.ward_code = result.ward_code
    complaint.location_source = result.source
    complaint.location_confidence = result.confidence
    complaint.location_match = result.matched[:200] if result.matched else None
    log.info(
        "location.resolved complaint_id=%s source=%s ward=%s",
        complaint.id,
        result.source,
        result.ward_code,
    )
    return result
