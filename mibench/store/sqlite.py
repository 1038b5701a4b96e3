"""Crash-safe result store: one row per cell, written as each cell finishes.

The row's columns are declared in :mod:`mibench.store.schema`; this module
only keeps rows.

The store is an SQLite database (``results.sqlite`` in the output folder) in
write-ahead-log mode. Each finished cell is one committed transaction, so a
process killed at any moment (``kill -9`` included) loses at most the cells
still in flight; what is committed is never corrupted, and a resumed run
skips every stored key. Rows are kept as JSON so that estimators may add
diagnostics without a schema change. Only the coordinating process writes.

``export`` writes the tidy table as Parquet (and CSV on request) by writing a
temporary file and renaming it, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import StoreError, StoreFullError
from . import schema
from .schema import Status

DB_NAME = "results.sqlite"
PARQUET_NAME = "results.parquet"
CSV_NAME = "results.csv"


class ResultStore:
    """Append-only table of cell results keyed by cell key."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.dir: Path | None = None
        if path is None:
            target = ":memory:"
        else:
            self.dir = Path(path)
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                probe = self.dir / ".mibench-write-test"
                probe.write_text("probe")
                probe.unlink()
            except OSError as exc:
                cls = StoreFullError if _is_full(exc) else StoreError
                raise cls(f"cannot write to output folder {str(path)!r}: "
                          f"{exc.strerror or exc}") from None
            target = str(self.dir / DB_NAME)
        self.where = target
        with self._sqlite("open"):
            self._con = sqlite3.connect(target, timeout=30, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS cells ("
                " key TEXT PRIMARY KEY, status TEXT NOT NULL, row TEXT NOT NULL)"
            )
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)"
            )

    @contextlib.contextmanager
    def _sqlite(self, doing: str) -> Iterator[None]:
        """SQLite's errors as ours: a full disk, a damaged file (naming the repair), other."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, self.where, doing) from None

    # -- writing ------------------------------------------------------------
    def put(self, row: dict[str, Any]) -> None:
        """Store one finished cell (replacing an earlier row with the same key)."""
        with self._sqlite("write to"):
            self._con.execute(
                "INSERT OR REPLACE INTO cells (key, status, row) VALUES (?, ?, ?)",
                (row["key"], str(row["status"]), schema.strict_json(row)),
            )

    def rekey(self, old: str, new: str, **updates: Any) -> None:
        """Give the stored row ``old`` the key ``new`` and the fields ``updates``,
        keeping what they were in ``relabelled_from``; one transaction. For a row
        made by the same code under an earlier fingerprint scheme."""
        with self._sqlite("read"):
            r = self._con.execute("SELECT row FROM cells WHERE key = ?", (old,)).fetchone()
        if r is None:
            return
        row = json.loads(r[0])
        row["relabelled_from"] = json.dumps({"key": old, **{k: row.get(k) for k in updates}})
        row.update(updates, key=new)
        with self._sqlite("write to"):
            self._con.execute("BEGIN IMMEDIATE")
            try:
                self._con.execute("DELETE FROM cells WHERE key = ?", (old,))
                self._con.execute("INSERT OR REPLACE INTO cells (key, status, row) "
                                  "VALUES (?, ?, ?)",
                                  (new, str(row["status"]), schema.strict_json(row)))
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def versions(self) -> dict[str, tuple[Status, str, str, str]]:
        """Each stored cell's status, key without fingerprints (its own key for rows
        written before fingerprints were part of the key), and estimator and task
        fingerprints, by key."""
        with self._sqlite("read"):
            out = {k: (Status(st), ck, ev, tv) for k, st, ck, ev, tv in self._con.execute(
                "SELECT key, status, COALESCE(json_extract(row, '$.config_key'), key), "
                "COALESCE(json_extract(row, '$.estimator_version'), ''), "
                "COALESCE(json_extract(row, '$.task_version'), '') FROM cells "
                "WHERE json_valid(row)")}
            # rows written before schema.strict_json wrote strict JSON may hold NaN or Infinity,
            # which SQLite's JSON functions refuse: those few are read in Python
            for k, st, text in self._con.execute(
                    "SELECT key, status, row FROM cells WHERE NOT json_valid(row)"):
                old = {f: v for f, v in json.loads(text).items() if v is not None}  # COALESCE
                out[k] = (Status(st), old.get("config_key", k), old.get("estimator_version", ""),
                          old.get("task_version", ""))
            return out

    def set_meta(self, name: str, value: Any) -> None:
        with self._sqlite("write to"):
            self._con.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                              (name, json.dumps(value, default=schema.json_default)))

    # -- reading ------------------------------------------------------------
    def keys(self, statuses: Iterable[Status] | None = None) -> set[str]:
        with self._sqlite("read"):
            if statuses is None:
                cur = self._con.execute("SELECT key FROM cells")
            else:
                st = [str(s) for s in statuses]
                cur = self._con.execute(
                    f"SELECT key FROM cells WHERE status IN ({','.join('?' * len(st))})", st)
            return {r[0] for r in cur}

    def get_meta(self, name: str, default: Any = None) -> Any:
        with self._sqlite("read"):
            r = self._con.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if r is None else json.loads(r[0])

    def __len__(self) -> int:
        with self._sqlite("read"):
            return int(self._con.execute("SELECT COUNT(*) FROM cells").fetchone()[0])

    def rows(self) -> list[dict[str, Any]]:
        """Every stored row, in the order stored."""
        with self._sqlite("read"):
            return [json.loads(r[0]) for r in
                    self._con.execute("SELECT row FROM cells ORDER BY rowid")]

    def frame(self) -> pd.DataFrame:
        """All stored rows as a tidy DataFrame (one row per cell)."""
        return schema.frame(self.rows())

    def export(self, csv: bool = False) -> list[Path]:
        """Write results.parquet (and results.csv) atomically; return the paths written."""
        if self.dir is None:
            return []
        df = self.frame()
        written = []
        targets = [(PARQUET_NAME, "parquet")] + ([(CSV_NAME, "csv")] if csv else [])
        for name, fmt in targets:
            final = self.dir / name
            tmp = self.dir / (name + ".tmp")
            try:
                if fmt == "parquet":
                    df.to_parquet(tmp, index=False)
                else:
                    df.to_csv(tmp, index=False)
                os.replace(tmp, final)
            except OSError as exc:  # a reader sees the previous export, never half a file
                tmp.unlink(missing_ok=True)
                cls = StoreFullError if _is_full(exc) else StoreError
                raise cls(f"cannot write {final}: {exc.strerror or exc}") from None
            written.append(final)
        return written

    def close(self) -> None:
        self._con.close()


def load_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a results table from an output folder, a .sqlite, .parquet or .csv file."""
    p = Path(path)
    if not p.exists():
        raise StoreError(f"no results found at {str(p)!r}: no such file or folder")
    if p.is_dir():
        if (p / DB_NAME).exists():
            return _read_db(p / DB_NAME)
        if (p / PARQUET_NAME).exists():
            return schema.conform(pd.read_parquet(p / PARQUET_NAME))
        raise StoreError(f"no results found in {str(p)!r} (expected {DB_NAME} or {PARQUET_NAME})")
    if p.suffix == ".parquet":
        return schema.conform(pd.read_parquet(p))
    if p.suffix == ".csv":
        return schema.conform(pd.read_csv(p, keep_default_na=False, na_values=[""]))
    if p.suffix == ".sqlite":
        return _read_db(p)
    raise StoreError(f"cannot read results from {str(p)!r}")


def _read_db(db: Path) -> pd.DataFrame:
    """Read a store without writing to it (works on read-only copies too)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        rows = [json.loads(r[0]) for r in con.execute("SELECT row FROM cells ORDER BY rowid")]
        con.close()
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, str(db), "read") from None
    return schema.frame(rows)


def _is_full(exc: OSError) -> bool:
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or (
        "No space left" in str(exc))


#: What SQLite says of a file that is not a sound database.
_DAMAGED = ("disk image is malformed", "not a database", "file is encrypted")


def store_error(exc: sqlite3.DatabaseError, where: str, doing: str) -> StoreError:
    """Our error for SQLite's: a full disk, a damaged store (naming the repair), or other."""
    msg = str(exc)
    folder = str(Path(where).parent)
    if "full" in msg:
        return StoreFullError(f"the disk holding {where} is full ({msg})")
    if any(s in msg for s in _DAMAGED):
        return StoreError(f"the result store {where} is damaged ({msg}); 'mibench repair "
                          f"{folder}' rebuilds it from every row still readable in it and in "
                          f"{PARQUET_NAME}")
    return StoreError(f"cannot {doing} result store {where!r}: {msg}")
