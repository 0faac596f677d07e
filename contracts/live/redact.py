"""Redaction of recorded raw records: personal data out, structure, ids, dates and codes kept.

Every string is judged where it sits (its key path) and by its shape:
- emails, phone numbers (a leading `+` or separators between digit groups, never a date or an id)
  and URLs with a query are replaced wherever they occur inside any string;
- a string under a key that names personal data (`name`, `email`, `phone`, `title`, `notes`,
  `location`, `url`...) is replaced whole by a fake of that kind;
- a string the provider's mapping reads as a date, an enum or an id is kept: ids are never redacted
  (the mock serves a record at its id; an id that is personal data too is the provider's choice);
- any other string is kept only when it is an id, an enum-like code, a date or a number.

Fakes come from Faker, seeded by a keyed hash (HMAC-SHA256) of the kind and the original under a
random salt made for this `PersonalDataReplacer` and never written or shown: the same original gives the same
fake throughout a recording (references stay joined), and no one can recompute the mapping later.
`counts()` says how many strings were replaced per key path and as what, never a value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from contracts.accounts import UUID_TEXT
from contracts.fields import FIELD_BY_NAME, Kind
from contracts.live.rawpaths import child, reads

if TYPE_CHECKING:
    from faker import Faker

LOCALE = "en_US"
"""Fakes are written in one locale: the originals' language is unknown, and a fake only has to be
of the same kind."""

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?|ftp)://\S+", re.IGNORECASE)
_URL_WITH_QUERY = re.compile(r"\b(?:https?|ftp)://[^\s?#\"'<>]*\?[^\s\"'<>]*", re.IGNORECASE)
# A phone candidate: an optional +, then digit groups with separators. Checked further in `_is_phone`.
_PHONE = re.compile(r"(?<![\w.+/:-])(?:\+\s?)?\(?\d[\d\s().-]{5,}\d(?![\w/:-]|\.\d)")
_DATE_INSIDE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,2}:\d{2}")

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?\Z")
_UUID = UUID_TEXT
_ID = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9]+(?:[_:./-][A-Za-z0-9]+)*\Z")
_HEX = re.compile(r"[0-9a-fA-F]{16,}\Z")
_CODE = re.compile(r"(?:[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,})\Z")
_DATE = re.compile(
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?)?"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?|[+-]\d{2}:\d{2})\Z"
)
_MAX_CODE = 64

# Key words that say a value is personal data, and the kind of fake that replaces it (first match wins).
_KEY_KINDS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"email", "emails", "mail", "e_mail"}), "email"),
    (frozenset({"phone", "phones", "mobile", "tel", "telephone", "cell", "fax"}), "phone"),
    (frozenset({"url", "urls", "link", "links", "href", "uri", "website"}), "url"),
    (frozenset({"firstname", "first", "given"}), "first_name"),
    (frozenset({"lastname", "last", "surname", "family"}), "last_name"),
    (frozenset({"username", "login", "handle"}), "user_name"),
    (frozenset({"name", "names", "fullname", "displayname"}), "name"),
    (frozenset({"company", "employer", "organization", "organisation"}), "company"),
    (frozenset({"location", "address", "street", "city", "venue", "place", "room", "zip", "postcode"}), "location"),
    (
        frozenset(
            {"title", "subject", "note", "notes", "comment", "comments", "description", "feedback", "body", "text"}
            | {"summary", "message", "remarks", "details", "instructions", "agenda", "reason", "content", "bio"}
        ),
        "text",
    ),
)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def key_kind(key: str) -> str | None:
    """The kind of personal data a key's name announces (`interviewer_email` -> "email"), or None."""
    words = [w.lower() for w in _WORD_SPLIT.split(key) if w]
    joined = "".join(words)
    candidates = {*words, joined}
    for names, kind in _KEY_KINDS:
        if candidates & names:
            return kind
    return None


def _is_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 15 or _DATE_INSIDE.search(candidate):
        return False
    groups = [g for g in re.split(r"[\s().-]+", candidate.lstrip("+")) if g]
    return candidate.startswith("+") or len(groups) >= 3 or ("(" in candidate and len(groups) >= 2)


def looks_structural(value: str) -> bool:
    """An id, an enum-like code, a date or a number: kept even where the mapping does not read it."""
    if _NUMBER.match(value) or _UUID.match(value) or _HEX.match(value) or _DATE.match(value):
        return True
    if len(value) <= _MAX_CODE and _CODE.match(value):
        return True
    return len(value) <= 128 and _ID.match(value) is not None and "@" not in value


def _personal_spans(value: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each email, phone number and URL with a query inside `value`, in order."""
    if _DATE.match(value) or _UUID.match(value):
        return []
    spans = [(m.start(), m.end(), "url") for m in _URL_WITH_QUERY.finditer(value)]
    for pattern, kind in ((_EMAIL, "email"), (_PHONE, "phone")):
        for m in pattern.finditer(value):
            overlaps = any(s < m.end() and m.start() < e for s, e, _ in spans)
            if not overlaps and (kind != "phone" or _is_phone(m.group(0).strip())):
                spans.append((m.start(), m.end(), kind))
    return sorted(spans)


def _whole_kind(value: str) -> str | None:
    """ "email", "phone" or "url" when the whole string is one."""
    text = value.strip()
    if _EMAIL.fullmatch(text):
        return "email"
    if _PHONE.fullmatch(text) and _is_phone(text) and not _DATE.match(text):
        return "phone"
    if _URL.fullmatch(text):
        return "url"
    return None


def _guess_kind(value: str) -> str:
    """The kind of a string no key names: a person's name (two to four capitalised words) or text."""
    words = value.split()
    if 2 <= len(words) <= 4 and all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words):
        return "name"
    return "text"


