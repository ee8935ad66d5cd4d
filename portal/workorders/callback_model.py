"""What a callback (回访) is: its kinds, methods, the satisfaction scale and dimensions, its record.

The rules that other modules apply are tables here, each once:

- :data:`KINDS`: why a callback exists (an order that was resolved, a new owner's first
  month, the monthly satisfaction round, a dissatisfied owner's fortnight, a unit not
  moved into yet);
- :data:`METHODS`: how the owner was reached (staff: phone, visit, message; the owner
  answering on their order's page: online);
- :data:`SCALE`: the answer to each question, 满意 / 一般 / 不满意, with its points for the
  satisfaction index. Three steps rather than 1–5, because that is how staff ask on the
  phone, and because the satisfaction rate (满意率) counts "satisfied" answers;
- :data:`DIMENSIONS`: the questions, each with its weight in the index and whether an
  "unsatisfied" answer to it reopens the order (二次派单). Only ``overall`` must be
  answered; the others may be left out (a monthly call does not ask about a repair).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["order", "first_month", "monthly", "dissatisfied", "not_moved_in"]
KINDS: tuple[Kind, ...] = ("order", "first_month", "monthly", "dissatisfied", "not_moved_in")
ORDER_KINDS: frozenset[str] = frozenset({"repair", "complaint"})
"""The work-order kinds whose resolution gets a callback: every repair, every valid complaint."""

Method = Literal["phone", "visit", "message", "online"]
METHODS: tuple[Method, ...] = ("phone", "visit", "message", "online")
STAFF_METHODS: frozenset[str] = frozenset({"phone", "visit", "message"})
OWNER_METHOD: Method = "online"

State = Literal["due", "done", "cancelled"]
"""``cancelled``: the order left the callback's reach first (reopened, or moved on without it)."""

Rating = Literal["satisfied", "neutral", "unsatisfied"]
SCALE: dict[str, int] = {"satisfied": 100, "neutral": 60, "unsatisfied": 0}
"""Each answer and its points in the satisfaction index (满意 / 一般 / 不满意)."""


@dataclass(frozen=True)
class Dimension:
    name: str
    weight: int  # its share of the satisfaction index, in percent
    reopens: bool  # "unsatisfied" here reopens the order
    required: bool = False


# fmt: off
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("timeliness", 20, reopens=False),   # 及时性
    Dimension("attitude", 20, reopens=False),     # 服务态度
    Dimension("skill", 20, reopens=False),        # 专业技能
    Dimension("result", 20, reopens=True),        # 处理结果
    Dimension("overall", 20, reopens=True, required=True),  # 总体评价
)
# fmt: on
DIMENSION_NAMES: tuple[str, ...] = tuple(d.name for d in DIMENSIONS)
assert sum(d.weight for d in DIMENSIONS) == 100

MAX_ATTEMPTS = 30
MAX_COMMENT = 500


@dataclass(frozen=True)
class Attempt:
    """One try at reaching the owner: how, who, when, reached or not, and what was said."""

    method: Method
    by: str  # actor: staff:<username> or owner:<id>
    at: str  # UTC ISO-8601
    reached: bool
    note: str = ""


@dataclass(frozen=True)
class Result:
    """What the owner said: one answer per dimension asked, a comment, who recorded it, when."""

    ratings: Mapping[str, Rating]
    comment: str
    method: Method
    by: str
    at: str

    @property
    def unsatisfied(self) -> bool:
        """Reopens the order (:data:`DIMENSIONS`: ``result`` or ``overall`` unsatisfied)."""
        return any(d.reopens and self.ratings.get(d.name) == "unsatisfied" for d in DIMENSIONS)

    @property
    def score(self) -> int:
        """The weighted satisfaction index of the dimensions answered, 0–100."""
        return weighted_score(self.ratings)


def weighted_score(ratings: Mapping[str, str]) -> int:
    asked = [(d.weight, SCALE[ratings[d.name]]) for d in DIMENSIONS if ratings.get(d.name) in SCALE]
    total = sum(w for w, _ in asked)
    return round(sum(w * p for w, p in asked) / total) if total else 0


@dataclass(frozen=True)
class Callback:
    callback_id: str
    estate: str
    kind: Kind
    building: str  # a building code, or "public" (an order about a public area)
    room: str
    due_at: str  # UTC ISO-8601
    created_at: str
    created_by: str
    order_number: str = ""
    owner_id: str = ""  # whom to reach (the order's owner; the unit's owner)
    period: str = ""  # the round of a periodic callback: 2026-11, or a fortnight's first day
    state: State = "due"
    version: int = 1
    attempts: tuple[Attempt, ...] = ()
    result: Result | None = None
    closed_at: str = ""
    closed_reason: str = ""  # why cancelled: order_reopened, order_<action>

    @property
    def is_due(self) -> bool:
        return self.state == "due"

    @property
    def unit_id(self) -> str:
        return f"{self.estate}/{self.building}/{self.room or '-'}"


def order_callback_id(number: str, round_: int) -> str:
    """The callback of an order's ``round_``-th resolution (0, then once per reopen):
    deterministic, so a second write of the same callback is refused, never doubled."""
    return f"order.{number}.{round_}"


def periodic_callback_id(kind: str, period: str, building: str, room: str) -> str:
    return f"{kind}.{period}.{building}.{room}"


_CODE = "[0-9A-Za-z-]{1,20}"  # a building or room code (the work orders' rule)
CALLBACK_ID_PATTERN = (
    r"^(order\.[A-Z]{2}-[0-9]{8}-[0-9]{4,6}\.[0-9]{1,3}"
    rf"|({'|'.join(k for k in KINDS if k != 'order')})\.[0-9]{{4}}-[0-9]{{2}}(-[0-9]{{2}})?"
    rf"\.{_CODE}\.{_CODE})$"
)
"""Every id the two functions above make (an order's round; a periodic round of a unit, its
period a month or a day), as the API document's pattern for a callback in a path."""
