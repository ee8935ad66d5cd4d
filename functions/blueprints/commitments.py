"""Routes of the `commitments` resource: the monthly KPI results made public (服务承诺).

``GET  /api/commitments?estate=``                  the last 12 months' snapshots (``kpi.read``)
``POST /api/commitments/<estate>/<month>/approval`` a supervisor approves (``kpi.approve``)

A month's snapshot is prepared by the daily ``kpi-results`` job from the 3rd; approving it
publishes it (``portal kpi-publish`` → ``portal build --results``). Every missed target needs
its plain sentence (409 ``kpi_explanation_missing``); approving again with the same sentences
answers the approval, with others 409 ``kpi_already_approved``; no snapshot yet: 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Response
from pydantic import ConfigDict, Field

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.kpi import MONTH
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED, ErrorEnvelope
from functions.fields import SLUG, SOMETHING
from functions.model import ApiModel
from functions.responses import json_response
from portal.commitments.model import Snapshot
from portal.commitments.service import MAX_EXPLANATION
from portal.service_levels import KPIS

bp = api_blueprint("commitments", __name__)

KpiKey = Literal["collection_rate", "repair_timeliness", "repair_quality", "callback_rate",
                 "valid_complaint_rate", "complaint_handling_rate", "satisfaction",
                 "archive_completeness"]  # fmt: skip
assert set(KpiKey.__args__) == {k.key for k in KPIS}  # type: ignore[attr-defined]


class CommitmentsQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})


class MonthPath(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    month: str = Field(pattern=MONTH, json_schema_extra={"example": "2026-10"})


class ExplanationIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    kpi: KpiKey
    text: Annotated[str, Field(min_length=1, max_length=MAX_EXPLANATION, pattern=SOMETHING,
                               description="情况说明: why it was missed and what is being done, "
                               "in plain words (shown on the public page).")]  # fmt: skip


class ApprovalIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    explanations: list[ExplanationIn] = Field(default_factory=list, max_length=len(KPIS),
                                              description="One for each missed target.")  # fmt: skip


class FigureOut(ApiModel):
    key: str
    status: Literal["met", "not_met", "no_data", "empty", "no_target"]
    value: float | None
    target: float | None
    direction: Literal["min", "max"] | None
    unit: Literal["percent", "permille"]
    numerator: int
    denominator: int


class SnapshotOut(ApiModel):
    estate: str
    month: str
    due_by: str = Field(description="Published by this day (the 5th of the next month).")
    prepared_at: str
    state: Literal["prepared", "approved"] = Field(description="`approved`: public.")
    figures: list[FigureOut]
    missed: list[str] = Field(description="The KPIs whose target was missed.")
    explanations: dict[str, str]
    approved_by: str
    approved_at: str

    @classmethod
    def of(cls, s: Snapshot) -> SnapshotOut:
        return cls.model_validate({**s.as_dict(), "missed": list(s.missed)})


class SnapshotList(ApiModel):
    items: list[SnapshotOut] = Field(description="Newest first.")


@bp.get("/commitments", responses={200: SnapshotList, **DENIED})
def of_estate(query: CommitmentsQuery) -> Response:
    """The estate's monthly results of the last 12 months, prepared or approved."""
    got = services().commitments.of_estate(signed_in(), query.estate)
    return json_response(SnapshotList(items=[SnapshotOut.of(s) for s in got]))


@bp.post("/commitments/<estate>/<month>/approval",
         responses={200: SnapshotOut, **DENIED, 409: ErrorEnvelope})  # fmt: skip
def approve(path: MonthPath, body: ApprovalIn) -> Response:
    """Approve and publish the month, with a plain sentence for each missed target."""
    said: dict[str, str] = {e.kpi: e.text for e in body.explanations}
    got = services().commitments.approve(signed_in(), path.estate, path.month, said, client_ip())
    return json_response(SnapshotOut.of(got))
