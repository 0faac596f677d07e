"""The reference: a minimal Flask app returning one fixed JSON document with `jsonify`.

The document is read from the file named by BENCH_BODY, so it is byte-for-byte what the mock sends.
"""

from __future__ import annotations

import json
import os

from flask import Flask, jsonify


def create() -> Flask:
    app = Flask("minimal")
    with open(os.environ["BENCH_BODY"], encoding="utf-8") as handle:
        body = json.load(handle)

    @app.get("/unified/ats/interviews/<interview_id>")
    def get_interview(interview_id: str):  # type: ignore[no-untyped-def]
        return jsonify(body)

    @app.get("/unified/ats/interviews")
    def list_interviews():  # type: ignore[no-untyped-def]
        return jsonify(body)

    return app


app = create() if "BENCH_BODY" in os.environ else None
