"""Lazy auto-paging lists.

A list call returns a :class:`ListIterator` at once, without a request. Iterating
fetches page after page (``page``/``page_size`` in the query, the position in
the ``X-Pagination`` header) until ``next_page`` is absent, so a loop can stop
early without loading the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from ._transport import Transport

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "ListIterator"]

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100


class ListIterator(Generic[T]):
    """Every item of a paginated list, fetched page by page while you iterate.

    >>> for appointment in client.appointments.list(staff_id=3):
    ...     print(appointment.start)

    Each ``iter()`` starts again at page 1. ``total`` is the service's count,
    known after the first page came.
    """

    def __init__(
        self,
        transport: Transport,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[Any], T],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
    ):
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self._transport = transport
        self._path = path
        self._params = dict(params)
        self._parse = parse
        self.page_size = page_size
        self.total: int | None = None
        self.pages_fetched = 0

    def pages(self, start: int = 1) -> Iterator[list[T]]:
        """The pages one by one, from page ``start``."""
        page: int | None = start
        while page is not None:
            response = self._transport.send(
                "GET",
                self._path,
                params={**self._params, "page": page, "page_size": self.page_size},
            )
            self.pages_fetched += 1
            meta = response.pagination
            total = meta.get("total")
            self.total = total if isinstance(total, int) else self.total
            rows = response.body if isinstance(response.body, list) else []
            yield [self._parse(row) for row in rows]
            following = meta.get("next_page")
            page = following if isinstance(following, int) and following > page and rows else None

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page

    def first(self) -> T | None:
        """The first item, or ``None`` for an empty list (one request)."""
        for item in self:
            return item
        return None

    def to_list(self) -> list[T]:
        return list(self)

    def __repr__(self) -> str:
        return f"<ListIterator {self._path} {self._params!r}>"
