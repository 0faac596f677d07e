"""The checker's two passes agree: the fast verdict is "conforms" exactly when the detailed pass finds
nothing, over valid interviews and interviews broken by mutations that, together, break every rule.

Values are what JSON parsing produces (dict, list, str, int, float, bool, None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from contracts.checker import RULES, both_passes, validate_interview
from contracts.datetimes import is_rfc3339
from contracts.fields import FIELD_BY_NAME, FIELD_NAMES, STATUS_VALUES, Kind
from contracts.providers import PROVIDERS, fills
from strategies import interviews

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
_JSON_KINDS: dict[type, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: st.integers(),
    float: st.floats(allow_nan=False),
    str: st.text(max_size=4),
    list: st.lists(JSON, max_size=3),
    dict: st.dictionaries(st.text(max_size=4), JSON, max_size=3),
}
GOOD_VALUE: dict[Kind, Any] = {
    Kind.STRING: "7",
    Kind.DATETIME: "2024-01-01T00:00:00Z",
    Kind.ENUM: "scheduled",
    Kind.REF: {"id": "7"},
    Kind.REF_LIST: [{"id": "7"}],
    Kind.OBJECT: {},
}
BAD_DATES = st.sampled_from(["2024-01-01", "2024-01-01T10:00:00", "2024-13-01T00:00:00Z", "yesterday", ""])
BAD_DATES |= st.text(max_size=25).filter(lambda text: not is_rfc3339(text))
Draw = Callable[[st.SearchStrategy[Any]], Any]
Options = dict[str, Any]
Mutation = Callable[[Draw, dict[str, Any], Options], Any]


def _not_instance(*types: type) -> st.SearchStrategy[Any]:
    """Any JSON value but null whose type is none of `types` (built directly: no filtering)."""
    return st.one_of([strategy for kind, strategy in _JSON_KINDS.items() if not issubclass(kind, types)])


def _allowed(draw: Draw, options: Options, kinds: set[Kind]) -> str:
    """A field of one of `kinds` that the options let through (supported, not excluded, not ignored);
    the options are widened when none is."""

    def allowed(name: str) -> bool:
        f = FIELD_BY_NAME[name]
        ignored = name == "remote_data" and options["ignore_remote_data"]
        excluded = name in options["exclude_fields"]
        return f.kind in kinds and fills(options["provider"], name) and not excluded and not ignored

    names = [name for name in FIELD_NAMES if allowed(name)]
    if not names:
        options["provider"] = None
        options["exclude_fields"] = set()
        options["ignore_remote_data"] = False
        names = [name for name in FIELD_NAMES if allowed(name)]
    name: str = draw(st.sampled_from(names))
    return name


def _not_object(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    return draw(st.none() | _not_instance(dict))


def _required(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    options["exclude_fields"] = set(options["exclude_fields"]) - {"id"}
    payload.pop("id", None)
    return payload


def _type(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    name = _allowed(draw, options, {Kind.STRING, Kind.REF, Kind.REF_LIST, Kind.OBJECT})
    kind = FIELD_BY_NAME[name].kind
    bad_ref = _not_instance(dict) | st.builds(lambda value: {"id": value}, _not_instance(str))
    wrong = {
        Kind.STRING: _not_instance(str),
        Kind.OBJECT: _not_instance(dict),
        Kind.REF: bad_ref,
        Kind.REF_LIST: _not_instance(list) | st.lists(bad_ref, min_size=1, max_size=3),
    }[kind]
    payload[name] = draw(wrong)
    return payload


def _format(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    payload[_allowed(draw, options, {Kind.DATETIME})] = draw(BAD_DATES)
    return payload


def _enum(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    bad = (st.text(max_size=12) | st.sampled_from(["Scheduled", "rescheduled", "DRAFT"])).filter(
        lambda text: text not in STATUS_VALUES
    )
    payload[_allowed(draw, options, {Kind.ENUM})] = draw(bad)
    return payload


def _null(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    options["allow_null"] = False
    payload[_allowed(draw, options, set(Kind))] = None
    return payload


def _unknown_field(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    options["allow_unknown_fields"] = False
    if draw(st.booleans()):  # an extra key inside a reference
        name = _allowed(draw, options, {Kind.REF})
        payload[name] = {"id": "1", draw(st.text(min_size=1, max_size=4).filter(lambda key: key != "id")): draw(JSON)}
    else:
        payload[draw(st.text(max_size=8).filter(lambda key: key not in FIELD_NAMES))] = draw(JSON)
    return payload


def _provider_coverage(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    provider = options["provider"] or draw(st.sampled_from(PROVIDERS))
    options["provider"] = provider
    name = draw(st.sampled_from([name for name in FIELD_NAMES if not fills(provider, name)]))
    options["exclude_fields"] = set(options["exclude_fields"]) - {name}
    payload[name] = GOOD_VALUE[FIELD_BY_NAME[name].kind]
    return payload


def _excluded_field(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    name = draw(st.sampled_from(FIELD_NAMES))
    options["exclude_fields"] = {*options["exclude_fields"], name}
    payload[name] = GOOD_VALUE[FIELD_BY_NAME[name].kind]
    return payload


def _remote_data(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    options["exclude_fields"] = set(options["exclude_fields"]) - {"remote_data"}
    if options["ignore_remote_data"]:
        payload["remote_data"] = draw(JSON)
    else:
        payload.pop("remote_data", None)
    return payload


def _anything(draw: Draw, payload: dict[str, Any], options: Options) -> Any:
    """Not aimed at one rule: any key, documented or not, set to any JSON value."""
    payload[draw(st.sampled_from(FIELD_NAMES) | st.text(max_size=6))] = draw(JSON)
    return payload


MUTATIONS: dict[str, Mutation] = {
    "not-object": _not_object,
    "required": _required,
    "type": _type,
    "format": _format,
    "enum": _enum,
    "null": _null,
    "unknown-field": _unknown_field,
    "provider-coverage": _provider_coverage,
    "excluded-field": _excluded_field,
    "remote-data": _remote_data,
}


def test_every_rule_has_a_mutation() -> None:
    assert set(MUTATIONS) == set(RULES)


@st.composite
def _options(draw: Draw) -> Options:
    return {
        "provider": draw(st.sampled_from((None, *PROVIDERS))),
        "exclude_fields": draw(st.sets(st.sampled_from(FIELD_NAMES), max_size=3)),
        "ignore_remote_data": draw(st.booleans()),
        "allow_unknown_fields": draw(st.booleans()),
        "allow_null": draw(st.booleans()),
    }


def _valid(draw: Draw, options: Options) -> dict[str, Any]:
    """An interview that conforms under `options`."""
    payload: dict[str, Any] = draw(
        interviews(
            provider=options["provider"],
            exclude_fields=options["exclude_fields"],
            ignore_remote_data=options["ignore_remote_data"],
        )
    )
    return payload


@pytest.mark.parametrize("rule", RULES)
@given(data=st.data())
def test_each_mutation_breaks_the_rule_it_is_named_after(rule: str, data: st.DataObject) -> None:
    options = data.draw(_options())
    payload = MUTATIONS[rule](data.draw, _valid(data.draw, options), options)
    assert rule in {v.rule for v in validate_interview(payload, **options)}


@st.composite
def _cases(draw: Draw) -> tuple[Any, Options]:
    """Options, an interview valid under them, then up to three mutations (which may widen the options)."""
    options = draw(_options())
    payload: Any = _valid(draw, options)
    steps = draw(st.lists(st.sampled_from([*MUTATIONS, "anything"]), max_size=3))
    for step in steps:
        if not isinstance(payload, dict):
            break
        payload = MUTATIONS.get(step, _anything)(draw, payload, options)
    event(f"mutations: {'+'.join(steps) or 'none'}")
    return payload, options


@settings(max_examples=settings().max_examples * 10, deadline=None)
@given(_cases())
def test_fast_verdict_is_conforms_exactly_when_the_detailed_pass_finds_nothing(case: tuple[Any, Options]) -> None:
    payload, options = case
    fast, detailed = both_passes(payload, **options)
    event("conforms" if fast else "violates")
    assert fast == (detailed == []), detailed
    assert validate_interview(payload, **options) == detailed
