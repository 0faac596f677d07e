"""What Truto's unified ATS interviews API promises, as code: field and parameter tables, provider
mappings, generated JSON Schema and OpenAPI, and the checkers.

This package is the ground floor of the kit: it imports nothing from `mockserver` or `strategies`.
"""

from contracts.checker import Violation, validate_interview
from contracts.errors import error_body
from contracts.fields import FIELD_BY_NAME, FIELDS, PROVIDERS, STATUS_VALUES, Field, Kind, fields_for
from contracts.openapi import openapi_document
from contracts.params import PARAMS, RESPONSE_FORMATS, Param, ParamType, params_for
from contracts.providers import MappingError, Provider, provider_module
from contracts.query import InterviewQuery, QueryError, encode_query, parse_query
from contracts.responses import Exchange, check_error_body, check_response
from contracts.schema import error_schema, interview_schema

__all__ = [
    "FIELDS",
    "FIELD_BY_NAME",
    "PARAMS",
    "PROVIDERS",
    "RESPONSE_FORMATS",
    "STATUS_VALUES",
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
