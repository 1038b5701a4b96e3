"""Rebuild a damaged result store from every row still readable, and the last export.

A store file can be damaged — truncated by a full disk or a copy that stopped, written
over — so that SQLite refuses it ("database disk image is malformed"). Its rows are
mostly still there: each is a JSON text in a leaf page of the ``cells`` table, or in a
page image of the write-ahead log. :func:`salvage` reads them by scanning every page of
the database file and of its WAL (the SQLite file format, sqlite.org/fileformat.html:
table b-tree leaf pages, their cells, records and overflow chains), without the b-tree
above the leaves, which is what a truncation loses first. The sqlite3 shell's
``.recover`` does the same, but the one Debian 12 ships (3.40.1) fails on every store,
intact ones included ("SQL logic error"), so the scan is ours.

:func:`repair` merges what it salvaged with the rows of ``results.parquet`` (the table
as of the last export), one row per cell key — of two rows of one key, the one that
finished last — keeps every row's key and fingerprints, moves the damaged files aside
(``damaged-<time>/``), writes a fresh store and exports it.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import StoreError
from .sqlite import DB_NAME, PARQUET_NAME, ResultStore

_LEAF_TABLE = 0x0D
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    """(value, next offset) of the SQLite varint at ``buf[i]``."""
    v = 0
    for j in range(8):
        b = buf[i + j]
        v = (v << 7) | (b & 0x7F)
        if b < 0x80:
            return v, i + j + 1
    return (v << 8) | buf[i + 8], i + 9


def _pages(db: Path) -> tuple[dict[int, bytes], int]:
    """Page number → its latest image: the database file's, then the WAL's frames."""
    data = db.read_bytes() if db.exists() else b""
    size = struct.unpack(">H", data[16:18])[0] if data[:16] == b"SQLite format 3\x00" else 4096
    size = 65536 if size == 1 else size or 4096
    pages = {k + 1: data[k * size:(k + 1) * size] for k in range(len(data) // size)}
    wal = db.with_name(db.name + "-wal")
    raw = wal.read_bytes() if wal.exists() else b""
    if len(raw) >= _WAL_HEADER:
        size = struct.unpack(">I", raw[8:12])[0] or size
        at = _WAL_HEADER
        while at + _FRAME_HEADER + size <= len(raw):
            number = struct.unpack(">I", raw[at:at + 4])[0]
            pages[number] = raw[at + _FRAME_HEADER:at + _FRAME_HEADER + size]
            at += _FRAME_HEADER + size
    return pages, size


def _payload(page: bytes, at: int, usable: int, pages: dict[int, bytes]) -> bytes | None:
    """The record of the table-leaf cell at ``at``, its overflow chain followed."""
    total, i = _varint(page, at)
    _, i = _varint(page, i)  # the rowid
    most = usable - 35
    if total <= most:
        return page[i:i + total]
    least = (usable - 12) * 32 // 255 - 23
    local = least + (total - least) % (usable - 4)
    local = local if local <= most else least
    out = bytearray(page[i:i + local])
    nxt = struct.unpack(">I", page[i + local:i + local + 4])[0]
    seen: set[int] = set()
    while len(out) < total and nxt and nxt not in seen and nxt in pages:
        seen.add(nxt)
        over = pages[nxt]
        out += over[4:4 + min(usable - 4, total - len(out))]
        nxt = struct.unpack(">I", over[:4])[0]
    return bytes(out) if len(out) == total else None


def _text_columns(record: bytes) -> list[str | None]:
    """The columns of a record whose columns are all text or null (else [])."""
    head, i = _varint(record, 0)
    types = []
    while i < head:
        t, i = _varint(record, i)
        types.append(t)
    out: list[str | None] = []
    at = head
    for t in types:
        if t == 0:
            out.append(None)
        elif t >= 13 and t % 2:
            n = (t - 13) // 2
            out.append(record[at:at + n].decode("utf-8", errors="strict"))
            at += n
        else:
            return []
    return out


def _cells(pages: dict[int, bytes], size: int, usable: int) -> Iterator[list[str | None]]:
    for number, page in pages.items():
        base = 100 if number == 1 else 0
        if len(page) < size or page[base] != _LEAF_TABLE:
            continue
        count = struct.unpack(">H", page[base + 3:base + 5])[0]
        for c in range(count):
            ptr = base + 8 + 2 * c
            at = struct.unpack(">H", page[ptr:ptr + 2])[0]
            try:
                record = _payload(page, at, usable, pages)
                if record is not None:
                    yield _text_columns(record)
            except (IndexError, struct.error, UnicodeDecodeError):
                continue  # a cell of a damaged page: nothing to read


def salvage(db: Path) -> list[dict[str, Any]]:
    """Every result row readable in the pages of ``db`` and its WAL (see the module
    docstring), one per key: of two rows of one key, the one that finished last."""
    pages, size = _pages(db)
    if not pages:
        return []
    first = pages.get(1, b"")
    usable = size - (first[20] if len(first) > 20 else 0)
    found: dict[str, dict[str, Any]] = {}
    for cols in _cells(pages, size, usable):
        if len(cols) != 3 or cols[2] is None:
            continue
        try:
            row = json.loads(cols[2])
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("key") == cols[0]:
            _keep_latest(found, row)
    return list(found.values())


def _keep_latest(found: dict[str, dict[str, Any]], row: dict[str, Any]) -> None:
    old = found.get(row["key"])
    if old is None or str(row.get("finished_at") or "") >= str(old.get("finished_at") or ""):
        found[row["key"]] = row


def _parquet_rows(folder: Path) -> list[dict[str, Any]]:
    path = folder / PARQUET_NAME
    if not path.exists():
        return []
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError):  # a damaged export: nothing to take from it
        return []
    rows = df.to_dict(orient="records")
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in rows]


@dataclass
class RepairReport:
    from_store: int
    from_export: int
    kept_as: Path | None

    @property
    def total(self) -> int:
        return self.from_store + self.from_export


def repair(folder: str | Path) -> RepairReport:
    """Rebuild ``folder``'s store from its readable rows and its export (module docstring)."""
    folder = Path(folder)
    db = folder / DB_NAME
    if not db.exists() and not (folder / PARQUET_NAME).exists():
        raise StoreError(f"nothing to repair in {str(folder)!r}: no {DB_NAME} or {PARQUET_NAME}")
    found: dict[str, dict[str, Any]] = {}
    for row in salvage(db):
        _keep_latest(found, row)
    from_store = len(found)
    for row in _parquet_rows(folder):
        if isinstance(row.get("key"), str):
            _keep_latest(found, row)
    kept_as = None
    damaged = [p for p in (db, db.with_name(DB_NAME + "-wal"), db.with_name(DB_NAME + "-shm"))
               if p.exists()]
    if damaged:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        kept_as = folder / f"damaged-{stamp}"
        kept_as.mkdir()
        for p in damaged:
            shutil.move(str(p), kept_as / p.name)
    store = ResultStore(folder)
    try:
        for row in sorted(found.values(), key=lambda r: str(r.get("finished_at") or "")):
            store.put(row)
        store.export()
    finally:
        store.close()
    return RepairReport(from_store, len(found) - from_store, kept_as)
