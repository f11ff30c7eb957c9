"""A file's bytes are read up to the size the file system gives, and a file that grows while being read is read
on to the limit (and refused over it), never allocated at the limit's size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from altinn_analysis.sources import FileReadError, read_file


@pytest.mark.parametrize("size", [0, 1, 999, 1000])
def test_a_file_up_to_the_limit_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "consents.csv"
    path.write_bytes(os.urandom(size))
    assert read_file(path, 1000) == path.read_bytes()


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "consents.csv"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(FileReadError, match="over the limit: 1,001 bytes"):
        read_file(path, 1000)


class _Shrunk:
    """os.stat_result with a smaller size: the file 'grew' after fstat looked."""

    def __init__(self, real: os.stat_result, size: int) -> None:
        self._real, self.st_size = real, size

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


@pytest.mark.parametrize(("seen", "actual", "read"), [(10, 600, True), (10, 1000, True), (10, 1001, False)])
def test_a_file_that_grew_is_read_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seen: int, actual: int, read: bool
) -> None:
    path = tmp_path / "consents.csv"
    path.write_bytes(os.urandom(actual))
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: _Shrunk(real_fstat(fd), seen))
    if read:
        assert read_file(path, 1000) == path.read_bytes()
    else:
        with pytest.raises(FileReadError, match="over the limit: over 1,000 bytes"):
            read_file(path, 1000)
