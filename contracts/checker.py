"""The interview checker: one payload in, a list of violations out, never an exception.

Rules come from the field table. For each combination of options a plan (field name -> check) is
built once and cached, so checking one interview is a single pass over its keys; that keeps the
checker cheap enough to run on every response the mock serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from contracts.basis import BASIS_BY_ID, RULE_BASIS
from contracts.datetimes import is_rfc3339
from contracts.fields import FIELD_BY_NAME, FIELDS, Field, Kind
from contracts.providers import PROVIDERS, fills

RULES: tuple[str, ...] = (
    "not-object",
    "required",
    "type",
    "format",
    "enum",
    "null",
    "unknown-field",
    "provider-coverage",
    "excluded-field",
    "remote-data",
)
"""Every rule an interview can break (`Violation.rule`); each rule's basis is in `contracts.basis.RULE_BASIS`."""
ADDITIVE_RULE = "unknown-field"
"""The rule of a key the contract does not name: an additive change (Truto adds fields, customers extend
the unified model), reported as such; a violation only where strict fields are asked for."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a payload breaks the contract: where (JSON pointer), which rule, why, and what the
    rule stands on (`basis`, an id of `contracts.basis`: the rule's own unless the check knows better)."""

    pointer: str
    """Where, as a JSON pointer into the body (`/result/3/start_at`); empty: the whole body."""
    rule: str
    """Which rule is broken, a short stable name (`type`, `enum`, `coverage`, ...) to filter on."""
    message: str
    """Why, in one line naming the value and what the contract expects."""
    basis: str = ""
    """What the rule stands on (an id of `contracts.basis`); empty: the rule's own."""

    def __post_init__(self) -> None:
        if not self.basis:
            object.__setattr__(self, "basis", RULE_BASIS.get(self.rule, ""))

    @property
    def assumed(self) -> bool:
        """True when the finding rests on an assumption, not on a documented fact."""
        entry = BASIS_BY_ID.get(self.basis)
        return entry is not None and entry.assumed

    def __str__(self) -> str:
        tag = f"{self.rule}; assumed {self.basis}" if self.assumed else self.rule
        return f"{self.pointer or '/'}: {self.message} [{tag}]"


# A value check returns None when the value is fine, else the message; it appends nested violations itself.
_Check = Callable[[Any, str, list[Violation]], str | None]


def _type_name(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number" if isinstance(value, int | float) else type(value).__name__
    )


def _string(value: Any, pointer: str, out: list[Violation]) -> str | None:
    return None if isinstance(value, str) else f"must be a string, got {_type_name(value)}"


def _datetime(value: Any, pointer: str, out: list[Violation]) -> str | None:
    if not isinstance(value, str):
        out.append(Violation(pointer, "type", f"must be an RFC 3339 date-time string, got {_type_name(value)}"))
        return None
    if not is_rfc3339(value):
        return f"{value!r} is not an RFC 3339 date-time with a time and an offset"
    return None


def _object(value: Any, pointer: str, out: list[Violation]) -> str | None:
    return None if isinstance(value, dict) else f"must be an object, got {_type_name(value)}"


def _enum_check(allowed: tuple[str, ...]) -> _Check:
    allowed_set = frozenset(allowed)

    def check(value: Any, pointer: str, out: list[Violation]) -> str | None:
        if isinstance(value, str) and value in allowed_set:
            return None
        return f"{value!r} is not one of {', '.join(allowed)}"

    return check


def _ref_check(allow_unknown: bool) -> _Check:
    def check(value: Any, pointer: str, out: list[Violation]) -> str | None:
        if not isinstance(value, dict):
            return f"must be an object {{id}}, got {_type_name(value)}"
        if "id" not in value:
            out.append(Violation(pointer + "/id", "required", "`id` is required in a reference"))
        elif not isinstance(value["id"], str):
            out.append(Violation(pointer + "/id", "type", f"must be a string, got {_type_name(value['id'])}"))
        if not allow_unknown:
            for key in value:
                if key != "id":
                    out.append(Violation(f"{pointer}/{key}", "unknown-field", f"`{key}` is not in the contract"))
        return None

    return check


