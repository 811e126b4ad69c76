"""Lists of records or context items that move to disk when they grow long.

A province's roster holds 100,000 people; as Python dicts they take gigabytes by the time every
annex is computed. A :class:`SpilledList` keeps its first :data:`SPILL_AT` items in memory, as a
plain list would, and from then on writes them in pickled chunks to a private temporary SQLite
database: SQLite removes its file itself when the list is closed or the process ends, however it
ends (an error, Ctrl-C, a kill), and the file has no name in any folder meanwhile. Reading goes
chunk by chunk, so iterating, ``len``, and indexing in order cost one chunk of memory at a time.

Items must pickle (records, dicts of text, numbers, dates, Decimals, Locations). A list is
appended to while a run reads or prepares its data, then only read.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

#: Items a list holds in memory before it moves to disk (small runs never touch it).
SPILL_AT = 5000
#: Items pickled together; a read brings one chunk into memory.
CHUNK = 500


def _connect() -> sqlite3.Connection:
    """A private temporary database: SQLite deletes its file when the connection closes."""
    return sqlite3.connect("", check_same_thread=False)


class SpilledList(Sequence):
    """An append-only sequence held in memory while short and on disk once long."""

    def __init__(self, items: Iterable[Any] = ()):
        self._memory: list[Any] = []
        self._database: sqlite3.Connection | None = None
        self._chunks = 0  # chunks on disk, each CHUNK items
        self._cached: tuple[int, list[Any]] | None = None
        self._lock = threading.Lock()  # a process pool's feeder thread reads it too
        self.extend(items)

    @property
    def spilled(self) -> bool:
        """Whether the items live on disk."""
        return self._database is not None

    def append(self, item: Any) -> None:
        self._memory.append(item)
        if len(self._memory) >= (CHUNK if self._database else max(SPILL_AT, CHUNK)):
            self._flush()

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)

    def _flush(self) -> None:
        """Move whole chunks of the in-memory tail to disk."""
        if self._database is None:
            self._database = _connect()
            self._database.execute("CREATE TABLE chunks (number INTEGER PRIMARY KEY, items BLOB)")
        full = len(self._memory) - len(self._memory) % CHUNK
        rows = ((self._chunks + n, pickle.dumps(self._memory[start:start + CHUNK],
                                                 pickle.HIGHEST_PROTOCOL))
                for n, start in enumerate(range(0, full, CHUNK)))
        self._database.executemany("INSERT INTO chunks VALUES (?, ?)", rows)
        self._chunks += full // CHUNK
        del self._memory[:full]

    def _chunk(self, number: int) -> list[Any]:
        cached = self._cached
        if cached is None or cached[0] != number:
            cached = self._cached = (number, self._load(number))
        return cached[1]

    def __len__(self) -> int:
        return self._chunks * CHUNK + len(self._memory)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("SpilledList index out of range")
        on_disk = self._chunks * CHUNK
        if index >= on_disk:
            return self._memory[index - on_disk]
        return self._chunk(index // CHUNK)[index % CHUNK]

    def __iter__(self) -> Iterator[Any]:
        for number in range(self._chunks):
            yield from self._load(number)
        yield from list(self._memory)

    def _load(self, number: int) -> list[Any]:
        """A chunk for iteration (not cached: a loop and an index may run side by side)."""
        assert self._database is not None
        with self._lock:
            (blob,) = self._database.execute("SELECT items FROM chunks WHERE number = ?",
                                             (number,)).fetchone()
        return pickle.loads(blob)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpilledList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                          strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __repr__(self) -> str:
        where = "on disk" if self.spilled else "in memory"
        return f"<SpilledList of {len(self)} items {where}>"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to a worker process) as the plain list of its items."""
        return list, (list(self),)

    def close(self) -> None:
        """Drop the items and remove the file; the list is empty afterwards."""
        if self._database is not None:
            self._database.close()
        self._database, self._chunks, self._cached, self._memory = None, 0, None, []

    def __del__(self) -> None:
        if self._database is not None:
            self._database.close()



def settled(items: SpilledList) -> list[Any] | SpilledList:
    """A finished list as a context holds it: a plain list if it stayed in memory."""
    return items if items.spilled else list(items)


class SpilledGroups:
    """Items filed under keys (a person's 任教经历 rows under their ID number), in memory while
    few and in a private temporary SQLite database once :data:`SPILL_AT` are filed."""

    def __init__(self) -> None:
        self._memory: dict[Any, list[Any]] = {}
        self._count = 0
        self._database: sqlite3.Connection | None = None

    def add(self, key: Any, item: Any) -> None:
        if self._database is not None:
            self._database.execute("INSERT INTO items (key, item) VALUES (?, ?)",
                                   (key, pickle.dumps(item, pickle.HIGHEST_PROTOCOL)))
            return
        self._memory.setdefault(key, []).append(item)
        self._count += 1
        if self._count >= SPILL_AT:
            self._database = _connect()
            self._database.execute("CREATE TABLE items (key, item BLOB)")
            self._database.execute("CREATE INDEX by_key ON items (key)")
            memory, self._memory = self._memory, {}
            for filed, items in memory.items():
                for one in items:
                    self.add(filed, one)

    def get(self, key: Any) -> list[Any]:
        """The items filed under ``key``, in the order they were filed."""
        if self._database is None:
            return list(self._memory.get(key, ()))
        rows = self._database.execute("SELECT item FROM items WHERE key = ? ORDER BY rowid",
                                      (key,))
        return [pickle.loads(blob) for (blob,) in rows]

    def close(self) -> None:
        """Drop the items and remove the file."""
        if self._database is not None:
            self._database.close()
        self._database, self._memory, self._count = None, {}, 0
