"""A provider-faithful mock of Truto's unified ATS interviews API, and the pytest plugin that serves it."""

from mockserver.app import create_app
from mockserver.config import MockConfig

__all__ = ["MockConfig", "create_app"]
