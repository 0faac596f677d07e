"""Hypothesis strategies for unified ATS interviews: unified records, raw provider records, queries.

All of them are built from the contract's field and parameter tables (`contracts.fields`,
`contracts.params`), so they follow the contract when it changes.
"""

from strategies.interviews import datetimes_rfc3339, interviews, raw_interviews
from strategies.queries import (
    GeneratedQuery,
    InvalidQuery,
    default_accounts,
    interview_queries,
    invalid_interview_queries,
)

__all__ = [
    "GeneratedQuery",
    "InvalidQuery",
    "datetimes_rfc3339",
    "default_accounts",
    "interview_queries",
    "interviews",
    "invalid_interview_queries",
    "raw_interviews",
]
