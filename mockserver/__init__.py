"""A provider-faithful mock of Truto's unified ATS interviews API, and the pytest plugin that serves it.

The public names are imported on first use, so `python -m mockserver` and the pytest plugin stay
light until they need the app.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `python -m mockserver` imports this first, keep it light
if TYPE_CHECKING:
    from mockserver.app import create_app
    from mockserver.config import MockConfig

__all__ = ["MockConfig", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from mockserver.app import create_app

        return create_app
    if name == "MockConfig":
        from mockserver.config import MockConfig

        return MockConfig
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
