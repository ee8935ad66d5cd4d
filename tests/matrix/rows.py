"""The types of the identity matrix's rows (see :mod:`tests.matrix.routes`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portal.accounts.identity import Kind

if TYPE_CHECKING:
    from tests.matrix.conftest import World


@dataclass(frozen=True)
class Call:
    """One call of a row: the world and who is calling (and their position, for unique data)."""

    world: World
    who: str
    index: int


RequestSpec = Mapping[str, Any] | Callable[[Call], Mapping[str, Any]]
"""Keyword arguments of ``FlaskClient.open``, or a function of the call returning them."""


@dataclass(frozen=True)
class Public:
    """Anyone may call it, signed in or not."""


PUBLIC = Public()


@dataclass(frozen=True)
class Needs:
    """The caller needs ``action`` (``portal.accounts.policy.POLICY``) on ``target``."""

    action: str
    target: str | None = None
    """A name in ``World.targets``; ``None`` when the view checks the action alone."""
    kinds: tuple[Kind, ...] = ("owner", "staff")
    """The kinds of account the view serves (others with the action get 403)."""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    success: int
    access: Public | Needs
    path_params: Mapping[str, str] = field(default_factory=dict)
    request: RequestSpec = field(default_factory=dict)
    variant: str = ""
    denied: int = 403
    """Status for a signed-in caller who is not allowed (404 where existence is hidden)."""
    hidden_out_of_scope: bool = False
    """A caller who holds the role but not the scope gets 404: the target's existence is hidden."""
    check_owner_fields: bool = True
    """Check the body for fields of owners the caller may not see (off only with a note)."""
    after: Callable[[World, str], None] | None = None
    """Run after each call, e.g. to restore the caller's record the call changed."""
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")

    def request_kwargs(self, call: Call) -> dict[str, Any]:
        spec = self.request(call) if callable(self.request) else self.request
        return dict(spec)


def restore(world: World, who: str) -> None:
    world.restore(who)


# ----------------------------------------------------------------------------- requests
