"""Safe writing: every file chitieu writes goes through here, so that a crash, a full disk or an exception never
leaves half a file, and the previous version stays until the new one is complete."""
from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from chitieu.errors import OutputError

__all__ = ["atomic_output", "atomic_write_bytes", "OutputError"]


@contextmanager
def atomic_output(path: Path):
    """A binary file handle on a temporary file beside ``path``, renamed over ``path`` only when the block ends
    without error: a crash or an exception never leaves half a file, and the old file stays until then.

    Raises :class:`OutputError` (an ``OSError`` naming ``path``) when it cannot be written: a folder, a missing or
    read-only location.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(errno.EISDIR, "là một thư mục, cần tên tệp (is a folder, not a file name)", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(exc.errno, f"không ghi được (cannot write): {exc.strerror or exc}", str(path)) from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; an output reads like any other file
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(exc.errno, f"không ghi được (cannot write): {exc.strerror or exc}", str(path)) from None
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path) as f:
        f.write(data)