def _ref_list_check(allow_unknown: bool) -> _Check:
    item = _ref_check(allow_unknown)

    def check(value: Any, pointer: str, out: list[Violation]) -> str | None:
        if not isinstance(value, list):
            return f"must be an array of {{id}} objects, got {_type_name(value)}"
        for index, element in enumerate(value):
            message = item(element, f"{pointer}/{index}", out)
            if message:
                out.append(Violation(f"{pointer}/{index}", "type", message))
        return None

    return check


_FAILURE_RULE = {Kind.DATETIME: "format", Kind.ENUM: "enum"}


# Fast predicates: True when a value conforms. A payload passing all of them has no violation, so
# the common case never builds a pointer or a message; anything else takes the detailed path.
_Predicate = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return value.__class__ is str


def _is_datetime(value: Any) -> bool:
    return value.__class__ is str and is_rfc3339(value)


def _is_object(value: Any) -> bool:
    return value.__class__ is dict


def _is_ref(allow_unknown: bool) -> _Predicate:
    def is_ref(value: Any) -> bool:
        return value.__class__ is dict and value.get("id").__class__ is str and (allow_unknown or len(value) == 1)

    return is_ref


def _checks_for(f: Field, allow_unknown: bool) -> tuple[_Predicate, _Check]:
    """(fast predicate, detailed check) for a field, by its kind."""
    if f.kind is Kind.STRING:
        return _is_str, _string
    if f.kind is Kind.DATETIME:
        return _is_datetime, _datetime
    if f.kind is Kind.ENUM:
        allowed = frozenset(f.enum)
        return (lambda value: value.__class__ is str and value in allowed), _enum_check(f.enum)
    if f.kind is Kind.REF:
        return _is_ref(allow_unknown), _ref_check(allow_unknown)
    if f.kind is Kind.REF_LIST:
        is_ref = _is_ref(allow_unknown)
        predicate: _Predicate = lambda value: value.__class__ is list and all(is_ref(item) for item in value)  # noqa: E731
        return predicate, _ref_list_check(allow_unknown)
    return _is_object, _object


@dataclass(frozen=True)
class _Plan:
    checks: dict[str, tuple[_Check, str]]  # allowed field -> (check, rule name on failure)
    forbidden: dict[str, tuple[str, str]]  # present-but-forbidden field -> (rule, message)
    require_id: bool
    remote_data: str  # "required" or "forbidden"
    allow_unknown: bool
    allow_null: bool
    fast: dict[str, _Predicate]

    def conforms(self, payload: dict[str, Any]) -> bool:
        """The fast path: True only when the detailed check would find nothing."""
        if self.require_id and "id" not in payload:
            return False
        if self.remote_data == "required" and "remote_data" not in payload:
            return False
        fast = self.fast
        for key, value in payload.items():
            predicate = fast.get(key)
            if predicate is None:
                if key in self.forbidden or not self.allow_unknown:
                    return False
            elif not (predicate(value) or (value is None and self.allow_null)):
                return False
        return True


@lru_cache(maxsize=256)
def _plan(
    provider: str | None,
    excluded: frozenset[str],
    ignore_remote_data: bool,
    allow_unknown: bool,
    allow_null: bool,
) -> _Plan:
    checks: dict[str, tuple[_Check, str]] = {}
    fast: dict[str, _Predicate] = {}
    forbidden: dict[str, tuple[str, str]] = {}
    for f in FIELDS:
        if f.name in excluded:
            forbidden[f.name] = (
                "excluded-field",
                f"`{f.name}` was excluded with truto_exclude_fields but is present",
            )
        elif f.name == "remote_data" and ignore_remote_data:
            forbidden[f.name] = (
                "remote-data",
                "`remote_data` is present although truto_ignore_remote_data=true",
            )
        elif not fills(provider, f.name):
            forbidden[f.name] = ("provider-coverage", f"{provider} does not return `{f.name}`")
        else:
            fast[f.name], check = _checks_for(f, allow_unknown)
            checks[f.name] = (check, _FAILURE_RULE.get(f.kind, "type"))
    remote = "forbidden" if "remote_data" in excluded or ignore_remote_data else "required"
    return _Plan(checks, forbidden, "id" not in excluded, remote, allow_unknown, allow_null, fast)


