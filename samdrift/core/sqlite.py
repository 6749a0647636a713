"""SQLite's write-ahead log, switched on once per process instead of on every connection.

`journal_mode=WAL` is stored in the database file, so it needs setting only once; as an
`init_command` it ran on every new connection, and under ASGI every request's sync code runs in a
new thread with a new connection. The statement takes a lock on the file, so while another
thread was committing it waited: a fifth of a small download's server time went there
(py-spy on `make bench-files`, ADR 0620). `synchronous` and `foreign_keys` are per connection
and stay in `init_command`.
"""

from __future__ import annotations

import threading
from typing import Any

_done: set[str] = set()
_lock = threading.Lock()


def enable_wal_once(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite" or connection.alias in _done:
        return
    with _lock:
        if connection.alias in _done:
            return
        name = str(connection.settings_dict.get("NAME", ""))
        if name and ":memory:" not in name and "mode=memory" not in name:
            connection.connection.execute("PRAGMA journal_mode=WAL")
        _done.add(connection.alias)
