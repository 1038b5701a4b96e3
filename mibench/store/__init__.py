"""The store layer: the declared result row and the crash-safe store that keeps rows.

``schema`` declares the row (the :class:`Status` values and every column);
``sqlite`` keeps rows in SQLite and exports Parquet and CSV; ``lock`` lets one
coordinator at a time write to an output folder.
"""

from __future__ import annotations

from .lock import RunLock
from .schema import COLUMNS, Column, ResultFields, Status
from .sqlite import CSV_NAME, DB_NAME, PARQUET_NAME, ResultStore, load_results

__all__ = [
    "COLUMNS",
    "CSV_NAME",
    "DB_NAME",
    "PARQUET_NAME",
    "Column",
    "ResultFields",
    "ResultStore",
    "RunLock",
    "Status",
    "load_results",
]
