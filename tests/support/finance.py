"""Helpers of the finance tests: identities, an offline request, a bank's result file."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from portal.accounts.identity import Identity
from portal.billing.model import UnitKey
from portal.finance.offline import Method, OfflineRequest

UNIT = UnitKey("lanting", "2", "1-1503")
NEIGHBOUR = UnitKey("lanting", "2", "1-1504")
MANAGEMENT_FEN = 37100
"""A month's management fee of these units (the demo fee standard × their area)."""


def staff(*roles: str, username: str = "desk.li", estates: tuple[str, ...] = ("lanting",),
          name: str = "李前台") -> Identity:  # fmt: skip
    return Identity(kind="staff", user_id=username, roles=frozenset(roles), name=name,
                    estates=frozenset(estates))  # fmt: skip


DESK = staff("front_desk")
GUARD = staff("security", username="guard.zhao", name="赵保安")
FOREMAN = staff("foreman", username="foreman.sun", name="孙领班")
FINANCE = staff("finance", username="qian.finance", name="钱会计")


def offline(unit: UnitKey, bills: Sequence[str], amount_fen: int, method: Method = "cash", *,
            request_id: str = "", at_door: bool = False, reference: str = "") -> OfflineRequest:  # fmt: skip
    return OfflineRequest(unit, tuple(bills), method, amount_fen,
                          request_id or uuid.uuid4().hex, reference, at_door)  # fmt: skip


def debit_csv(*rows: tuple[str, str, str, str, str], period: bool = False) -> bytes:
    """A bank result file: rows of (building, unit/room, amount in yuan, result, serial)."""
    head = "楼栋,单元/房号,扣款金额,扣款结果,银行流水号"
    lines = [head] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
