"""A provider-faithful mock of Truto's unified ATS interviews API, and the pytest plugin that serves it.

The public names are imported on first use (PEP 562), so `python -m mockserver` and the pytest
plugin stay light until they need the app.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `python -m mockserver` imports this first, keep it light
if TYPE_CHECKING:
    from mockserver.app import create_app
    from mockserver.clock import MockClock
    from mockserver.config import MockConfig
    from mockserver.contract_fixture import ContractViolation
    from mockserver.controls import ScriptsNotConsumed
    from mockserver.live import MockHandle
    from mockserver.requestlog import LoggedRequest
    from mockserver.scripts import Interruption, Script, ScriptError, When
    from mockserver.store import DuplicateRecordError

__all__ = [
    "ContractViolation", "DuplicateRecordError", "Interruption", "LoggedRequest", "MockClock", "MockConfig",
    "MockHandle", "Script", "ScriptError", "ScriptsNotConsumed", "When", "create_app",
]  # fmt: skip
_HOMES = {
    "ContractViolation": "mockserver.contract_fixture",
    "DuplicateRecordError": "mockserver.store",
    "Interruption": "mockserver.scripts",
    "LoggedRequest": "mockserver.requestlog",
    "MockClock": "mockserver.clock",
    "MockConfig": "mockserver.config",
    "MockHandle": "mockserver.live",
    "Script": "mockserver.scripts",
    "ScriptError": "mockserver.scripts",
    "ScriptsNotConsumed": "mockserver.controls",
    "When": "mockserver.scripts",
    "create_app": "mockserver.app",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(home), name)
