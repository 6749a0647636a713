"""A JSON report read from its file without holding it (ADR 0971).

A scanner's report of several hundred MB is almost all one array: Trivy's vulnerabilities,
Grype's matches, SARIF's results, CycloneDX's vulnerabilities. One pass over the file (ijson on
yajl, the whole file checked as JSON) builds the document with each such array left out and
counted; in its place stands a `StreamedList`, which reads its items from the file again each
time it is iterated. The readers in `parsers` take the document as they would take `json.loads`'s
and only iterate those arrays, so every format is read by the same code whether it came whole or
streamed, and memory stays that of the small rest of the document plus one item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson
from django.utils.translation import gettext_lazy as _

from .refusal import refuse

#: The arrays that make a report large, by their ijson prefix (the path of keys, "item" for an
#: array's member): Trivy (schema 2, legacy list, `trivy k8s`), Grype, SARIF, CycloneDX and CSAF.
LARGE_ARRAYS = frozenset({
    "Results.item.Vulnerabilities", "item.Vulnerabilities",
    "Vulnerabilities.item.Results.item.Vulnerabilities", "matches", "runs.item.results",
    "vulnerabilities",
})  # fmt: skip

_OPENS = ("start_map", "start_array")
_CLOSES = ("end_map", "end_array")


class StreamedList(list):
    """An array of the report that stays in the file. It is a list to the readers' checks
    (`isinstance`, `len`, truth) and yields its items when iterated; indexing it or encoding it
    as JSON sees an empty list, and no reader does either."""

    def __init__(self, stream: ReportStream, prefix: str, start: int, count: int) -> None:
        super().__init__()
        self._stream, self._prefix, self._start, self._count = stream, prefix, start, count

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Any]:
        return self._stream.items(self._prefix, self._start, self._count)

    def __repr__(self) -> str:
        return f"<StreamedList {self._prefix} [{self._start}:+{self._count}]>"


class _Counting:
    """The file as ijson reads it, counting the bytes handed over (for where an error is)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.read_so_far = file, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.read_so_far += len(chunk)
        return chunk


class _Cursor:
    """Items of one prefix in document order, from one open file."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.file = path.open("rb")
        self.items = ijson.items(self.file, f"{prefix}.item", use_float=True)
        self.position = 0

    def take(self) -> Any:
        self.position += 1
        return next(self.items)


class ReportStream:
    """One report file: `document` is the skeleton; the arrays in it read from `path`. Close it
    (or use it as a context manager) to close the files its arrays opened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cursors: dict[str, _Cursor] = {}
        self.document = self._skeleton()

    def __enter__(self) -> ReportStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for cursor in self._cursors.values():
            cursor.file.close()
        self._cursors.clear()

    def items(self, prefix: str, start: int, count: int) -> Iterator[Any]:
        """The `count` items of the arrays at `prefix` from the `start`th on. Readers go through
        a report in order, so one cursor per prefix moves on; going back opens the file again."""
        cursor = self._cursors.get(prefix)
        if cursor is None or cursor.position > start:
            if cursor is not None:
                cursor.file.close()
            cursor = self._cursors[prefix] = _Cursor(self.path, prefix)
        while cursor.position < start:
            cursor.take()
        for _item in range(count):
            yield cursor.take()

    def _skeleton(self) -> Any:
        offsets: dict[str, int] = defaultdict(int)
        with self.path.open("rb") as file:
            counted = _Counting(file)
            try:
                return self._build(ijson.parse(counted, use_float=True), offsets)
            except ijson.JSONError as error:
                raise _not_json(error, counted.read_so_far) from None

    def _build(self, events: Iterator[tuple[str, str, Any]], offsets: dict[str, int]) -> Any:
        stack: list[Any] = []  # the open containers, innermost last
        keys: list[Any] = []  # the key each open object is about to receive
        root: Any = None
        done = False

        def attach(value: Any) -> None:
            nonlocal root, done
            if not stack:
                root, done = value, True
            elif isinstance(stack[-1], dict):
                stack[-1][keys[-1]] = value
            else:
                stack[-1].append(value)

        for prefix, event, value in events:
            if event == "map_key":
                keys[-1] = value
            elif event == "start_array" and prefix in LARGE_ARRAYS:
                count = _count_items(events)
                attach(StreamedList(self, prefix, offsets[prefix], count))
                offsets[prefix] += count
            elif event in _OPENS:
                container: Any = {} if event == "start_map" else []
                attach(container)
                done = False
                stack.append(container)
                keys.append(None)
            elif event in _CLOSES:
                stack.pop()
                keys.pop()
                done = not stack
            else:
                attach(value)
        if not done:
            raise refuse(_("The file is not valid JSON: it ends too early."))
        return root


def _count_items(events: Iterator[tuple[str, str, Any]]) -> int:
    """Consume an array's events up to its end, counting its members."""
    depth = count = 0
    for _prefix, event, _value in events:
        if event in _OPENS:
            count += depth == 0
            depth += 1
        elif event in _CLOSES:
            if depth == 0:
                return count
            depth -= 1
        elif depth == 0 and event != "map_key":
            count += 1
    raise refuse(_("The file is not valid JSON: it ends too early."))


def _not_json(error: Exception, read_so_far: int) -> Exception:
    problem = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "UTF8" in problem or "UTF-8" in problem:
        return refuse(_("The file is not UTF-8 text."))
    if "Incomplete" in type(error).__name__ and "premature EOF" in problem:
        return refuse(_("The file is not valid JSON: it ends too early."))
    return refuse(
        _("The file is not valid JSON: %(problem)s (within its first %(bytes)s bytes)."),
        problem=problem[:200],
        bytes=read_so_far,
    )
