"""Atomic writes and streaming hashes: the one way the workbench puts a file or folder in place.

One fsync rule everywhere: the data is fsynced before the rename that publishes it, and the parent folder after
the rename, so that after a crash a reader finds either the old file or the complete new one, never half of one.
A file written into a staging folder (`make_temp_dir`) is not fsynced on its own: nobody sees it before
`replace_dir` publishes the folder, which fsyncs every file in it first.
Temporary names are unique (two writers never collide) and hidden (`.<name>.<random>.tmp`).

```python
write_atomic(out / "report.html", page)            # text or bytes
with atomic_path(out / "findings.parquet") as tmp:  # for writers that want a path
    frame.write_parquet(tmp)
with atomic_file(out / "actions.xlsx") as fh:       # for writers that want a binary file
    workbook.save(fh)
replace_dir(tmp_folder, out / "910000004")          # a whole folder, the old one kept until the new is there
sha256_file(path)                                   # bounded memory, whatever the file's size
```
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets as _random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "HASH_CHUNK",
    "atomic_file",
    "atomic_path",
    "fsync_dir",
    "make_temp_dir",
    "recover_dir",
    "replace_dir",
    "sha256_file",
    "write_atomic",
    "yaml_text",
]

HASH_CHUNK = 1 << 20  # 1 MiB: hashing a 3 GB file costs 1 MiB of memory


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_STAGING = ".tmp-"  # in every name make_temp_dir gives: ".<prefix>.tmp-<random>"


def _staged(folder: Path) -> bool:
    """Is `folder` a staging folder from `make_temp_dir` (published only by `replace_dir`)?"""
    return folder.name.startswith(".") and _STAGING in folder.name


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _temp_sibling(target: Path) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = target.with_name(f".{target.name}.{_random.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp  # 0o666 minus the umask, like any file the user saves
        except FileExistsError:
            continue


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[BinaryIO]:
    """A binary file that becomes `target` when the block ends without an error (else it is removed)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    durable = not _staged(target.parent)
    fd, tmp = _temp_sibling(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path to write (by a writer that takes a path) that becomes `target` when the block ends."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    durable = not _staged(target.parent)
    fd, tmp = _temp_sibling(target)
    os.close(fd)
    try:
        yield tmp
        if durable:
            _fsync_file(tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(target.parent)


def write_atomic(target: str | Path, data: str | bytes) -> Path:
    """Write `data` (text as UTF-8) to `target` atomically; returns `target`."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(target) as fh:
        fh.write(payload)
    return Path(target)


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A hidden temporary folder in `parent`, with the umask's permissions (mkdtemp's 0700 would make a
    published folder private)."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{prefix}.tmp-", dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    return tmp


def _backup_of(final: Path) -> Path:
    return final.with_name(f".{final.name}.previous")


def recover_dir(final: Path) -> None:
    """Finish an interrupted `replace_dir`: put the backup back if `final` is gone, else drop the backup."""
    backup = _backup_of(final)
    if backup.exists() and not final.exists():
        backup.rename(final)
    elif backup.exists():
        shutil.rmtree(backup, ignore_errors=True)


def replace_dir(tmp: Path, final: Path) -> Path:
    """Move the complete folder `tmp` to `final`, replacing what was there; the old folder survives (as a
    hidden backup) until the new one is in place. Every file is fsynced first (the one fsync rule)."""
    recover_dir(final)
    for path in sorted(tmp.rglob("*")):
        if path.is_file() and not path.is_symlink():
            _fsync_file(path)
    fsync_dir(tmp)
    backup = _backup_of(final)
    if final.exists():
        final.rename(backup)
    tmp.rename(final)
    fsync_dir(final.parent)
    shutil.rmtree(backup, ignore_errors=True)
    return final


def yaml_text(data: object) -> str:
    """`data` as safe YAML the workbench's own reader accepts: keys in order, Unicode kept, and no anchors or
    aliases (safe_dump writes them for a list used twice; the reader refuses them)."""
    import yaml

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True

    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120)


def sha256_file(path: str | Path, chunk: int = HASH_CHUNK) -> str:
    """The file's sha256, read in chunks (bounded memory whatever the size)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
