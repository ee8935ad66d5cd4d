"""Routes of the `kpi` resource: the month's service KPIs of an estate.

``GET /api/kpi?estate=&month=YYYY-MM``   the report of :mod:`portal.workorders.kpi`

``kpi.read`` in the estate (foremen, supervisors, project managers, admin). Every figure
carries its numerator and denominator as references (order numbers, unit ids,
``<ref>#<dimension>`` for callback answers) and what is still pending, so it can be
checked by hand. An estate the company does not have is 404.
"""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import Field

from functions.auth import require
from functions.blueprints import api_blueprint
from functions.context import services
from functions.error_models import ErrorEnvelope
from functions.fields import SLUG
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.policy import Target
from portal.workorders.kpi import Month

bp = api_blueprint("kpi", __name__)

MONTH = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
"""A calendar month of this millennium (``2026-11``): the report's bounds are local dates."""


class KpiQuery(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    month: str = Field(
        pattern=MONTH,
        description="`YYYY-MM`, in the estate's time zone.",
        json_schema_extra={"example": "2026-11"},
    )


class Refs(ApiModel):
    count: int
    refs: list[str] = Field(description="Order numbers, unit ids (`estate/building/room`) or "
                            "callback answers (`<order or unit>#<question>`).")  # fmt: skip


class KpiOut(ApiModel):
    key: str = Field(description="A KPI (`repair_timeliness` …) or an SLA stage (`acknowledge` …).")
    status: Literal["met", "not_met", "no_data", "empty", "no_target"]
    value: float | None = Field(description="numerator / denominator × the unit's scale "
                                "(no denominator, or no data: null).")  # fmt: skip
    unit: Literal["percent", "permille"]
    target: float | None
    direction: Literal["min", "max"] | None = Field(description="`min`: at least the target.")
    source: str = Field(description="Where the figures come from (`work_orders`, `callbacks`, "
                        "`profiles` …); empty when there is no data.")  # fmt: skip
    numerator: Refs
    denominator: Refs
    pending: Refs = Field(description="Not decided yet (inside a time limit): in neither side.")


class KpiReportOut(ApiModel):
    estate: str
    month: str
    time_zone: str
    as_of: str = Field(description="When it was computed (the figures move until the month "
                       "and its time limits are over).")  # fmt: skip
    start: str = Field(description="The month's first moment, UTC.")
    end: str = Field(description="The next month's first moment, UTC.")
    due_by: str = Field(description="The figures are published by this day.")
    month_over: bool
    orders: int = Field(description="Orders created in the month: the cohort counted.")
    kpis: list[KpiOut]
    stages: list[KpiOut] = Field(description="Each SLA stage: deadlines met over decided.")


@bp.get("/kpi", responses={200: KpiReportOut, 401: ErrorEnvelope, 403: ErrorEnvelope,
                           404: ErrorEnvelope})  # fmt: skip
def report(query: KpiQuery) -> Response:
    """The month's service KPIs of the estate, each traceable to its orders, units and
    callback answers."""
    require("kpi.read", Target(estate=query.estate))
    got = services().kpis.report(query.estate, Month.parse(query.month))
    return json_response(KpiReportOut.model_validate(got.as_dict()))
