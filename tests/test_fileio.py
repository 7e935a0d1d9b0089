"""write_atomic: every file mxjax saves appears whole or not at all (temp file + fsync + rename)."""

from __future__ import annotations

import os
import stat

import pytest

from mxjax import _fileio
from mxjax._fileio import write_atomic


def test_write_atomic_creates_and_replaces_the_file(tmp_path):
    target = tmp_path / "f.bin"
    write_atomic(str(target), b"first")
    assert target.read_bytes() == b"first"
    write_atomic(target, b"second, longer")  # os.PathLike accepted too
    assert target.read_bytes() == b"second, longer"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_new_files_get_umask_permissions_like_open(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(str(tmp_path / "f"), b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == 0o644


def test_replaced_files_keep_their_permissions(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(str(target), b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(_fileio.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(_fileio.os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b)))
    write_atomic(str(tmp_path / "f"), b"data")
    assert events[:2] == ["fsync", "replace"]


def test_failure_removes_the_temporary_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "f"
    target.write_bytes(b"previous")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_fileio.os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_atomic(str(target), b"replacement")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["f"]


def test_missing_directory_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(str(tmp_path / "nope" / "f"), b"x")
    assert os.listdir(tmp_path) == []


def test_symlinks_are_written_through(tmp_path):
    real = tmp_path / "model-0010.params"
    real.write_bytes(b"old")
    (tmp_path / "latest.params").symlink_to(real.name)
    write_atomic(str(tmp_path / "latest.params"), b"new")
    assert (tmp_path / "latest.params").is_symlink()
    assert real.read_bytes() == b"new"