def validate_interview(
    payload: Any,
    *,
    provider: str | None = None,
    exclude_fields: Iterable[str] = (),
    ignore_remote_data: bool = False,
    allow_unknown_fields: bool = False,
    allow_null: bool = False,
    pointer: str = "",
) -> list[Violation]:
    """Check one unified interview against the documented contract.

    Args:
        payload: the interview, parsed JSON.
        provider: a registered provider (`"ceipal"`, `"pinpoint"`) makes fields outside its coverage
            violations; None accepts any documented field.
        exclude_fields: mirrors the request's `truto_exclude_fields`: these must be absent.
        ignore_remote_data: mirrors the request's `truto_ignore_remote_data`.
        allow_unknown_fields: accept top-level fields the contract does not have (otherwise drift).
        allow_null: accept null values (the `normalized` format sends absent fields as null).
        pointer: prefixes every JSON pointer, e.g. "/result/3" for an item of a list response.

    Returns:
        Each violation; [] when the payload conforms.
    """
    plan = _plan_for(provider, exclude_fields, ignore_remote_data, allow_unknown_fields, allow_null)
    if isinstance(payload, dict) and plan.conforms(payload):
        return []
    return _detailed(plan, payload, pointer)


def both_passes(payload: Any, **options: Any) -> tuple[bool, list[Violation]]:
    """(fast verdict, detailed violations) of `payload`, each computed on its own; `options` are
    `validate_interview`'s. `validate_interview` trusts the fast verdict, so the two must agree: the
    fast pass says "conforms" exactly when the detailed pass finds nothing (a property test proves it)."""
    plan = _plan_for(**options)
    return isinstance(payload, dict) and plan.conforms(payload), _detailed(plan, payload, "")


def _plan_for(
    provider: str | None = None,
    exclude_fields: Iterable[str] = (),
    ignore_remote_data: bool = False,
    allow_unknown_fields: bool = False,
    allow_null: bool = False,
) -> _Plan:
    """The cached plan for these options, after checking them."""
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)} or None, got {provider!r}")
    if isinstance(exclude_fields, str):
        raise TypeError("exclude_fields must be an iterable of field names, not a single string")
    return _plan(provider, frozenset(exclude_fields), ignore_remote_data, allow_unknown_fields, allow_null)


def _detailed(plan: _Plan, payload: Any, pointer: str) -> list[Violation]:
    """The detailed pass: every violation, with its pointer and message. The fast path
    (`_Plan.conforms`) must say "conforms" exactly when this finds nothing (a property test keeps
    the two equal)."""
    if not isinstance(payload, dict):
        return [Violation(pointer, "not-object", f"an interview must be a JSON object, got {_type_name(payload)}")]
    out: list[Violation] = []
    for key, value in payload.items():
        entry = plan.checks.get(key)
        if entry is not None:
            if value is None:
                if not plan.allow_null:
                    expected = FIELD_BY_NAME[key].kind.value
                    out.append(
                        Violation(
                            f"{pointer}/{key}",
                            "null",
                            f"`{key}` is null; the kit expects a field without a value to be left out"
                            f" (its type: {expected})",
                        )
                    )
                continue
            message = entry[0](value, f"{pointer}/{key}", out)
            if message is not None:
                out.append(Violation(f"{pointer}/{key}", entry[1], f"`{key}` {message}", FIELD_BY_NAME[key].basis))
        elif key in plan.forbidden:
            rule, message = plan.forbidden[key]
            out.append(Violation(f"{pointer}/{key}", rule, message))
        elif not plan.allow_unknown:
            out.append(Violation(f"{pointer}/{key}", "unknown-field", f"`{key}` is not a documented interview field"))
    if plan.require_id and "id" not in payload:
        out.append(Violation(f"{pointer}/id", "required", "`id` is required"))
    if plan.remote_data == "required" and "remote_data" not in payload:
        out.append(
            Violation(
                f"{pointer}/remote_data",
                "remote-data",
                "`remote_data` is missing; it is present unless truto_ignore_remote_data or excluded",
            )
        )
    return out
