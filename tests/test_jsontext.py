"""The one JSON reading ladder: what it refuses, and that its fast duplicate-key count never misses
nor invents a duplicate (checked against the exact, slow look)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.jsontext import load_json, parse_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('{"a": 1, "a": 2}', {None: ["a"]}),
        ('[{"x": 1}, {"y": {"b": 1, "b": 2}}]', {1: ["b"]}),
        ('[{"a" : 1, "a"\n: 2}]', {0: ["a"]}),  # spaces before the colon
        ('[{"a\\u0022": 1, "a\\"": 2}]', {0: ['a"']}),  # the same key written two ways
        ('[{"q": "\\":", "r": "\\" :"}]', {}),  # quotes and colons inside strings are not keys
        ('[{"\\u0071": 1, "q": 2}]', {0: ["q"]}),
    ],
)
def test_keys_given_twice_are_found_wherever_they_hide(text: str, found: dict[Any, list[str]]) -> None:
    parsed = parse_json(text, "x")
    assert parsed.problem is None and parsed.duplicates == found


@given(JSON_VALUES, st.sampled_from([None, 2, (",", ": "), (" , ", " : ")]))
def test_no_duplicate_is_invented_whatever_the_layout(value: Any, layout: Any) -> None:
    text = json.dumps(value, indent=layout if isinstance(layout, int) else None,
                      separators=layout if isinstance(layout, tuple) else None)  # fmt: skip
    assert load_json(text, "x") == (value, None)


@given(st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=4), st.booleans())
def test_a_repeated_key_is_always_found(members: dict[str, int], ascii_only: bool) -> None:
    key = next(iter(members))
    text = json.dumps([members], ensure_ascii=ascii_only)[:-2] + f", {json.dumps(key)}: 0}}]"
    assert parse_json(text, "x").duplicates == {0: [key]}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"", "x is empty"),
        (b"[NaN]", "x contains NaN, which JSON does not allow"),
        (b'{"a": Infinity}', "x contains Infinity, which JSON does not allow"),
        (b"[" * 1100 + b"]" * 1100, "x is nested too deeply to read (more than 1024 levels)"),
        (b"[" * 100_000 + b"]" * 100_000, "x is nested too deeply to read (more than 1024 levels)"),
        (b'["\xff"]', "x is not UTF-8 text"),
        (b"[1,", "x is not JSON (Expecting value"),
        (b'{"a": 1, "a": 1}', "x has key(s) given twice in one object: 'a'"),
    ],
)
def test_what_is_refused_and_why(text: bytes, said: str) -> None:
    value, problem = load_json(text, "x")
    assert value is None and problem is not None and problem.startswith(said), problem
