"""The public surface: a change here is a change for every user, so it must be deliberate."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

EXPECTED = {
    "contracts": [
        "BASES", "FIELDS", "FIELD_BY_NAME", "PARAMS", "PROVIDERS", "RESPONSE_FORMATS", "STATUS_VALUES",
        "Basis", "Exchange", "Field", "InterviewQuery", "Kind", "MappingError", "Param", "ParamType",
        "Provider", "QueryError", "Violation", "basis", "check_error_body", "check_response", "encode_query",
        "error_body", "error_schema", "fields_for", "interview_schema", "openapi_document", "params_for",
        "parse_query", "provider_module", "validate_interview",
    ],
    "contracts.accounts": ["UUID_TEXT", "Account", "AccountId", "AccountIdError", "is_query_form"],
    "contracts.providers": [
        "PROVIDERS", "REGISTRY", "Generated", "Ids", "MappingError", "Moment", "Provider", "Text", "TextKind",
        "Value", "fields_for", "fills", "filterable_fields", "provider_module", "providers_filling",
        "providers_filtering", "register",
    ],
    "mockserver": [
        "ContractViolation", "DuplicateRecordError", "Interruption", "LoggedRequest", "MockClock", "MockConfig",
        "MockHandle", "Script", "ScriptError", "ScriptsNotConsumed", "When", "create_app",
    ],
    "strategies": [
        "GeneratedQuery", "InvalidQuery", "datetimes_rfc3339", "default_accounts", "interview_queries",
        "interviews", "invalid_interview_queries", "raw_interviews",
    ],
}  # fmt: skip


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_public_surface(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == EXPECTED[module_name]
    for name in module.__all__:
        assert getattr(module, name) is not None
        # every submodule is loaded by now: none may hide a public name of its own name (contracts.basis)
        assert not isinstance(getattr(module, name), ModuleType), f"{module_name}.{name} is a module"
