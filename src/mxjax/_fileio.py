"""Crash-safe file writes: every file mxjax saves appears whole or not at all.

MXNet writes its ``.params`` and ``-symbol.json`` files in place, so a crash
or a full disk half-way through a save leaves a truncated checkpoint where the
previous good one used to be. mxjax writes to a temporary file in the same
directory, flushes it to disk (``fsync``) and renames it over the target with
``os.replace``, which is atomic on POSIX and Windows. If anything fails before
the rename, the temporary file is removed and the previous file is untouched.

The new file gets the permissions a plain ``open(fname, 'wb')`` would give it
(``0o666`` minus the umask), or the permissions of the file it replaces, so
other users and services can still read checkpoints as they could with MXNet.
A symlink is written through (its target is replaced), as an in-place write would.
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["write_atomic"]


def _umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)  # portable fallback: read by setting and restoring
    os.umask(old)
    return old


def _target_mode(fname: str) -> int:
    try:
        return os.stat(fname).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def write_atomic(fname: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``fname`` atomically (temporary file, fsync, ``os.replace``).

    On any failure (exception, ``KeyboardInterrupt``, disk full) the temporary
    file is removed, the exception propagates, and a previous ``fname`` is left
    exactly as it was.
    """
    fname = os.fspath(fname)
    if isinstance(fname, bytes):
        fname = os.fsdecode(fname)
    if os.path.islink(fname):  # write through a symlink, as an in-place write would
        fname = os.path.realpath(fname)
    directory = os.path.dirname(os.path.abspath(fname))
    mode = _target_mode(fname)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(fname) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            view = memoryview(data)
            f.write(view)
            f.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, fname)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
