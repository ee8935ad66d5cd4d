"""What every page plan shares: a page, its paths and URLs, a notice's listing state, paging.

:mod:`portal.site.pages` plans the site with these; :mod:`portal.site.estatepages` the
estate's own pages (home, lists, archives, buildings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from portal.site.model import Notice

PAGE_SIZE = 20
_T = TypeVar("_T")


def url(path: str, lang: str) -> str:
    """Root-relative URL of a page path ('' is the home page) in a language."""
    prefix = "/en/" if lang == "en" else "/"
    return prefix + path


def out_path(path: str, lang: str) -> str:
    """Output file for a page path: directories get an index.html."""
    base = ("en/" if lang == "en" else "") + path
    return base + "index.html" if base.endswith("/") or base == "" else base


@dataclass
class Page:
    out: str
    template: str  # a Jinja template, or "ics:" for generated files
    lang: str
    inputs: tuple[str, ...]
    ctx: dict[str, Any] = field(default_factory=dict)
    make: Callable[[], dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    """What the page shows beyond ``ctx``, made when it is rendered: the pages that act embed
    labels from half the code base, which a rebuild that does not render them need not load
    (the fingerprint is of ``inputs``, never of the context)."""
    _fingerprint: tuple[str, str] = field(default=("", ""), repr=False, compare=False)

    def context(self) -> dict[str, Any]:
        return self.ctx if self.make is None else {**self.make(), **self.ctx}

    def fingerprint(self, site_hash: str) -> str:
        if self._fingerprint[0] == site_hash:  # a page planned again from the memo
            return self._fingerprint[1]
        data = "\0".join((site_hash, self.out, self.template, self.lang, *self.inputs))
        value = hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
        self._fingerprint = (site_hash, value)
        return value


def notice_state(n: Notice, now: datetime) -> str:
    """What a listing shows of a notice changes with its content and whether it expired."""
    memo = STATE_MEMO.get(id(n))
    if memo is not None and memo[0] is n:
        return memo[1]
    state = f"{n.digest}:{int(n.expired(now))}"
    STATE_MEMO[id(n)] = (n, state)
    return state


STATE_MEMO: dict[int, tuple[Notice, str]] = {}
"""Notice id → the notice and its state: cleared when a plan starts, kept by the incremental
plans after it (:mod:`portal.site.replan`) while no notice's expiry comes."""


def notice_url(n: Notice, lang: str) -> str:
    """English readers get the Chinese page when there is no translation."""
    return url(f"notices/{n.slug}/", lang if n.has(lang) else "zh-CN")


def paginate(items: list[_T], size: int = PAGE_SIZE) -> Iterator[tuple[int, int, list[_T]]]:
    pages = max(1, (len(items) + size - 1) // size)
    for i in range(pages):
        yield i + 1, pages, items[i * size : (i + 1) * size]


def listed(notices: Iterable[Notice], now: datetime) -> list[Notice]:
    """List order: unexpired only; pinned first, then newest first."""
    live = [n for n in notices if not n.expired(now)]
    return sorted(live, key=lambda n: not n.pinned)  # stable: keeps newest-first within groups