def _text_like(fake: Faker, original: str) -> str:
    words = max(1, min(len(original.split()), 40))
    text: str = fake.sentence(nb_words=words, variable_nb_words=False) if words > 1 else fake.word().capitalize()
    return text


_MAKERS: dict[str, Callable[[Faker, str], str]] = {
    "email": lambda fake, _: str(fake.email()),
    "phone": lambda fake, _: f"+1-555-{fake.numerify('###-####')}",
    "url": lambda fake, _: f"{fake.url()}{fake.uri_path()}?ref={fake.lexify('????????')}",
    "first_name": lambda fake, _: str(fake.first_name()),
    "last_name": lambda fake, _: str(fake.last_name()),
    "user_name": lambda fake, _: str(fake.user_name()),
    "name": lambda fake, _: str(fake.name()),
    "company": lambda fake, _: str(fake.company()),
    "location": lambda fake, _: f"{fake.street_address()}, {fake.city()}",
    "text": _text_like,
}


class PersonalDataReplacer:
    """Replaces personal data in raw records; one per recording (its salt lives only in memory)."""

    def __init__(self, *, salt: bytes | None = None) -> None:
        from faker import Faker

        self._salt = salt if salt is not None else secrets.token_bytes(32)
        self._fake = Faker(LOCALE)
        self._memo: dict[tuple[str, str], str] = {}
        self._replaced: dict[str, Counter[str]] = {}
        self._kept: dict[str, Counter[str]] = {}

    def __repr__(self) -> str:  # never show the salt
        return f"<PersonalDataReplacer: {sum(sum(c.values()) for c in self._replaced.values())} replacements>"

    def fake(self, kind: str, original: str) -> str:
        """The fake of `kind` standing for `original`: the same one every time in this recording."""
        memo = self._memo.get((kind, original))
        if memo is not None:
            return memo
        folded = original.casefold()
        value = original
        for attempt in range(20):  # a fake never equals or contains the original
            digest = hmac.new(self._salt, f"{kind}\0{attempt}\0{original}".encode(), hashlib.sha256).digest()
            self._fake.seed_instance(int.from_bytes(digest[:8], "big"))
            value = _MAKERS[kind](self._fake, original)
            if folded not in value.casefold() and value.casefold() not in folded:
                break
        self._memo[(kind, original)] = value
        return value

    def redact(self, provider: str, raw: Any, account: str = "") -> Any:
        """A redacted copy of one raw record of `provider`; replacements are counted under `account`."""
        replaced = self._replaced.setdefault(account, Counter())
        kept = self._kept.setdefault(account, Counter())
        return self._value(raw, "", "", reads(provider), replaced, kept)

    def _value(
        self,
        value: Any,
        path: str,
        key: str,
        reads: Mapping[str, str | None],
        replaced: Counter[str],
        kept: Counter[str],
    ) -> Any:
        if isinstance(value, Mapping):
            return {k: self._value(v, child(path, str(k)), str(k), reads, replaced, kept) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v, f"{path}[]", key, reads, replaced, kept) for v in value]
        if not isinstance(value, str) or not value.strip():
            return value
        out, kind = self._string(value, key, reads.get(path, ""))
        if kind is not None:
            replaced[f"{path}\0{kind}"] += 1
        elif path not in reads:
            kept[path] += 1
        return out

    def _string(self, value: str, key: str, field: str | None) -> tuple[str, str | None]:
        """(the string to store, the kind of replacement or None when kept as it was). `field` is
        the unified field the mapping fills from this string, None when it only checks it, "" when
        it does not read it."""
        role = FIELD_BY_NAME[field].kind if field else None
        if role in (Kind.DATETIME, Kind.ENUM):
            return value, None
        is_id = role in (Kind.REF, Kind.REF_LIST) or field == "id"
        kind = None if is_id else key_kind(key)
        if kind is None and role is Kind.STRING and not is_id:
            kind = key_kind(str(field)) or "text"  # free text the mapping passes on (a location)
        if kind is None:
            kind = _whole_kind(value)
        if is_id:
            return value, None
        if kind is not None:
            return self.fake(kind, value), kind
        if looks_structural(value) and not _personal_spans(value):
            return value, None
        kind = _guess_kind(value)
        return self.fake(kind, value), kind

    def counts(self, account: str | None = None) -> dict[str, dict[str, int]]:
        """Replacements per key path and kind (`{"attributes.title": {"text": 25}}`), for one account
        or all; never a value."""
        out: dict[str, dict[str, int]] = {}
        sources = [self._replaced.get(account, Counter())] if account is not None else self._replaced.values()
        for counter in sources:
            for entry, n in counter.items():
                path, kind = entry.split("\0")
                out.setdefault(path, {})
                out[path][kind] = out[path].get(kind, 0) + n
        return {path: dict(sorted(kinds.items())) for path, kinds in sorted(out.items())}

    def kept_unread(self, account: str) -> dict[str, int]:
        """Strings kept as they were under keys the mapping does not read (ids, codes, dates, numbers),
        per key path: what a reviewer checks to trust that nothing personal stayed."""
        return dict(sorted(self._kept.get(account, Counter()).items()))
