"""What Truto's unified ATS interviews API promises, as code: field and parameter tables, provider
mappings, generated JSON Schema and OpenAPI, and the checkers.

This package is the ground floor of the kit: it imports nothing from `mockserver` or `strategies`.

The public names are imported on first use (PEP 562), so `python -m contracts` takes its stop
signals before it imports the kit (a Ctrl-C while starting is one line, never a traceback).
All but `contracts.basis`'s: the function `basis` has its module's name, and importing a submodule
sets the package's attribute of that name to the module, so the function is bound here, at once
(a few milliseconds: dataclasses and enum).
"""

from __future__ import annotations

from contracts.basis import BASES, Basis, basis

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: `python -m contracts` imports this first, keep it light
if TYPE_CHECKING:
    from contracts.checker import Violation, validate_interview
    from contracts.errors import error_body
    from contracts.fields import FIELD_BY_NAME, FIELDS, STATUS_VALUES, Field, Kind
    from contracts.openapi import openapi_document
    from contracts.params import PARAMS, RESPONSE_FORMATS, Param, ParamType, params_for
    from contracts.providers import PROVIDERS, MappingError, Provider, fields_for, provider_module
    from contracts.query import InterviewQuery, QueryError, encode_query, parse_query
    from contracts.responses import Exchange, check_error_body, check_response
    from contracts.schema import error_schema, interview_schema

__all__ = [
    "BASES",
    "FIELDS",
    "FIELD_BY_NAME",
    "PARAMS",
    "PROVIDERS",
    "RESPONSE_FORMATS",
    "STATUS_VALUES",
    "Basis",
    "Exchange",
    "Field",
    "InterviewQuery",
    "Kind",
    "MappingError",
    "Param",
    "ParamType",
    "Provider",
    "QueryError",
    "Violation",
    "basis",
    "check_error_body",
    "check_response",
    "encode_query",
    "error_body",
    "error_schema",
    "fields_for",
    "interview_schema",
    "openapi_document",
    "params_for",
    "parse_query",
    "provider_module",
    "validate_interview",
]
_HOMES = {
    "Exchange": "contracts.responses",
    "FIELDS": "contracts.fields",
    "FIELD_BY_NAME": "contracts.fields",
    "Field": "contracts.fields",
    "InterviewQuery": "contracts.query",
    "Kind": "contracts.fields",
    "MappingError": "contracts.providers",
    "PARAMS": "contracts.params",
    "PROVIDERS": "contracts.providers",
    "Param": "contracts.params",
    "ParamType": "contracts.params",
    "Provider": "contracts.providers",
    "QueryError": "contracts.query",
    "RESPONSE_FORMATS": "contracts.params",
    "STATUS_VALUES": "contracts.fields",
    "Violation": "contracts.checker",
    "check_error_body": "contracts.responses",
    "check_response": "contracts.responses",
    "encode_query": "contracts.query",
    "error_body": "contracts.errors",
    "error_schema": "contracts.schema",
    "fields_for": "contracts.providers",
    "interview_schema": "contracts.schema",
    "openapi_document": "contracts.openapi",
    "params_for": "contracts.params",
    "parse_query": "contracts.query",
    "provider_module": "contracts.providers",
    "validate_interview": "contracts.checker",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contracts' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(home), name)


def __dir__() -> list[str]:
    """The public names too, though they load on first use (for `dir()`, a REPL's completion)."""
    return sorted({*globals(), *__all__})
