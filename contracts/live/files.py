"""Reports and baselines are written whole or not at all: an interrupted run leaves no half file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | Path, content: str | bytes) -> str | None:
    """Write a report whole or not at all (a temporary file beside it, then renamed over it: an
    interrupted run leaves no half report); None, or the one line saying why it could not be written."""
    target = Path(path)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return None
