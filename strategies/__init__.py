"""Hypothesis strategies for unified ATS interviews: unified records, raw provider records, queries."""
