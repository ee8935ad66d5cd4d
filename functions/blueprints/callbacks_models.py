"""Request and response models of the callback routes (回访; the OpenAPI contract).

What :func:`portal.workorders.callbacks.validate_answer` checks is in the document too, so a
request the document calls valid is never refused as malformed: the questions and the
three-step scale are enums, ``overall`` is required, and an answer that reopens the order
(``result`` or ``overall`` 不满意) needs a comment (the ``anyOf`` of :class:`ResultIn`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, WithJsonSchema

from functions.blueprints.orders_models import NUMBER
from functions.fields import SLUG, SOMETHING, IsoDate, no_default
from functions.model import ApiModel
from portal.accounts.identity import Identity
from portal.workorders.callback_model import (
    CALLBACK_ID_PATTERN,
    DIMENSIONS,
    KINDS,
    MAX_COMMENT,
    METHODS,
    SCALE,
    STAFF_METHODS,
    Callback,
)  # fmt: skip
from portal.workorders.callbacks import Answer

Rating = Literal["satisfied", "neutral", "unsatisfied"]
assert set(Rating.__args__) == set(SCALE)  # type: ignore[attr-defined]
Method = Literal["phone", "visit", "message", "online"]
assert set(Method.__args__) == set(METHODS)  # type: ignore[attr-defined]
StaffMethod = Literal["phone", "visit", "message"]
assert set(StaffMethod.__args__) == STAFF_METHODS  # type: ignore[attr-defined]
_REOPENING = [d.name for d in DIMENSIONS if d.reopens]
_RATING_DOC = "满意 `satisfied` / 一般 `neutral` / 不满意 `unsatisfied`"


def _comment_when_unsatisfied() -> dict[str, Any]:
    """An answer that reopens the order (``callback_comment_missing``) needs a comment: written
    as ``anyOf`` (the document's models keep no ``if``/``then``)."""
    kept = {"enum": ["satisfied", "neutral"]}
    calm = {name: {"anyOf": [kept, {"type": "null"}]} for name in _REOPENING}
    return {"anyOf": [
        {"properties": {"ratings": {"properties": calm}}},
        {"properties": {"comment": {"pattern": SOMETHING}}, "required": ["comment"]},
    ]}  # fmt: skip


class Ratings(ApiModel):
    """One answer per question asked; only ``overall`` (总体评价) must be asked."""

    model_config = ConfigDict(extra="forbid")

    overall: Rating = Field(description=f"总体评价. {_RATING_DOC}")
    timeliness: Rating | None = Field(default=None, description="及时性 (not asked: omit)")
    attitude: Rating | None = Field(default=None, description="服务态度")
    skill: Rating | None = Field(default=None, description="专业技能")
    result: Rating | None = Field(default=None, description="处理结果")

    def asked(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


assert set(Ratings.model_fields) == {d.name for d in DIMENSIONS}
_COMMENT = Field(default="", max_length=MAX_COMMENT,
                 description="What the owner said; required when `result` or `overall` is "
                 "`unsatisfied` (it becomes the note of the order's second dispatch).")  # fmt: skip


class ResultIn(ApiModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_comment_when_unsatisfied())

    ratings: Ratings
    comment: str = _COMMENT
    method: StaffMethod = Field(default="phone", description="How the owner was reached.")

    def answer(self) -> Answer:
        return Answer(self.ratings.asked(), self.comment, self.method)


class OnlineAnswerIn(ApiModel):
    """The owner's own answer on their order's page (recorded as ``online``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_comment_when_unsatisfied())

    ratings: Ratings
    comment: str = _COMMENT

    def answer(self) -> Answer:
        return Answer(self.ratings.asked(), self.comment, "online")


class AttemptIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    method: StaffMethod = Field(default="phone")
    reached: StrictBool = Field(default=False, description="Reached, but the owner asked to be "
                                "called later (`true`), or not reached at all (`false`).")  # fmt: skip
    note: str = Field(default="", max_length=MAX_COMMENT, description="e.g. 无人接听, 晚上再打")


class CallbackPath(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    callback_id: str = Field(pattern=CALLBACK_ID_PATTERN, max_length=120,
                             description="`order.<number>.<round>`, or "
                             "`<kind>.<period>.<building>.<room>` for a periodic callback.",
                             json_schema_extra={"example": "order.BX-20261122-0001.0"})  # fmt: skip


class OrderCallbackPath(ApiModel):
    """An order (as :class:`functions.blueprints.orders_models.OrderPath`), with examples."""

    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    number: str = Field(pattern=NUMBER, json_schema_extra={"example": "BX-20261122-0001"})


class DueQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    day: Annotated[IsoDate | None, WithJsonSchema({"type": "string", "format": "date"})] = Field(
        default=None,
        description="Due by the end of this local day (default: today).",
        json_schema_extra=no_default,
    )


# -- responses ---------------------------------------------------------------------------------


class AttemptOut(ApiModel):
    method: Method
    by: str
    at: str
    reached: bool
    note: str


class ResultOut(ApiModel):
    ratings: dict[str, Rating] = Field(description="Question → answer, for those asked.")
    comment: str
    method: Method
    by: str = Field(description="Who recorded it (empty for an owner).")
    at: str
    score: int = Field(description="The weighted satisfaction index of the answers, 0–100.")
    unsatisfied: bool = Field(description="The answer reopened the order (二次派单).")


Kind = Literal["order", "first_month", "monthly", "dissatisfied", "not_moved_in"]
assert set(Kind.__args__) == set(KINDS)  # type: ignore[attr-defined]


class CallbackOut(ApiModel):
    callback_id: str
    estate: str
    kind: Kind
    building: str = Field(
        description="A building code, or `public` (an order about a public area)."
    )
    room: str
    order_number: str = Field(description="The order called back about (empty: a periodic one).")
    period: str = Field(description="A periodic callback's round: a month, or a day.")
    state: Literal["due", "done", "cancelled"]
    due_at: str
    overdue: bool
    created_at: str
    created_by: str = Field(description="Who or what made it (empty for an owner).")
    version: int
    attempts: list[AttemptOut] = Field(description="Every try at reaching the owner, the "
                                       "result's own last (staff only: empty for an owner).")  # fmt: skip
    result: ResultOut | None
    closed_at: str
    closed_reason: str = Field(description="Why cancelled: `order_reopened`, `order_<action>`.")

    @classmethod
    def of(cls, c: Callback, identity: Identity, now: str) -> CallbackOut:
        staff = not identity.is_owner
        r = c.result
        result = None if r is None else ResultOut(
            ratings=dict(r.ratings), comment=r.comment, method=r.method,
            by=r.by if staff else "", at=r.at, score=r.score, unsatisfied=r.unsatisfied,
        )  # fmt: skip
        attempts = [AttemptOut(method=a.method, by=a.by, at=a.at, reached=a.reached, note=a.note)
                    for a in c.attempts] if staff else []  # fmt: skip
        return cls(
            callback_id=c.callback_id, estate=c.estate, kind=c.kind, building=c.building,
            room=c.room, order_number=c.order_number, period=c.period, state=c.state,
            due_at=c.due_at, overdue=c.is_due and c.due_at < now, created_at=c.created_at,
            created_by=c.created_by if staff else "", version=c.version, attempts=attempts,
            result=result, closed_at=c.closed_at, closed_reason=c.closed_reason,
        )  # fmt: skip


class DueOut(ApiModel):
    overdue: list[CallbackOut] = Field(description="Due before now and still open, oldest first.")
    due: list[CallbackOut] = Field(description="Due from now to the end of the day asked for.")


class OrderCallbackOut(ApiModel):
    callback: CallbackOut | None = Field(description="The callback of the order's latest "
                                         "resolution (none yet: `null`).")  # fmt: skip
    may_answer: bool = Field(description="The caller (the order's owner) may answer it online now.")
