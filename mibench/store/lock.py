"""One coordinator per output folder: an exclusive lock on ``DIR/.mibench.lock``.

Two coordinators on one ``--out`` would both see the same cells as missing
and run them twice. The lock is an ``fcntl.flock`` on a file in the folder,
held for the whole run; the kernel drops it when the process ends, however
it ends (a killed coordinator leaves no stale lock behind). The file holds
the owner's pid for the error message. Where ``fcntl`` does not exist
(Windows) runs are not locked.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import IO

from ..core.errors import StoreError

LOCK_NAME = ".mibench.lock"


class RunLock:
    """Context manager holding the folder's lock; raises :class:`StoreError` if taken."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fh: IO[str] | None = None

    def __enter__(self) -> RunLock:
        try:
            import fcntl
        except ImportError:  # not POSIX
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            owner = fh.read().strip() or "unknown"
            fh.close()
            raise StoreError(
                f"another mibench run (pid {owner}) is writing to {str(self.path.parent)!r}; "
                "wait for it to finish or use another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the file releases the lock
            self._fh = None
