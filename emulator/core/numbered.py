"""Numbers handed out in a row (:class:`Serial`), and a small registry of things the control
API creates and deletes by number (rules, faults)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class HasId(Protocol):
    id: int


T = TypeVar("T", bound=HasId)


@dataclass(slots=True)
class Serial:
    """Numbers in a row (ids, reference numbers); where it stands is plain data."""

    upcoming: int = 1

    def take(self) -> int:
        taken = self.upcoming
        self.upcoming += 1
        return taken


class Numbered(Generic[T]):
    """Entries in creation order, each made by ``make(id=..., **fields)``."""

    def __init__(self, make: Callable[..., T]) -> None:
        self._make = make
        self._entries: dict[int, T] = {}
        self._next_id = 1

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> Iterator[T]:
        """The live entries (newest last), without copying."""
        return iter(self._entries.values())

    def add(self, **fields: object) -> T:
        entry = self._make(id=self._next_id, **fields)
        self._entries[self._next_id] = entry
        self._next_id += 1
        return entry

    @property
    def upcoming(self) -> int:
        """The number the next entry gets."""
        return self._next_id

    def restore(self, entries: list[T], upcoming: int) -> None:
        """Exactly these entries (as saved; each has its ``id``), numbering on from
        ``upcoming``."""
        self._entries = {entry.id: entry for entry in entries}
        self._next_id = upcoming

    def remove(self, entry_id: int) -> bool:
        return self._entries.pop(entry_id, None) is not None

    def clear(self) -> int:
        count = len(self._entries)
        self._entries.clear()
        return count
