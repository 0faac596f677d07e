"""Strategies that print as the call that made them (`interviews(provider='pinpoint')`), not as the
chain of `builds(...)`/`flatmap(...)` inside, so a failing example's report reads like the test.

Uses only public Hypothesis API: `st.composite` prints its function's name and arguments.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")


def as_call(function: Callable[..., Any], strategy: st.SearchStrategy[T], **arguments: Any) -> st.SearchStrategy[T]:
    """`strategy`, shown as `function(...)` with the `arguments` that differ from its defaults."""
    defaults = {name: p.default for name, p in inspect.signature(function).parameters.items()}
    shown = {name: value for name, value in arguments.items() if defaults.get(name, inspect.Parameter.empty) != value}

    def draw_from(draw: st.DrawFn, /, **_shown: Any) -> T:
        return draw(strategy)

    draw_from.__name__ = draw_from.__qualname__ = function.__name__
    named: st.SearchStrategy[T] = st.composite(draw_from)(**shown)
    return named
