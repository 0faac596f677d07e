"""What Truto's unified ATS interviews API promises, as code: field and parameter tables, provider
mappings, generated JSON Schema and OpenAPI, and the checkers.

This package is the ground floor of the kit: it imports nothing from `mockserver` or `strategies`.
"""

from contracts.basis import BASES, Basis, basis
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
